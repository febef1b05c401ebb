"""The jobs run eagerly, do their work once per week or month, and email the branch secretary."""

import datetime as dt

import pytest
from django.core import mail

from partybuild import tasks
from partybuild.choices import PositionRole
from partybuild.models import CoverageReport, VisitsDueNotice
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db


def test_weekly_visits_due_is_sent_once_per_branch_and_week(eager, community_a, community_b):
    secretary = pf.holder(community_a, PositionRole.BRANCH_SECRETARY, email="shuji@example.org")
    pf.cover(secretary, pf.household_in(community_a))
    pf.household_in(community_a)
    pf.branch_of(community_b)  # no secretary yet: stored, not emailed
    assert tasks.visits_due_weekly.delay(week="2026-11-18").get() == 2
    notice = VisitsDueNotice.objects.get(branch=pf.branch_of(community_a))
    assert notice.week == dt.date(2026, 11, 16) and notice.household_count == 2 and notice.emailed_at
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["shuji@example.org"]
    assert secretary.name in mail.outbox[0].body
    other = VisitsDueNotice.objects.get(branch=pf.branch_of(community_b))
    assert other.recipient is None and other.emailed_at is None

    tasks.visits_due_weekly.delay(week="2026-11-20").get()  # same week, redelivered
    assert VisitsDueNotice.objects.count() == 2 and len(mail.outbox) == 1
    tasks.visits_due_weekly.delay(week="2026-11-25").get()
    assert VisitsDueNotice.objects.count() == 4 and len(mail.outbox) == 2


def test_monthly_coverage_report_is_made_once(eager, community_a, community_b):
    member = pf.member_of(community_a)
    pf.cover(member, pf.household_in(community_a))
    pf.household_in(community_a)
    assert tasks.coverage_report_monthly.delay(month="2026-10-01").get() == 2
    report = CoverageReport.objects.get(community=community_a)
    assert (report.month, report.households, report.covered, report.uncovered) == (dt.date(2026, 10, 1), 2, 1, 1)
    assert report.members == 1 and report.members_outside_band == 1
    member.name = "改名"
    member.save()
    pf.cover(member, pf.household_in(community_a))
    tasks.coverage_report_monthly.delay(month="2026-10-15").get()
    assert CoverageReport.objects.count() == 2
    report.refresh_from_db()
    assert report.households == 2  # not remade


def test_schedules_are_in_the_beat_tables():
    from django_celery_beat.models import PeriodicTask

    from utilities import schedules

    schedules.sync()  # what migrate does (a transactional test elsewhere may have flushed the beat tables)

    names = set(PeriodicTask.objects.filter(task__startswith="partybuild.").values_list("task", flat=True))
    assert names == {
        "partybuild.tasks.visits_due_weekly",
        "partybuild.tasks.coverage_report_monthly",
        "partybuild.tasks.coverage_summaries_nightly",
        "partybuild.tasks.coverage_summaries_weekly",
    }
