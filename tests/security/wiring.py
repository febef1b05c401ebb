"""The API settings issue 16 adds, as the tests apply them until ``config/settings.py`` carries them.

DRF reads ``DEFAULT_PARSER_CLASSES`` and ``DEFAULT_AUTHENTICATION_CLASSES`` once, into ``APIView``'s class
attributes, so ``override_settings`` alone changes nothing for the views already defined; the fixture sets
both the settings and those attributes (and drf-spectacular's hooks), and ``test_api_wiring`` checks that
the project's own settings name the same classes.
"""

from __future__ import annotations

import pytest

PARSERS = [
    "utilities.parsers.SafeJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
AUTHENTICATION = [
    "rest_framework.authentication.SessionAuthentication",
    "utilities.authentication.ExpiringTokenAuthentication",
]
SCHEMA_HOOKS = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "community.api_base.document_error_responses",
    "community.api_base.times_of_day",
]


@pytest.fixture
def wired_api(settings, monkeypatch):
    from django.utils.module_loading import import_string
    from drf_spectacular.settings import patched_settings
    from rest_framework.views import APIView

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PARSER_CLASSES": PARSERS,
        "DEFAULT_AUTHENTICATION_CLASSES": AUTHENTICATION,
    }
    monkeypatch.setattr(APIView, "parser_classes", [import_string(path) for path in PARSERS])
    monkeypatch.setattr(APIView, "authentication_classes", [import_string(path) for path in AUTHENTICATION])
    with patched_settings({"POSTPROCESSING_HOOKS": SCHEMA_HOOKS}):
        yield
