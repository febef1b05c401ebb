"""Celery tasks of the funding app: thin and idempotent, calling actions."""

from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def lapse_funds(self, year: int, user_id: int) -> int:
    """Year-end lapse of every lapsing fund in the user's scope (a fund lapsed once is not lapsed twice)."""
    from community.models import User

    from . import actions
    from .models import Fund

    user = User.objects.get(pk=user_id)
    done = 0
    for fund_id in Fund.objects.for_user(user).filter(lapses_at_year_end=True).values_list("pk", flat=True):
        if actions.fund_lapse(by=user, fund_id=fund_id, year=year) is not None:
            done += 1
    return done
