"""Is the database reachable, is the broker reachable: used by /readyz and the report pages."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection


def database_server() -> str | None:
    """What the database reached is, e.g. "PostgreSQL 18.1 (embedded)"; None when it cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version')")
            version = cursor.fetchone()[0].split()[0]
    except Exception:  # any driver error means not ready
        return None
    embedded = " (embedded)" if settings.DATABASE_EMBEDDED else ""
    return f"PostgreSQL {version}{embedded}"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError, ValueError):
        return "down"
    return "ok"
