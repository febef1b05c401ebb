"""Celery tasks of the core: thin and idempotent, each wrapping an action."""

from celery import shared_task
from django.db import OperationalError

from . import actions


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def data_export_build(self, export_id: int) -> str:
    """Build one background export (a finished one is not built again)."""
    return actions.data_export_run(export_id=export_id).status


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def data_export_sweep(self) -> int:
    """Every minute (django-celery-beat): re-send exports left queued, e.g. while the broker was down."""
    return actions.data_export_resend_stale()


# --- reporting jobs (dashboard snapshots and monthly reports) ------------------------------


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_build_task(self, run_id: int) -> str:
    from .reporting import report_build

    run = report_build(run_id=run_id)
    return run.status if run is not None else "missing"


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_sweep_task(self) -> int:
    from .reporting import report_sweep

    return report_sweep()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def monthly_reports_task(self) -> int:
    from .reporting import monthly_reports_request

    return monthly_reports_request()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def snapshot_task(self, day: str | None = None) -> int:
    import datetime as dt

    from .reporting import snapshot_take

    return snapshot_take(day=dt.date.fromisoformat(day) if day else None)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dashboard_refresh_task(self) -> int:
    """Every ten minutes (django-celery-beat): recompute the county and town dashboards' payloads."""
    from .reporting import dashboard_refresh

    return dashboard_refresh()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def personal_data_log_purge_task(self) -> int:
    """Daily: delete access-log rows past their retention (never younger than six months)."""
    return actions.personal_data_log_purge()
