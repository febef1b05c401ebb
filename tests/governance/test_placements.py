"""工作人员配置到社区: department staff placed in communities, their masked phones, and the departments' review page
(staff placed, funds granted, the communities' evaluations side by side)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from community.choices import DepartmentCode, Role, ScopeLevel
from community.dashboard import SECTIONS, Period
from community.scoping import Scope
from governance.models import DepartmentPlacement
from tests import factories as f
from tests.governance import factories as gf
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def justice(county):
    return f.DepartmentFactory(county=county, code=DepartmentCode.JUSTICE)


@pytest.fixture
def liaison(justice):
    return f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=justice)


def _post(client, **data):
    body = {"person_name": "李司法", "duty": "法律咨询", "phone": "13812345678", "start": "2026-01-01", **data}
    return client.post(reverse("governance-placement-list"), body, content_type="application/json")


def test_a_liaison_places_staff_and_bad_dates_are_refused(client, liaison, justice, community_a, staff_a):
    client.force_login(liaison)
    made = _post(client, department=justice.pk, community=community_a.pk)
    assert made.status_code == 201, made.content
    assert made.json()["phone_masked"] == "138****5678" and "phone" not in made.json()
    overlap = _post(client, department=justice.pk, community=community_a.pk, start="2026-06-01")
    assert overlap.status_code == 400 and "start" in overlap.json()
    backwards = _post(client, department=justice.pk, community=community_a.pk, person_name="王", end="2025-01-01")
    assert backwards.status_code == 400 and "end" in backwards.json()
    bad_phone = _post(client, department=justice.pk, community=community_a.pk, person_name="赵", phone="12")
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()
    assert DepartmentPlacement.objects.count() == 1
    client.force_login(staff_a)  # the community reads who is placed with it, the phone masked
    rows = client.get(reverse("governance-placement-list")).json()["results"]
    assert [r["phone_masked"] for r in rows] == ["138****5678"]
    assert _post(client, department=justice.pk, community=community_a.pk, person_name="钱").status_code == 403


def test_another_departments_liaison_cannot_place_for_it(client, county, justice, community_a):
    police = f.DepartmentFactory(county=county, code=DepartmentCode.PUBLIC_SECURITY)
    other = f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=police)
    client.force_login(other)
    refused = _post(client, department=justice.pk, community=community_a.pk)
    assert refused.status_code in (400, 403) and not DepartmentPlacement.objects.exists()


def test_the_departments_review_shows_staff_funds_and_evaluations(county, justice, community_a, community_b):
    gf.placement(community_a, justice)
    gf.placement(community_b, justice)
    sf.evaluation(community_a, department=justice, year=2026, score=90)
    sf.evaluation(community_b, department=justice, year=2026, score=81)
    from tests.funding import factories as ff

    grant = ff.department_grant(community_a, justice)
    grant.granted_on = grant.granted_on.replace(year=2026)
    grant.save()
    scope = Scope(ScopeLevel.COUNTY, county_id=county.pk)
    from community.departments import department_review

    review = department_review(scope, Period.parse("year", "2026"))
    assert review.values["staff_placed"] == {justice.pk: 2}
    assert review.values["evaluation_score"] == {justice.pk: Decimal("85.5")}
    assert review.values["funds_granted"] == {justice.pk: Decimal("1000.00")}
    keys = {i.key for i in SECTIONS["departments"].fn(scope, Period.parse("year", "2026"))}
    assert {"department_staff_placed", "department_funds_granted", "department_evaluation_score"} <= keys
