"""Schedule the monthly payroll in django-celery-beat (editable in the admin afterwards)."""

from django.db import migrations

NAME = "每月1日核算上月社区工作者工资"
TASK = "staffing.tasks.payroll_monthly"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="1", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
