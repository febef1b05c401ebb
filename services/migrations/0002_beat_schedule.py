"""The periodic jobs of the services app, as django-celery-beat rows (editable in the admin)."""

from django.db import migrations

JOBS = [
    ("services: mark overdue requests", "services.tasks.mark_overdue", 15),
    ("services: send pending notifications", "services.tasks.sweep_notifications", 5),
]


def add_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in JOBS:
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": every, "enabled": True})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _m in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
