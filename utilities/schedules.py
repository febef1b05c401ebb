"""The periodic jobs, declared in code beside their tasks and synced into django-celery-beat's tables.

A task module declares its schedule with ``@scheduled(name, minute=…, hour=…)`` (a crontab in the
county's time zone) or ``@scheduled(name, every_minutes=…)``.  ``sync()`` runs after every ``migrate``
(and every test flush, which empties the beat tables) and by ``manage.py sync_schedules``: it makes the
beat rows say what the code says.  Whether a job is enabled stays the admin's choice; a job that was
declared once and is no longer is removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

TIME_ZONE = "Asia/Shanghai"
# beat rows made by sync() carry this in their description, so a schedule dropped from the code is found
MARK = "[declared in code]"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    crontab: dict[str, str] = field(default_factory=dict)
    every_minutes: int | None = None
    description: str = ""


SCHEDULES: dict[str, Schedule] = {}


def scheduled(
    name: str,
    *,
    minute: str = "0",
    hour: str = "*",
    day_of_week: str = "*",
    day_of_month: str = "*",
    month_of_year: str = "*",
    every_minutes: int | None = None,
    description: str = "",
):
    """Declare the decorated Celery task's schedule (put it above ``@shared_task``)."""

    def declare(task):
        crontab = (
            {}
            if every_minutes
            else {
                "minute": minute,
                "hour": hour,
                "day_of_week": day_of_week,
                "day_of_month": day_of_month,
                "month_of_year": month_of_year,
            }
        )
        known = SCHEDULES.get(name)
        if known is not None and known.task != task.name:
            raise ValueError(f"Two tasks declare the schedule {name!r}: {known.task} and {task.name}.")
        SCHEDULES[name] = Schedule(name, task.name, crontab, every_minutes, description or (task.__doc__ or ""))
        return task

    return declare


@transaction.atomic
def sync() -> dict[str, int]:
    """Create or update the beat row of every declared schedule; delete those no longer declared."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for item in sorted(SCHEDULES.values(), key=lambda s: s.name):
        wanted = {"task": item.task, "description": f"{item.description.strip()[:900]} {MARK}".strip()}
        if item.every_minutes:
            wanted["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=item.every_minutes, period=IntervalSchedule.MINUTES
            )
            wanted["crontab"] = None
        else:
            wanted["crontab"], _ = CrontabSchedule.objects.get_or_create(**item.crontab, timezone=TIME_ZONE)
            wanted["interval"] = None
        row = PeriodicTask.objects.filter(name=item.name).first()
        if row is None:
            PeriodicTask.objects.create(name=item.name, enabled=True, **wanted)
            counts["created"] += 1
        elif any(getattr(row, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(row, key, value)
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    stale = PeriodicTask.objects.filter(description__endswith=MARK).exclude(name__in=SCHEDULES)
    counts["removed"], _ = stale.delete()
    return counts
