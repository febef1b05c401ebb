"""Every write of the services app with rules in it.  Admin, API, public pages and tasks call these."""

from .catalogue import category_save, clean_answers, question_values
from .common import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_PHOTOS, PHOTO_FORMATS, RESIDENT_CANCELLABLE, TRANSITIONS
from .handling import (
    CALL_WINDOW,
    request_assign,
    request_escalate,
    request_follow_up,
    request_mark_duplicate,
    request_move,
    request_note,
    request_post_fee,
    request_reject,
    request_resolve,
    request_reveal_phone,
    suggested_party_member,
)
from .notifications import (
    enqueue_notification,
    notification_send,
    notifications_sweep,
    overdue_q,
    requests_mark_overdue,
)
from .records import booking_record_use, booking_save, event_record_attendance, record_save
from .residents import (
    TRACK_LOCK_SECONDS,
    TRACK_MAX_FAILURES,
    request_add_info,
    request_cancel,
    request_find_for_resident,
    request_rate,
    request_reissue_code,
)
from .submission import photo_prepare, request_submit

__all__ = [
    "CALL_WINDOW",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "PHOTO_FORMATS",
    "RESIDENT_CANCELLABLE",
    "TRACK_LOCK_SECONDS",
    "TRACK_MAX_FAILURES",
    "TRANSITIONS",
    "booking_record_use",
    "booking_save",
    "category_save",
    "clean_answers",
    "enqueue_notification",
    "event_record_attendance",
    "log",
    "notification_send",
    "notifications_sweep",
    "overdue_q",
    "photo_prepare",
    "question_values",
    "record_save",
    "request_add_info",
    "request_assign",
    "request_cancel",
    "request_escalate",
    "request_find_for_resident",
    "request_follow_up",
    "request_mark_duplicate",
    "request_move",
    "request_note",
    "request_post_fee",
    "request_rate",
    "request_reissue_code",
    "request_reject",
    "request_resolve",
    "request_reveal_phone",
    "request_submit",
    "requests_mark_overdue",
    "suggested_party_member",
]
