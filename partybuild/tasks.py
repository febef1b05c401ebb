"""Jobs of the party liaison network: thin, idempotent, each calling actions.

- ``visits_due_weekly``: every Monday, the list of households not visited for N days to each branch
  secretary (stored as a ``VisitsDueNotice`` and emailed once per branch and week);
- ``coverage_report_monthly``: on the 1st, last month's coverage section per community
  (a ``CoverageReport`` row, made once per community and month);
- ``coverage_summaries_nightly``: just after midnight, the coverage summaries that no longer hold
  (a start, end, registration or departure dated that day took effect) or were never made are rebuilt
  (``full=True`` rebuilds every one: a repair after writes that bypassed the actions).

Schedules live in django-celery-beat (migration 0002 creates them; editable in the admin).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from community.models import Community
from utilities.schedules import scheduled

from . import actions, selectors


def _date(value: str | None, default: dt.date) -> dt.date:
    return dt.date.fromisoformat(value) if value else default


@scheduled("partybuild: weekly visits due", minute="0", hour="7", day_of_week="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def visits_due_weekly(self, week: str | None = None, days: int | None = None) -> int:
    """One notice per branch for the week (ISO date inside it; default this week); returns branches done."""
    monday = actions.week_start(_date(week, timezone.localdate()))
    done = 0
    for branch_id in selectors.branch_organisations().values_list("pk", flat=True):
        actions.visits_due_notify(branch_id=branch_id, week=monday, days=days)
        done += 1
    return done


@scheduled("partybuild: monthly coverage report", minute="30", hour="2", day_of_month="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def coverage_report_monthly(self, month: str | None = None) -> int:
    """One coverage report per community for the month (default: last month); returns communities done."""
    if month:
        first = _date(month, timezone.localdate()).replace(day=1)
    else:
        first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    done = 0
    for community_id in Community.objects.order_by("pk").values_list("pk", flat=True):
        actions.coverage_report_make(community_id=community_id, month=first)
        done += 1
    return done


@scheduled("partybuild: nightly coverage summaries", minute="5", hour="0")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def coverage_summaries_nightly(self, full: bool = False) -> int:
    """Rebuild the coverage summaries due today (every one with ``full``); returns the communities rebuilt."""
    if full:
        return actions.rebuild_coverage_summaries()
    return actions.rebuild_coverage_summaries(communities=selectors.summaries_due(on=timezone.localdate()))


@scheduled("partybuild: weekly full coverage rebuild", minute="30", hour="1", day_of_week="0")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def coverage_summaries_weekly(self) -> int:
    """Rebuild every community's coverage summaries from the records (a county takes seconds): repairs rows a
    write outside the actions left behind (a bulk update, a database fix).  Returns the communities rebuilt."""
    return actions.rebuild_coverage_summaries()
