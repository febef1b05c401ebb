"""Schedule the reporting jobs in django-celery-beat (editable in the admin afterwards)."""

from django.db import migrations

JOBS = [
    # name, task, crontab (minute, hour, day_of_month)
    ("每月1日生成上月报表", "community.tasks.monthly_reports_task", ("0", "6", "1")),
    ("每晚保存指标快照", "community.tasks.snapshot_task", ("30", "1", "*")),
    ("重发排队中的报表", "community.tasks.report_sweep_task", ("*/5", "*", "*")),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day) in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day, month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[j[0] for j in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0005_reporting"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
