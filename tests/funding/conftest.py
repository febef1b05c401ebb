import pytest

from tests import factories as f
from tests.funding.factories import ensure_defaults, ensure_roles


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Actions called directly speak English (rule messages are matched); requests use the site's Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _funding_defaults(request):
    """Chart, sources, checklist, default split and role permissions present for every funding test."""
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("transactional_db" if _transactional(request) else "db")
        ensure_defaults()
        ensure_roles()


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture
def approver_a(community_a):
    return f.staff_of(community_a)
