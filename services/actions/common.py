"""The request state machine (``TRANSITIONS``) and the limits every write of the app shares."""

from __future__ import annotations

import logging

from utilities.transitions import Transitions

from ..choices import (
    Status,
)

log = logging.getLogger(__name__)


MAX_PHOTOS = 3


MAX_PHOTO_BYTES = 5 * 1024 * 1024


MAX_PHOTO_PIXELS = 40_000_000


PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


# The one transition table of a service request (who may use it is checked at the edge).
TRANSITIONS = Transitions(
    Status,
    {
        Status.SUBMITTED: {Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED},
        Status.ACCEPTED: {Status.ASSIGNED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED},
        Status.ASSIGNED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.RESOLVED, Status.ASSIGNED},
        Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
        Status.REOPENED: {Status.ASSIGNED, Status.IN_PROGRESS},
        Status.CLOSED: set(),
        Status.REJECTED: set(),
        Status.DUPLICATE: set(),
        Status.CANCELLED: set(),
    },
)


RESIDENT_CANCELLABLE = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED)
