"""Pay: scales with effective dates, the monthly payroll task (idempotent), and the 80/20 split to the cent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.models import CostSplit, JournalEntry
from staffing import actions, payroll
from staffing.models import PayrollLine, PayrollRun, PayrollShare, PayScale
from staffing.tasks import payroll_month
from tests.staffing.factories import staff_in

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def scales(county):
    PayScale.objects.create(county=county, monthly_amount=Decimal("220"), effective_from=D(2001, 1, 1))
    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=D(2004, 7, 1))


def test_allocate_uses_the_funding_rule():
    split = payroll.split_for()
    parts = payroll.allocate(split, Decimal("333.33"))
    assert [(kind, amount) for _n, kind, _bp, amount in parts] == [
        ("county", Decimal("266.66")),
        ("town", Decimal("66.67")),
    ]


def test_payroll_task_is_idempotent_and_follows_the_scale(settings, scales, official, community_a, community_b):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for _ in range(3):
        staff_in(community_a, start=D(2003, 1, 1))
    staff_in(community_a, start=D(2004, 7, 15))  # joins mid-July: paid from July
    staff_in(community_b, start=D(2003, 1, 1), end=D(2004, 5, 31))  # left before June
    kwargs = {"by_id": official.pk, "level": "county", "county_id": official.county_id}
    payroll_month.delay(month="2004-06", **kwargs)
    payroll_month.delay(month="2004-06", **kwargs)  # redelivered: nothing twice
    payroll_month.delay(month="2004-07", **kwargs)
    june_a = PayrollRun.objects.get(community=community_a, month=D(2004, 6, 1))
    assert june_a.total == Decimal("660.00") and june_a.lines.count() == 3
    assert PayrollRun.objects.get(community=community_b, month=D(2004, 6, 1)).total == 0
    july_a = PayrollRun.objects.get(community=community_a, month=D(2004, 7, 1))
    assert july_a.total == Decimal("2000.00")
    assert PayrollRun.objects.count() == 4
    shares = {s.payer_kind: s.amount for s in PayrollShare.objects.filter(run=july_a)}
    assert shares == {"county": Decimal("1600.00"), "town": Decimal("400.00")}
    for line in PayrollLine.objects.all():
        assert line.county_share + line.town_share == line.amount


def test_payroll_without_the_funding_split_is_refused_and_writes_nothing(scales, official, community_a):
    staff_in(community_a, start=D(2003, 1, 1))
    CostSplit.objects.all().delete()
    with pytest.raises(ValidationError, match="cost split"):
        actions.payroll_run(by=official, community_id=community_a.pk, month="2005-01")
    assert not PayrollRun.objects.exists() and not PayrollLine.objects.exists()


def test_payroll_without_a_scale_is_refused(county, official, community_a):
    with pytest.raises(ValidationError, match="No pay scale"):
        actions.payroll_run(by=official, community_id=community_a.pk, month="1990-01")
    assert not PayrollRun.objects.exists()


def test_pay_lands_in_the_ledger_split_80_20_to_the_cent(scales, official, community_a):
    for _ in range(3):
        staff_in(community_a, start=D(2003, 1, 1))
    PayScale.objects.create(
        county=community_a.town.county, monthly_amount=Decimal("333.33"), effective_from=D(2005, 1, 1)
    )
    run = actions.payroll_run(by=official, community_id=community_a.pk, month="2005-01")
    assert run.status == "posted" and run.total == Decimal("999.99")
    entry = JournalEntry.objects.get(pk=run.journal_entry_id)
    assert entry.reference == run.ledger_reference
    again = actions.payroll_run(by=official, community_id=community_a.pk, month="2005-01")
    assert again.pk == run.pk and JournalEntry.objects.filter(reference=run.ledger_reference).count() == 1
    expense = {}
    for line in entry.lines.select_related("fund__source", "account"):
        if line.account.code == "5101":
            expense[line.fund.source.kind] = expense.get(line.fund.source.kind, 0) + line.amount
    assert expense == {"county_budget": Decimal("799.99"), "town_budget": Decimal("200.00")}
