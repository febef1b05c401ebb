"""Sending background jobs from actions.

Tasks are thin wrappers that call actions, so an action must not import its task: it sends the task by
its registered name (every app's ``tasks`` module is imported at startup, see ``CommunityConfig.ready``).
A broker that is down is not an error for the caller: the job stays queued in the database and the
caller's periodic sweep sends it again (``False`` tells the caller it was not sent).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def send(task_name: str, *args) -> bool:
    """Send the task now; False (logged) when the broker cannot be reached."""
    try:
        current_app.tasks[task_name].delay(*args)
    except (KombuError, OSError, RedisError) as exc:
        log.warning("%s%r stays queued: the broker is unreachable (%s)", task_name, args, exc)
        return False
    return True


def send_on_commit(task_name: str, *args) -> None:
    """Send the task once the current transaction commits (a rolled-back request sends nothing)."""
    transaction.on_commit(lambda: send(task_name, *args))
