"""A 403 is logged once, as one line, without a traceback (utilities.logfilters)."""

from __future__ import annotations

import io
import logging

import pytest

from utilities.logfilters import ForbiddenWithoutTraceback

pytestmark = pytest.mark.django_db


def test_forbidden_is_one_line_without_traceback(client, staff_a):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ForbiddenWithoutTraceback())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(staff_a)
        response = client.get("/admin/auth/group/add/")  # staff may not add groups
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and "Forbidden" in lines[0], lines
    assert "Traceback" not in stream.getvalue()


def test_other_records_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None
