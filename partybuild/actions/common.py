"""What every subject's writes share: today's date and a date range check."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# --- scope ------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def check_dates(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
