"""Celery tasks of the work list app: thin and idempotent, each wrapping an action."""

from celery import shared_task
from django.db import OperationalError

from utilities.schedules import scheduled

from . import actions


@scheduled("worklist: daily deadline reminders", minute="0", hour="8")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders(self) -> int:
    """Every morning (django-celery-beat): remind communities of tasks near or past their deadline.

    Run twice on one day, it sends nothing twice (one reminder row per assignment and day).
    """
    return actions.reminders_run()
