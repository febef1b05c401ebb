"""Schedule the daily deadline reminders (django-celery-beat, editable in the admin)."""

from django.db import migrations

REMINDER_TASK = "worklist.tasks.send_deadline_reminders"
REMINDER_NAME = "worklist: daily deadline reminders"


def schedule_reminders(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    at_eight, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=REMINDER_NAME,
        defaults={
            "task": REMINDER_TASK,
            "crontab": at_eight,
            "enabled": True,
            "description": "Remind the communities of tasks near or past their deadline (once a day).",
        },
    )


def unschedule_reminders(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=REMINDER_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("worklist", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule_reminders, unschedule_reminders)]
