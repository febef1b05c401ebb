"""Security tests: accounts, personal data, backups, and faults of the real services."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_hasher_and_english(settings):
    """The production hasher costs seconds per check on a loaded machine; the rules tested do not depend on it."""
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
