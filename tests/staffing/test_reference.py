"""The reference scenario of DOMAIN.md §2 comes back on the dashboard; loading twice changes nothing."""

from decimal import Decimal

import pytest

from community import reference as core_reference
from community.dashboard import SECTIONS, Period
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
    june = PayrollRun.objects.filter(month__year=2004, month__month=6)
    assert {line.amount for line in PayrollLine.objects.filter(run__in=june)} == {Decimal("220.00")}
    for run in june:
        shares = {s.payer_kind: s.amount for s in PayrollShare.objects.filter(run=run)}
        assert shares["county"] + shares["town"] == run.total
        assert shares["county"] == (run.total * Decimal("0.8")).quantize(Decimal("0.01"))
