"""Celery tasks of the staffing app: thin and idempotent, each wrapping an action."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError, transaction

from community.models import Community, User
from community.scoping import Scope
from utilities.schedules import scheduled

from . import actions


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_month(self, *, month: str, by_id: int, level: str, county_id=None, town_id=None, community_id=None):
    """The monthly payroll of every community of a scope; a redelivery makes no second run (one per month)."""
    by = User.objects.get(pk=by_id)
    scope = Scope(level, county_id=county_id, town_id=town_id, community_id=community_id)
    community_ids = list(Community.objects.for_scope(scope).order_by("pk").values_list("pk", flat=True))
    runs = actions.payroll_run_scope(by=by, month=month, community_ids=community_ids)
    return [run.pk for run in runs]


def enqueue_payroll(*, by, month: str, level: str, county_id=None, town_id=None, community_id=None) -> None:
    """Queue the payroll once the current transaction has committed."""
    kwargs = {
        "month": month,
        "by_id": by.pk,
        "level": level,
        "county_id": county_id,
        "town_id": town_id,
        "community_id": community_id,
    }
    transaction.on_commit(lambda: payroll_month.delay(**kwargs))


@scheduled("每月1日核算上月社区工作者工资", minute="0", hour="3", day_of_month="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_monthly(self, month: str | None = None) -> dict:
    """On the 1st (django-celery-beat): last month's payroll of every county; a rerun makes nothing twice."""
    return actions.payroll_run_counties(month=month)
