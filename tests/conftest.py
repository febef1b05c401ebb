"""Shared fixtures: two communities of one town, their staff, and the factory registry."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.db import connection
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.test.utils import CaptureQueriesContext

from tests import factories as f


@receiver(setting_changed)
def _celery_follows_settings(setting, value, **kwargs):
    """A test's ``settings.CELERY_…`` (e.g. ``CELERY_TASK_ALWAYS_EAGER``) reaches the Celery app, and is undone
    with the setting: Celery reads its settings once, on first use in a worker, so a test that changed only
    the Django setting got eager tasks or not depending on which tests its worker had run before."""
    if setting.startswith("CELERY_"):
        from config.celery import app

        app.conf[setting.removeprefix("CELERY_").lower()] = value


# each app's tests/<app>/factories.py registers its community-owned models
for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if module.ispkg and (Path(__file__).parent / module.name / "factories.py").exists():
        importlib.import_module(f"tests.{module.name}.factories")


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache, caches

    from community.admin_site import APP_LISTS

    caches["fragments"].clear()  # in memory: never down
    APP_LISTS.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with contextlib.suppress(Exception):  # a stopped Redis must not break unrelated tests
        cache.clear()


@pytest.fixture(autouse=True)
def _migration_data(request):
    """A transactional test's flush erases the rows data migrations made (funding's chart and sources, the role
    groups): put them back before a database test that may need them, so no test depends on the order."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from tests.funding.factories import ensure_defaults, ensure_roles

    ensure_defaults()
    ensure_roles()


@pytest.fixture
def county(db):
    return f.CountyFactory(name="示范县", code="330999")


@pytest.fixture
def town(county):
    return f.TownFactory(county=county, name="城关镇")


@pytest.fixture
def community_a(town):
    return f.CommunityFactory(town=town, name="东风社区")


@pytest.fixture
def community_b(town):
    return f.CommunityFactory(town=town, name="西湖社区")


@pytest.fixture
def staff_a(community_a):
    return f.staff_of(community_a)


@pytest.fixture
def staff_b(community_b):
    return f.staff_of(community_b)


@pytest.fixture
def official(county):
    return f.official_of(county)


@pytest.fixture
def make_in_community():
    def make(model, community):
        label = model._meta.label
        if label not in f.SCOPED_FACTORIES:
            pytest.fail(f"{label} declares community_path but registers no factory in tests/**/factories.py")
        return f.SCOPED_FACTORIES[label](community)

    return make


class QueryCounter:
    """Counts queries; a failing comparison prints every query (so a regression explains itself)."""

    def __init__(self):
        self.ctx = CaptureQueriesContext(connection)

    def __enter__(self):
        self.ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self.ctx.__exit__(*exc)

    def __len__(self):
        return len(self.ctx.captured_queries)

    def dump(self) -> str:
        return "\n".join(f"{i}: {q['sql']}" for i, q in enumerate(self.ctx.captured_queries, 1))


@pytest.fixture
def count_queries():
    return QueryCounter


def assert_flat(few: QueryCounter, many: QueryCounter):
    assert len(many) == len(few), f"query count grew from {len(few)} to {len(many)}:\n{many.dump()}"
