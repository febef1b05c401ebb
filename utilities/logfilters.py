"""Logging filters: a refused request (403) is an expected answer, not an error to hunt for.

Django logs every ``PermissionDenied`` on ``django.request`` as a warning with the exception's traceback;
``ForbiddenWithoutTraceback`` keeps the one line ("Forbidden (Permission denied): /admin/…") and drops the
traceback, so real errors stay visible.  Attach it to the handler that prints ``django.request``.
"""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
