"""The monthly payroll on the 1st (django-celery-beat): every county, last month, nothing twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from staffing import actions
from staffing.actions import pay
from staffing.choices import PayrollStatus
from staffing.models import PayrollLine, PayrollRun, PayScale
from staffing.tasks import payroll_monthly
from tests import factories as f
from tests.staffing.factories import staff_in

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_beat_entry_runs_the_payroll_on_the_first():
    from django_celery_beat.models import PeriodicTask

    from config.celery import app
    from utilities import schedules

    schedules.sync()  # what migrate does (a transactional test elsewhere may have flushed the beat tables)
    job = PeriodicTask.objects.get(task="staffing.tasks.payroll_monthly")
    assert job.enabled and job.crontab is not None
    assert (job.crontab.minute, job.crontab.hour, job.crontab.day_of_month) == ("0", "3", "1")
    assert (job.crontab.month_of_year, job.crontab.day_of_week) == ("*", "*")
    assert str(job.crontab.timezone) == "Asia/Shanghai"
    assert "staffing.tasks.payroll_monthly" in app.tasks


def test_previous_month():
    assert actions.previous_month(D(2025, 1, 1)) == D(2024, 12, 1)
    assert actions.previous_month(D(2024, 3, 31)) == D(2024, 2, 1)


def test_monthly_payroll_of_every_county_is_idempotent(settings, county, community_a, community_b):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=D(2004, 7, 1))
    for _ in range(3):
        staff_in(community_a, start=D(2020, 1, 1))
    staff_in(community_b, start=D(2020, 1, 1))
    staff_in(community_b, start=D(2024, 6, 1), end=D(2024, 6, 30))  # left before the month
    no_scale = f.CountyFactory(code="330998")
    f.CommunityFactory(town=f.TownFactory(county=no_scale))

    first = payroll_monthly.delay(month="2024-07").get()
    again = payroll_monthly.delay(month="2024-07").get()  # redelivered, or beat ran twice

    assert first["runs"] == again["runs"] == 2
    assert first["skipped_counties"] == [no_scale.code] and not first["refused"]
    runs = PayrollRun.objects.filter(month=D(2024, 7, 1))
    assert runs.count() == 2  # one per community and month, whatever the number of runs
    assert runs.get(community=community_a).total == Decimal("1500.00")
    assert runs.get(community=community_b).total == Decimal("500.00")
    assert PayrollLine.objects.filter(run__in=runs).count() == 4
    by = runs.first().created_by
    assert by.username == f"staffing_payroll_{county.code}" and not by.has_usable_password()
    if runs.first().status == PayrollStatus.POSTED:  # the funding app: one obligation per run, split 80/20
        from funding.models import JournalEntry

        assert JournalEntry.objects.filter(reference__startswith="staffing-pay-").count() == 2
        payroll_monthly.delay(month="2024-07").get()
        assert JournalEntry.objects.filter(reference__startswith="staffing-pay-").count() == 2
        shares = {s.payer_kind: s.amount for s in runs.get(community=community_a).shares.all()}
        assert shares == {"county": Decimal("1200.00"), "town": Decimal("300.00")}
    # a community added later: the next run of the same month makes only its run
    late = f.CommunityFactory(town=community_a.town)
    staff_in(late, start=D(2020, 1, 1))
    assert payroll_monthly.delay(month="2024-07").get()["runs"] == 3
    assert PayrollRun.objects.filter(month=D(2024, 7, 1)).count() == 3


def test_the_job_defaults_to_last_month(county, community_a, monkeypatch):
    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=D(2004, 7, 1))
    staff_in(community_a, start=D(2020, 1, 1))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2025, 3, 1))
    summary = actions.payroll_run_counties()
    assert summary["month"] == "2025-02"
    assert PayrollRun.objects.get(community=community_a).month == D(2025, 2, 1)


def test_a_refused_community_does_not_stop_the_others(county, community_a, community_b, monkeypatch):
    from django.core.exceptions import ValidationError

    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=D(2004, 7, 1))
    staff_in(community_a, start=D(2020, 1, 1))
    staff_in(community_b, start=D(2020, 1, 1))
    real = actions.payroll_run

    def refuse_a(*, by, community_id, month, **kwargs):
        if community_id == community_a.pk:
            raise ValidationError("The ledger period is closed.")
        return real(by=by, community_id=community_id, month=month, **kwargs)

    monkeypatch.setattr(pay, "payroll_run", refuse_a)
    summary = actions.payroll_run_counties(month="2024-08")
    assert summary["runs"] == 1 and summary["refused"] == [(community_a.pk, "The ledger period is closed.")]
    assert list(PayrollRun.objects.values_list("community_id", flat=True)) == [community_b.pk]


def test_the_county_payroll_posts_as_one_batch_and_a_closed_month_is_reported(county, community_a, community_b):
    from funding.actions import period_close
    from funding.models import JournalEntry

    PayScale.objects.create(county=county, monthly_amount=Decimal("500"), effective_from=D(2004, 7, 1))
    for community in (community_a, community_b):
        staff_in(community, start=D(2020, 1, 1))
    period = period_close(by=f.official_of(county), community=community_a, year=2024, month=9)

    summary = actions.payroll_run_counties(month="2024-09")

    assert summary["runs"] == 1
    assert [(c, "closed" in reason) for c, reason in summary["refused"]] == [(community_a.pk, True)]
    refused, posted = (PayrollRun.objects.get(community=c, month=D(2024, 9, 1)) for c in (community_a, community_b))
    assert refused.status == PayrollStatus.COMPUTED and refused.journal_entry_id is None
    assert posted.status == PayrollStatus.POSTED
    assert JournalEntry.objects.get(pk=posted.journal_entry_id).reference == posted.ledger_reference
    assert not JournalEntry.objects.filter(community=community_a).exists()

    period.closed = False  # reopened: the next run posts what was left
    period.save(update_fields=["closed"])
    again = actions.payroll_run_counties(month="2024-09")
    assert again["runs"] == 2 and not again["refused"]
    refused.refresh_from_db()
    assert refused.status == PayrollStatus.POSTED
    assert JournalEntry.objects.filter(reference__startswith="staffing-pay-").count() == 2
