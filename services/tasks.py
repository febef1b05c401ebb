"""Celery jobs of the services app: thin and idempotent, each calling an action."""

from celery import shared_task
from django.db import OperationalError

from utilities.schedules import scheduled

from . import actions


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_notification(self, notification_id):
    actions.notification_send(notification_id=notification_id)


@scheduled("services: send pending notifications", every_minutes=5)
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sweep_notifications(self):
    """Periodic: send what is still pending (e.g. queued while Redis was down)."""
    return actions.notifications_sweep()


@scheduled("services: mark overdue requests", every_minutes=15)
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mark_overdue(self):
    """Periodic (celery beat): flag requests past their deadlines and notify the staff."""
    return actions.requests_mark_overdue()
