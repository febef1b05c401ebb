"""Issue 16, items 6 and 7 (part): a tampered cursor is a 404, the example's SECRET_KEY is refused, and
exports escape spreadsheet formulae."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("position", ["abc", "1e999999", "\x00", "1.5"])
def test_a_tampered_cursor_is_a_4xx_not_a_500(client, community_a, staff_a, position):
    f.ResidentFactory(
        household=f.HouseholdFactory(building=f.BuildingFactory(zone=f.ZoneFactory(community=community_a)))
    )
    client.force_login(staff_a)
    cursor = base64.b64encode(f"o=0&r=0&p={position}".encode()).decode()
    response = client.get(reverse("resident-list"), {"cursor": cursor})
    assert response.status_code in (400, 404), response.content[:300]


@pytest.mark.parametrize("key", ["change-me-to-a-long-random-string", "short-but-not-a-placeholder"])
def test_the_example_secret_key_is_refused_without_debug(key):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DEBUG": "0", "SECRET_KEY": key, "ALLOWED_HOSTS": "shequ.example.org"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_exports_escape_spreadsheet_formulae():
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is True
