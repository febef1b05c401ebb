"""Schedule the year-end lapse of funds in django-celery-beat (editable in the admin afterwards).

On 1 January at 00:30 (Asia/Shanghai) ``funding.tasks.lapse_funds`` lapses, for the year just
ended, what is left of every fund marked "lapses at year end"; it is idempotent per year.
"""

from django.db import migrations

NAME = "每年1月1日年末资金到期退回"
TASK = "funding.tasks.lapse_funds"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="0", day_of_month="1", month_of_year="1", day_of_week="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_default_data"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, unschedule)]
