"""Resident units' obligations (驻区单位的权利与义务): the duties agreed and each year's fulfilment, beside the
facilities the unit opens; scoped by the unit's community, bad input refused with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from services.models import ObligationFulfilment, UnitObligation
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_staff_record_duties_and_fulfilment_through_the_api(client, community_a, staff_a):
    unit = f.ResidentUnitFactory(community=community_a)
    client.force_login(staff_a)
    made = client.post(
        reverse("unit-obligation-list"),
        {"unit": unit.pk, "category": "facilities", "duty": "周末开放操场", "agreed_on": "2024-01-15"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    obligation = made.json()["id"]
    url = reverse("obligation-fulfilment-list")
    ok = client.post(
        url, {"obligation": obligation, "year": 2025, "status": "fulfilled"}, content_type="application/json"
    )
    assert ok.status_code == 201, ok.content
    twice = client.post(
        url, {"obligation": obligation, "year": 2025, "status": "fulfilled"}, content_type="application/json"
    )
    assert twice.status_code == 400 and "year" in twice.json()
    no_note = client.post(
        url, {"obligation": obligation, "year": 2026, "status": "partly"}, content_type="application/json"
    )
    assert no_note.status_code == 400 and "note" in no_note.json()
    early = client.post(
        url, {"obligation": obligation, "year": 2020, "status": "fulfilled"}, content_type="application/json"
    )
    assert early.status_code == 400 and "year" in early.json()
    bad_year = client.post(
        url, {"obligation": obligation, "year": 99999, "status": "fulfilled"}, content_type="application/json"
    )
    assert bad_year.status_code == 400
    assert ObligationFulfilment.objects.count() == 1


def test_another_communitys_unit_is_out_of_reach(client, community_a, community_b, staff_b):
    unit = f.ResidentUnitFactory(community=community_a)
    duty = sf.obligation(community_a, unit=unit)
    client.force_login(staff_b)
    refused = client.post(
        reverse("unit-obligation-list"),
        {"unit": unit.pk, "category": "facilities", "duty": "x", "agreed_on": "2024-01-15"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "unit" in refused.json()
    assert client.get(reverse("unit-obligation-list")).json()["results"] == []
    fulfil = client.post(
        reverse("obligation-fulfilment-list"),
        {"obligation": duty.pk, "year": 2025, "status": "fulfilled"},
        content_type="application/json",
    )
    assert fulfil.status_code == 400 and not ObligationFulfilment.objects.exists()
    assert UnitObligation.objects.count() == 1


def test_the_admin_shows_duties_beside_the_facilities_with_fulfilment_inline(client, community_a, staff_a):
    facility = sf.facility(community_a, name="学校操场")
    client.force_login(staff_a)
    add = reverse("admin:services_unitobligation_add")
    data = {
        "unit": facility.unit.pk,
        "category": "facilities",
        "duty": "节假日开放操场",
        "agreed_on": "2024-02-01",
        "fulfilments-TOTAL_FORMS": "1",
        "fulfilments-INITIAL_FORMS": "0",
        "fulfilments-0-year": "2025",
        "fulfilments-0-status": "not_fulfilled",
        "fulfilments-0-note": "",
    }
    refused = client.post(add, data)
    assert refused.status_code == 200 and not UnitObligation.objects.exists()
    data["fulfilments-0-note"] = "操场维修，全年未开放"
    assert client.post(add, data).status_code == 302
    duty = UnitObligation.objects.get()
    assert duty.fulfilments.get().status == "not_fulfilled"
    listing = client.get(reverse("admin:services_unitobligation_changelist")).content.decode()
    assert "学校操场" in listing and "2025" in listing
    assert duty.agreed_on == dt.date(2024, 2, 1)


def test_the_dashboard_counts_duties_and_each_figure_lists_its_rows(client, county, community_a, community_b):
    from community.dashboard import SECTIONS, Period
    from community.scoping import Scope

    school = f.ResidentUnitFactory(community=community_a)
    kept = sf.obligation(community_a, unit=school)
    missed = sf.obligation(community_a, unit=school, category="volunteering", duty="每学期两次志愿服务")
    sf.fulfilment(community_a, obligation=kept, year=2026)
    sf.fulfilment(community_a, obligation=missed, year=2026, status="partly", note="只组织了一次")
    sf.fulfilment(community_a, obligation=kept, year=2025)  # another year: not in 2026's figures
    other = sf.obligation(community_b)
    sf.fulfilment(community_b, obligation=other, year=2026, status="not_fulfilled", note="未开放")

    year = Period.parse("year", "2026")
    county_wide = {i.key: i for i in SECTIONS["unit_obligations"].fn(Scope("county", county_id=county.pk), year)}
    assert {k: i.value for k, i in county_wide.items()} == {
        "units_with_duties": 2,
        "duties_agreed": 3,
        "duties_fulfilled": 1,
        "duties_short": 2,
    }
    only_a = Scope("community", county_id=county.pk, town_id=community_a.town_id, community_id=community_a.pk)
    assert [i.value for i in SECTIONS["unit_obligations"].fn(only_a, year)] == [1, 2, 1, 1]
    client.force_login(f.official_of(county))
    for indicator in county_wide.values():
        response = client.get(indicator.link)
        assert response.status_code == 200, indicator.link
        assert response.context["cl"].result_count == indicator.value, indicator.link
