"""The periodic jobs are declared in code (``@scheduled``) and synced into django-celery-beat's tables."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.celery import app
from utilities import schedules

pytestmark = pytest.mark.django_db

EXPECTED = {
    "community: re-send stalled data exports": "community.tasks.data_export_sweep",
    "重发排队中的报表": "community.tasks.report_sweep_task",
    "每月1日生成上月报表": "community.tasks.monthly_reports_task",
    "每晚保存指标快照": "community.tasks.snapshot_task",
    "每10分钟刷新县镇看板": "community.tasks.dashboard_refresh_task",
    "每日清理过期的个人信息查看记录": "community.tasks.personal_data_log_purge_task",
    "每月1日核算上月社区工作者工资": "staffing.tasks.payroll_monthly",
    "services: send pending notifications": "services.tasks.sweep_notifications",
    "services: mark overdue requests": "services.tasks.mark_overdue",
    "worklist: daily deadline reminders": "worklist.tasks.send_deadline_reminders",
    "每年1月1日年末资金到期退回": "funding.tasks.lapse_funds",
    "partybuild: weekly visits due": "partybuild.tasks.visits_due_weekly",
    "partybuild: monthly coverage report": "partybuild.tasks.coverage_report_monthly",
    "partybuild: nightly coverage summaries": "partybuild.tasks.coverage_summaries_nightly",
    "partybuild: weekly full coverage rebuild": "partybuild.tasks.coverage_summaries_weekly",
}


def test_every_declared_schedule_is_a_beat_row_of_a_registered_task():
    schedules.sync()
    assert {s.name: s.task for s in schedules.SCHEDULES.values()} == EXPECTED
    rows = dict(PeriodicTask.objects.filter(name__in=EXPECTED).values_list("name", "task"))
    assert rows == EXPECTED
    app.loader.import_default_modules()
    assert set(EXPECTED.values()) <= set(app.tasks)
    for row in PeriodicTask.objects.filter(name__in=EXPECTED).select_related("crontab", "interval"):
        assert (row.crontab is None) != (row.interval is None), row.name
        if row.crontab is not None:
            assert str(row.crontab.timezone) == "Asia/Shanghai"


def test_sync_is_idempotent_keeps_the_admins_switch_and_repairs_edits():
    schedules.sync()
    assert schedules.sync() == {"created": 0, "updated": 0, "unchanged": len(EXPECTED), "removed": 0}
    payroll = PeriodicTask.objects.get(name="每月1日核算上月社区工作者工资")
    payroll.enabled = False  # switched off in the admin: stays off
    payroll.crontab = CrontabSchedule.objects.create(minute="5", hour="5", timezone="Asia/Shanghai")
    payroll.save()
    PeriodicTask.objects.filter(name="worklist: daily deadline reminders").delete()
    counts = schedules.sync()
    assert (counts["created"], counts["updated"]) == (1, 1)
    payroll.refresh_from_db()
    assert not payroll.enabled
    assert (payroll.crontab.minute, payroll.crontab.hour, payroll.crontab.day_of_month) == ("0", "3", "1")


def test_a_schedule_no_longer_declared_is_removed_and_others_are_left_alone(monkeypatch):
    schedules.sync()
    mine = PeriodicTask.objects.get(name="worklist: daily deadline reminders")
    hand_made = PeriodicTask.objects.create(
        name="一次性任务", task="community.tasks.snapshot_task", crontab=mine.crontab
    )
    declared = dict(schedules.SCHEDULES)
    declared.pop(mine.name)
    monkeypatch.setattr(schedules, "SCHEDULES", declared)
    assert schedules.sync()["removed"] == 1
    assert not PeriodicTask.objects.filter(pk=mine.pk).exists()
    assert PeriodicTask.objects.filter(pk=hand_made.pk).exists()


def test_two_tasks_cannot_declare_one_schedule():
    first = app.tasks["community.tasks.snapshot_task"]
    with pytest.raises(ValueError, match="Two tasks"):
        schedules.scheduled("每晚保存指标快照")(app.tasks["community.tasks.report_sweep_task"])
    assert schedules.SCHEDULES["每晚保存指标快照"].task == first.name


def test_the_command_reports_what_it_did(capsys):
    PeriodicTask.objects.all().delete()
    call_command("sync_schedules")
    assert f"{len(EXPECTED)}" in capsys.readouterr().out
    assert PeriodicTask.objects.filter(name__in=EXPECTED).count() == len(EXPECTED)
