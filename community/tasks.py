"""Celery tasks of the core: thin and idempotent, each wrapping an action."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from utilities.schedules import scheduled

from . import actions, exports
from .reporting import dashboard_refresh, monthly_reports_request, report_build, report_sweep, snapshot_take


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def data_export_build(self, export_id: int) -> str:
    """Build one background export (a finished one is not built again)."""
    return exports.data_export_run(export_id=export_id).status


@scheduled("community: re-send stalled data exports", every_minutes=1)
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def data_export_sweep(self) -> int:
    """Every minute (django-celery-beat): re-send exports left queued, e.g. while the broker was down."""
    return exports.data_export_resend_stale()


# --- reporting jobs (dashboard snapshots and monthly reports) ------------------------------


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_build_task(self, run_id: int) -> str:

    run = report_build(run_id=run_id)
    return run.status if run is not None else "missing"


@scheduled("重发排队中的报表", minute="*/5")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def report_sweep_task(self) -> int:

    return report_sweep()


@scheduled("每月1日生成上月报表", minute="0", hour="6", day_of_month="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def monthly_reports_task(self) -> int:

    return monthly_reports_request()


@scheduled("每晚保存指标快照", minute="30", hour="1")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def snapshot_task(self, day: str | None = None) -> int:

    return snapshot_take(day=dt.date.fromisoformat(day) if day else None)


@scheduled("每10分钟刷新县镇看板", minute="*/10")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def dashboard_refresh_task(self) -> int:
    """Every ten minutes (django-celery-beat): recompute the county and town dashboards' payloads."""

    return dashboard_refresh()


@scheduled("每日清理过期的个人信息查看记录", minute="15", hour="2")
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def personal_data_log_purge_task(self) -> int:
    """Daily: delete access-log rows past their retention (never younger than six months)."""
    return actions.personal_data_log_purge()
