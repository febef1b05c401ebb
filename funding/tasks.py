"""Celery tasks of the funding app: thin and idempotent, calling actions."""

from celery import shared_task
from django.db import OperationalError

from community.models import User
from utilities.schedules import scheduled

from . import actions


@scheduled("每年1月1日年末资金到期退回", minute="30", hour="0", day_of_month="1", month_of_year="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def lapse_funds(self, year: int | None = None, user_id: int | None = None) -> int:
    """Year-end lapse of every lapsing fund (scheduled on 1 January, see the declaration above, for the year just
    ended; with ``user_id``, only the funds in that user's scope).  A fund lapsed once for a year is not
    lapsed twice, so a retry or a second run posts nothing more.  Returns the vouchers posted now."""

    by = User.objects.get(pk=user_id) if user_id else None
    return len(actions.funds_lapse_year(year=year, by=by))
