"""What a resident does with the tracking code and phone: find, add information, cancel, rate."""

from __future__ import annotations

import hmac

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_allowed

from ..choices import (
    OPEN_STATUSES,
    EventKind,
    Rating,
    Status,
)
from ..models import (
    Notification,
    RequestEvent,
    ServiceRequest,
    new_tracking_code,
    normalise_tracking_code,
)
from .common import RESIDENT_CANCELLABLE, log
from .handling import _lock, _move
from .notifications import _notify_staff, enqueue_notification

# a tracking code locks after this many wrong last-4 tries, counted per code (not per IP: rotating
# X-Real-IP headers bought an attacker 10⁴ guesses); staff re-issue a locked code from the admin
TRACK_MAX_FAILURES = 5


TRACK_LOCK_SECONDS = 90 * 24 * 3600


def _track_failures_key(code: str) -> str:
    return f"services:track-failures:{code}"


def _track_failures(code: str) -> int:

    try:
        return int(cache.get(_track_failures_key(code)) or 0)
    except Exception as exc:  # the cache (Redis) is down: the per-IP rate limit still holds
        log.warning("tracking-code failures unreadable: %s", exc)
        return 0


def _track_failed(code: str) -> None:

    key = _track_failures_key(code)
    try:
        cache.add(key, 0, TRACK_LOCK_SECONDS)
        cache.incr(key)
        cache.touch(key, TRACK_LOCK_SECONDS)
    except Exception as exc:
        log.warning("tracking-code failure not counted: %s", exc)


def _track_reset(code: str) -> None:

    try:
        cache.delete(_track_failures_key(code))
    except Exception as exc:
        log.warning("tracking-code failures not reset: %s", exc)


def request_find_for_resident(*, code: str, phone_last4: str) -> ServiceRequest | None:
    """The request if the code and the phone's last four digits match; None otherwise (the same for both).

    Every wrong pair counts against the code (known or not, so a count tells nothing); at
    ``TRACK_MAX_FAILURES`` the code is locked, even to the right digits, and this raises ValidationError."""

    code = normalise_tracking_code(code)
    last4 = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if len(code) != 12 or len(last4) != 4:
        return None
    if _track_failures(code) >= TRACK_MAX_FAILURES:
        raise ValidationError(
            _("This tracking code is locked after too many wrong tries. Ask your community office for a new one."),
            code="locked",
        )
    req = ServiceRequest.objects.select_related("category", "community").filter(tracking_code=code).first()
    expected = req.contact_phone[-4:] if req is not None and req.contact_phone else ""
    same = hmac.compare_digest(expected or "0000", last4)  # the same work whether the code is known or not
    if not (expected and same):
        _track_failed(code)
        return None
    _track_reset(code)  # the resident knew both: earlier typos no longer count
    return req


@transaction.atomic
def request_reissue_code(*, by, request_id) -> ServiceRequest:
    """A new tracking code (the old one, locked or leaked, stops working); the resident is e-mailed it."""
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    req.tracking_code = new_tracking_code()
    req.save(update_fields=["tracking_code", "updated_at"])
    RequestEvent.objects.create(request=req, kind=EventKind.NOTE, note=_("Tracking code re-issued."), by=by)
    if req.contact_email:
        notification = Notification.objects.create(
            request=req,
            email=req.contact_email,
            subject=str(_("Your new tracking code for request No. %(number)s") % {"number": req.pk})[:200],
            body=_("Your request has a new tracking code: %(code)s. The old one no longer works.")
            % {"code": req.display_code},
        )
        transaction.on_commit(lambda: enqueue_notification(notification.pk))
    return req


@transaction.atomic
def request_add_info(*, request_id, text: str) -> RequestEvent:
    req = _lock(request_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the information you want to add.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("At most 2000 characters.")})
    if req.status not in OPEN_STATUSES and req.status != Status.RESOLVED:
        raise ValidationError(_("This request is finished; submit a new one if you need more help."))
    req.save(update_fields=["updated_at"])
    event = RequestEvent.objects.create(request=req, kind=EventKind.RESIDENT_INFO, note=text, public=True)
    _notify_staff(
        req,
        subject=_("The resident added information to request %(code)s") % {"code": req.display_code},
        body=text,
    )
    return event


@transaction.atomic
def request_cancel(*, request_id, reason: str = "") -> ServiceRequest:
    req = _lock(request_id)
    if req.status not in RESIDENT_CANCELLABLE:
        raise ValidationError(_("This request can no longer be cancelled."))
    return _move(req, Status.CANCELLED, by=None, note=(reason or "").strip()[:500], public=True)


@transaction.atomic
def request_rate(*, request_id, rating: str, comment: str = "") -> ServiceRequest:
    """The resident's verdict on a resolved request: 不满意 reopens it, otherwise it is closed."""
    req = _lock(request_id)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if req.status != Status.RESOLVED:
        raise ValidationError(_("Only a resolved request can be rated."))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("At most 500 characters.")})
    req.rating, req.rating_comment, req.rated_at = rating, comment, timezone.now()
    req.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    RequestEvent.objects.create(
        request=req, kind=EventKind.RATING, note=f"{Rating(rating).label} {comment}".strip(), public=True
    )
    if rating == Rating.DISSATISFIED:
        _move(req, Status.REOPENED, by=None, note=_("Reopened: the resident is not satisfied."), public=True)
        _notify_staff(
            req,
            subject=_("Request %(code)s reopened: the resident is not satisfied") % {"code": req.display_code},
            body=comment,
        )
    else:
        _move(req, Status.CLOSED, by=None, note=_("Closed after the resident's rating."), public=True)
    return req
