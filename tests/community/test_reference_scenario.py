"""The reference scenario of DOMAIN.md: loaded by seed_reference, idempotent, shown back by the dashboard."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command


def _counts():
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"community", "partybuild", "staffing", "funding", "services", "worklist"}
        and not m._meta.label.startswith("community.Historical")
    }


@pytest.mark.django_db
def test_seed_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_reference")


@pytest.mark.django_db
def test_seed_twice_same_data_and_the_dashboard_shows_the_seed(settings, client):
    from tests.funding.factories import ensure_defaults

    ensure_defaults()  # rows of a data migration that an earlier transactional test may have flushed
    settings.DEBUG = True
    call_command("seed_reference", verbosity=0)
    first = _counts()
    call_command("seed_reference", verbosity=0)
    assert _counts() == first
    assert first["community.Community"] == 5

    from community.models import User

    client.force_login(User.objects.get(username="demo_county"))
    body = client.get("/api/v1/dashboard/", {"period": "year"}).json()
    values = {f"{s['key']}.{i['key']}": i["value"] for s in body["sections"] for i in s["indicators"]}
    assert values["people.communities"] == 5
    assert values["staffing.recruitment_hired"] == 8
    assert values["staffing.recruitment_applicants"] > 100
    assert values["staffing.placement_incumbents"] == 51
    assert values["staffing.placement_kept"] == 17
    assert values["staffing.party_members"] == 15
    assert Decimal(str(values["staffing.party_share"])) == Decimal("50")
    assert values["staffing.technical_or_above"] == 16
    assert values["staffing.senior_high"] == 13
    assert values["staffing.junior_high"] == 1
    assert values["staffing.computer_certificates"] == 4
    assert Decimal(str(values["staffing.pay_previous"])) == 220
    assert Decimal(str(values["staffing.pay_current"])) == 500
    assert Decimal(str(values["funding.government_investment"])) == Decimal("136000")
    assert values["facilities.meeting_standard"] == 5
    assert Decimal(str(values["facilities.average_office_area"])) > 100


@pytest.mark.django_db
def test_api_docs_served_offline(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar" in page or "/static/" in page
    assert "cdn" not in page.lower()
