"""The reference scenario of DOMAIN.md §2 comes back on the dashboard; loading twice changes nothing."""

from decimal import Decimal

import pytest

from community.dashboard import SECTIONS, Period
from community.demo import reference as core_reference
from community.scoping import Scope
from staffing import reference
from staffing.choices import CampaignKind, Stage
from staffing.models import Application, PayrollLine, PayrollRun, PayrollShare, StaffMember, StageChange


def _load():
    ctx = core_reference.load_core()
    reference.load(ctx)
    return ctx


@pytest.mark.django_db
def test_reference_scenario_figures_on_the_dashboard():
    ctx = _load()
    counts = (
        StaffMember.objects.count(),
        Application.objects.count(),
        StageChange.objects.count(),
        PayrollRun.objects.count(),
    )
    reference.load(ctx)  # idempotent
    assert counts == (
        StaffMember.objects.count(),
        Application.objects.count(),
        StageChange.objects.count(),
        PayrollRun.objects.count(),
    )
    scope = Scope("county", county_id=ctx.county.pk)
    indicators = SECTIONS["staffing"].fn(scope, Period.parse("month", "2026-11"))
    values = {i.key: i.value for i in indicators}
    assert values["recruitment_applicants"] == 112
    assert values["recruitment_posts"] == 8
    assert values["recruitment_hired"] == 8
    assert values["placement_incumbents"] == 51
    assert values["placement_kept"] == 17
    assert values["staff_total"] == 30
    assert values["party_members"] == 15
    assert values["party_share"] == Decimal("50.0")
    assert values["technical_or_above"] == 16
    assert values["senior_high"] == 13
    assert values["junior_high"] == 1
    assert values["computer_certificates"] == 4
    assert values["origin_recruited"] == 8
    assert values["origin_placed"] == 17
    assert values["pay_previous"] == Decimal("220")
    assert values["pay_current"] == Decimal("500")
    assert values["payroll_total"] == Decimal("15000")
    assert values["payroll_staff"] == 30
    assert values["payroll_county"] == Decimal("12000")
    assert values["payroll_town"] == Decimal("3000")
    assert values["payroll_county"] + values["payroll_town"] == values["payroll_total"]


@pytest.mark.django_db
def test_reference_campaigns_went_through_every_stage():
    _load()
    hired = Application.objects.filter(post__campaign__kind=CampaignKind.RECRUITMENT, stage=Stage.HIRED)
    assert hired.count() == 8
    for app in hired:
        path = list(app.stage_changes.order_by("at", "id").values_list("new", flat=True))
        assert path == [
            Stage.REVIEWED,
            Stage.EXAMINED,
            Stage.SHORTLISTED,
            Stage.INTERVIEWED,
            Stage.RANKED,
            Stage.INSPECTION,
            Stage.PUBLICITY,
            Stage.PROBATION,
            Stage.ASSESSED,
            Stage.HIRED,
        ]
        assert app.staff_member.origin == "recruited"
    # the month before the raise paid 220 a head, split 80/20 to the cent
    june = PayrollRun.objects.filter(month__year=2025, month__month=6)
    assert {line.amount for line in PayrollLine.objects.filter(run__in=june)} == {Decimal("220.00")}
    for run in june:
        shares = {s.payer_kind: s.amount for s in PayrollShare.objects.filter(run=run)}
        assert shares["county"] + shares["town"] == run.total
        assert shares["county"] == (run.total * Decimal("0.8")).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_the_reform_is_dated_2025_and_the_now_view_shows_the_new_younger_committee():
    """The reform's staff and pay are dated as of the reform (2025, the years of the 136,000 yuan); the "now"
    view's roster is the new committee, with the ages the seed implies (the reform brought younger staff)."""
    ctx = _load()
    scope = Scope("county", county_id=ctx.county.pk)
    campaigns = list(
        Application.objects.filter(stage=Stage.HIRED).values_list("post__campaign__announced_on", flat=True)
    )
    assert {day.year for day in campaigns} == {2025}
    assert set(PayrollRun.objects.values_list("month__year", flat=True)) == {2025}
    assert StaffMember.objects.filter(start__year__lt=2019).count() == 0

    def figures(kind, value):
        return {i.key: i for i in SECTIONS["staffing"].fn(scope, Period.parse(kind, value))}

    now = figures("month", "2026-11")
    assert now["staff_total"].value == 30
    # 8 recruited (≤ 33), 7 of the 17 placed and 2 of the 5 secretaries are 40 or younger; nobody is over 50
    assert now["age_distribution"].value == 17
    chart = now["age_distribution"].chart
    bars = dict(zip(chart["xAxis"]["data"], chart["series"][0]["data"], strict=True))
    assert bars["≥51"] == 0
    assert sum(bars.values()) == 30
    # the reform's campaigns and pay are of 2025, and the figures say so beside them
    assert now["recruitment_hired"].since == "2025-03-15"
    assert (now["payroll_total"].since, now["payroll_total"].until) == ("2025-09-01", "2025-09-30")
    assert now["pay_current"].value == Decimal("500")
    # before the reform (2024) no campaign had been held and the old scale was in force
    before = figures("year", "2024")
    assert before["recruitment_hired"].value == 0 and before["recruitment_hired"].link == ""
    assert before["pay_current"].value == Decimal("220")
