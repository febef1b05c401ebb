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


def _seed(settings):
    from tests.funding.factories import ensure_defaults

    ensure_defaults()  # rows of a data migration that an earlier transactional test may have flushed
    settings.DEBUG = True
    call_command("seed_reference", verbosity=0)


@pytest.mark.django_db
def test_seed_twice_same_data(settings):
    _seed(settings)
    first = _counts()
    call_command("seed_reference", verbosity=0)
    assert _counts() == first
    assert first["community.Community"] == 5


# the "now" view of the reference scenario: the year after the reform (2025), whose money covers 2025–2026
NOW_VIEW = {"period": "year", "value": "2026"}


@pytest.mark.django_db
def test_the_dashboard_shows_the_seeds_13_figures(settings, client):
    _seed(settings)

    from community.models import User

    client.force_login(User.objects.get(username="demo_county"))
    body = client.get("/api/v1/dashboard/", {**NOW_VIEW, "live": "1"}).json()
    shown = {f"{s['key']}.{i['key']}": i for s in body["sections"] for i in s["indicators"]}
    values = {key: i["value"] for key, i in shown.items()}

    def number(key):
        return Decimal(str(values[key]))

    assert values["people.communities"] == 5
    # the seed's 13 figures (DOMAIN.md), one by one
    # 1. open recruitment: 8 community workers hired of more than 100 applicants
    assert values["staffing.recruitment_hired"] == 8
    assert values["staffing.recruitment_applicants"] > 100
    # 2. competitive placement: 51 incumbents ...
    assert values["staffing.placement_incumbents"] == 51
    # 3. ... of whom 17 kept
    assert values["staffing.placement_kept"] == 17
    # 4. the new committees: 30 people
    assert values["staffing.staff_total"] == 30
    # 5. 15 party members ...
    assert values["staffing.party_members"] == 15
    # 6. ... that is 50%
    assert number("staffing.party_share") == Decimal("50")
    # 7. education: 16 technical secondary or above, 13 senior high, 1 junior high
    assert values["staffing.technical_or_above"] == 16
    assert values["staffing.senior_high"] == 13
    assert values["staffing.junior_high"] == 1
    # 8. 4 hold a computer qualification certificate
    assert values["staffing.computer_certificates"] == 4
    # 9. pay raised from 220 to about 500 yuan a month
    assert number("staffing.pay_previous") == 220
    assert number("staffing.pay_current") == 500
    # 10. the county pays 80%, the town 20%: as shares, and beside the amounts
    assert number("staffing.payroll_county_share") == 80
    assert number("staffing.payroll_town_share") == 20
    assert number("staffing.payroll_county") == 4 * number("staffing.payroll_town") > 0
    assert shown["staffing.payroll_county"]["note"] == "80%"
    assert shown["staffing.payroll_town"]["note"] == "20%"
    # 11. 136,000 yuan of government investment, over the two years it covers
    assert number("funding.government_investment") == Decimal("136000")
    assert "2025" in shown["funding.government_investment"]["note"]
    assert "2026" in shown["funding.government_investment"]["note"]
    # 12. 5 communities reached the facility standard
    assert values["facilities.meeting_standard"] == 5
    # 13. offices averaging over 100 m²
    assert number("facilities.average_office_area") > 100

    # each figure says what kind of number it is and is shown in the platform's one format
    assert (shown["staffing.recruitment_hired"]["kind"], shown["staffing.recruitment_hired"]["text"]) == ("count", "8")
    assert (shown["staffing.party_share"]["kind"], shown["staffing.party_share"]["text"]) == ("share", "50")
    assert (shown["staffing.payroll_county_share"]["text"], shown["staffing.payroll_town_share"]["text"]) == (
        "80",
        "20",
    )
    investment = shown["funding.government_investment"]
    assert (investment["kind"], investment["text"], investment["wan"]) == ("money", "136,000", "13.6万")
    assert (shown["staffing.pay_previous"]["text"], shown["staffing.pay_current"]["text"]) == ("220", "500")

    # one timeline: the reform's campaigns and pay are of 2025, the figures say so beside them
    assert shown["staffing.recruitment_hired"]["since"].startswith("2025-")
    assert shown["staffing.placement_kept"]["since"].startswith("2025-")
    assert shown["staffing.payroll_total"]["since"].startswith("2025-")
    # and the "now" roster is the new committee with the ages the seed implies: younger, nobody over 50
    assert values["staffing.age_distribution"] == 17
    ages = shown["staffing.age_distribution"]["chart"]
    bands = dict(zip(ages["xAxis"]["data"], ages["series"][0]["data"], strict=True))
    assert bands["≥51"] == 0 and sum(bands.values()) == 30

    # the page shows the same figures in the same format, with the campaign picker in the period form
    page = client.get("/dashboard/", NOW_VIEW).content.decode()
    for text in ("136,000", "13.6万", "80%", "20%"):
        assert text in page, text
    assert 'name="campaign"' in page
    assert "None" not in page


@pytest.mark.django_db
def test_api_docs_served_offline(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar" in page or "/static/" in page
    assert "cdn" not in page.lower()
