"""Deadlines (marking overdue requests) and the notifications to staff and residents, sent by the worker."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.models import User
from utilities import jobs

from ..choices import (
    OPEN_STATUSES,
    EventKind,
    NotificationStatus,
    Status,
)
from ..models import (
    Notification,
    RequestEvent,
    ServiceRequest,
)


def overdue_q(now: dt.datetime) -> Q:
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(status__in=OPEN_STATUSES, resolve_due__lt=now)


@transaction.atomic
def requests_mark_overdue(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Flag requests past their deadline and notify the community's staff (idempotent: each is flagged once)."""
    now = now or timezone.now()
    due = list(
        ServiceRequest.objects.select_for_update(skip_locked=True)
        .filter(overdue_q(now), overdue=False)
        .select_related("community")
        .order_by("id")[:limit]
    )
    if not due:
        return 0
    ServiceRequest.objects.filter(pk__in=[r.pk for r in due]).update(overdue=True, updated_at=now)
    RequestEvent.objects.bulk_create(
        RequestEvent(request=r, kind=EventKind.OVERDUE, note=_("Deadline missed."), public=False) for r in due
    )
    for req in due:
        req.overdue = True
        _notify_staff(
            req,
            subject=_("Overdue: request %(code)s in %(community)s")
            % {"code": req.display_code, "community": req.community},
            body=_("The request %(code)s (%(status)s) has missed its deadline.")
            % {"code": req.display_code, "status": req.get_status_display()},
        )
    return len(due)


def _notification(req: ServiceRequest, *, recipient, subject: str, body: str) -> Notification:
    notification = Notification.objects.create(
        request=req, recipient=recipient, email=recipient.email, subject=str(subject)[:200], body=str(body)
    )
    transaction.on_commit(lambda: enqueue_notification(notification.pk))
    return notification


def _notify_staff(req: ServiceRequest, *, subject, body) -> list[int]:
    """Notify the community's staff with an e-mail address; the row stays in the admin list either way.

    One statement writes a row for each of them from the staff list itself (``INSERT … SELECT``): every
    resident's post notifies, where reading the staff and then writing their rows cost two round trips and a
    user built per recipient.  Each row is handed to the worker once the request is committed; with nobody to
    e-mail, one row is kept, marked sent, for the admin's list.  The ids of the rows written."""
    subject, body = str(subject)[:200], str(body)
    column = {field.name: field.column for field in Notification._meta.concrete_fields}
    user = {
        name: User._meta.get_field(name).column for name in ("id", "email", "is_active", "scope_level", "community")
    }
    names = ["request", "recipient", "email", "subject", "body", "status", "attempts", "last_error", "created_at"]
    sql = (
        f"INSERT INTO {Notification._meta.db_table} ({', '.join(column[name] for name in names)}) "
        f"SELECT %s, {user['id']}, {user['email']}, %s, %s, %s, 0, '', %s FROM {User._meta.db_table} "
        f"WHERE {user['is_active']} AND {user['scope_level']} = %s AND {user['community']} = %s "
        f"AND {user['email']} <> '' ORDER BY {user['id']} RETURNING {column['id']}"
    )
    params = [req.pk, subject, body, NotificationStatus.PENDING, timezone.now(), ScopeLevel.COMMUNITY, req.community_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        made = [row[0] for row in cursor.fetchall()]
    for pk in made:
        transaction.on_commit(partial(enqueue_notification, pk))
    if not made:  # nobody to e-mail: keep the notice in the admin's list
        kept = Notification.objects.create(
            request=req, subject=subject, body=body, status=NotificationStatus.SENT, sent_at=timezone.now()
        )
        made.append(kept.pk)
    return made


def enqueue_notification(notification_id: int) -> bool:
    """Hand a notification to Celery; with the broker down it stays pending for the periodic sweep."""
    return jobs.send("services.tasks.send_notification", notification_id)


@transaction.atomic
def notification_send(*, notification_id: int) -> Notification | None:
    """Send one pending notification by e-mail (idempotent: a sent one is not sent again)."""
    notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.SENT:
        return notification
    notification.attempts += 1
    try:
        send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email])
    except Exception as exc:  # SMTP errors of every kind: retried by the sweep, up to 5 attempts
        notification.last_error = str(exc)[:300]
        if notification.attempts >= 5:
            notification.status = NotificationStatus.FAILED
        notification.save(update_fields=["attempts", "last_error", "status"])
        return notification
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["attempts", "status", "sent_at"])
    return notification


def notifications_sweep(*, limit: int = 500) -> int:
    """Send every pending notification (the periodic job; also recovers those queued while Redis was down)."""
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in ids:
        result = notification_send(notification_id=pk)
        sent += bool(result and result.status == NotificationStatus.SENT)
    return sent
