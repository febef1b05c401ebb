"""Generated from the registries, NetBox-style: every admin changelist and every API list answers 200, shows
the rows that exist, and costs the same number of queries for 1 row as for 6.  The add page of every admin
that may add opens.  A new admin or API model is covered the moment it is registered, provided its app's
``tests/<app>/factories.py`` can make a row of it (else the test listing the uncovered ones fails)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from community.models import County, Department, Town, User
from tests import factories as f
from tests.conftest import QueryCounter, assert_flat
from tests.scoping_matrix import admin_models, admin_url, api_routes

pytestmark = pytest.mark.django_db

MORE = 5


def _made(model) -> bool:
    return model._meta.label in f.SCOPED_FACTORIES or model._meta.label in f.PLACED_FACTORIES


def _label(model) -> str:
    return model._meta.label


ADMIN = [m for m in admin_models() if _made(m)]
API = {m: route for m, route in api_routes().items() if _made(m)}

# registered without a community of their own, so no factory places them: the hierarchy above the
# community (made by the fixtures), the platform's own tables and third-party ones
UNPLACED = {
    "auth.Group",
    "community.County",
    "community.Department",
    "community.Town",
    "community.User",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.SolarSchedule",
}


def test_every_admin_and_api_model_is_covered_or_listed():
    uncovered = {_label(m) for m in admin_models() if not _made(m)}
    uncovered |= {_label(m) for m in api_routes() if not _made(m)}
    assert uncovered <= UNPLACED, f"register a factory (tests/<app>/factories.py) for {sorted(uncovered - UNPLACED)}"


@pytest.fixture
def root(db):
    return User.objects.create_superuser(username="lists-root", password="Passw0rd!x")


def _rows(model, community, n: int) -> int:
    """Make rows of ``model``, each placed in a new community of the town; how many rows there are now."""
    above = {  # the hierarchy above the community: a new row of its own each time
        County: lambda: f.CountyFactory(),
        Town: lambda: f.TownFactory(county=community.town.county),
        Department: lambda: f.DepartmentFactory(county=f.CountyFactory()),
    }
    for _ in range(n):
        if model in above:
            above[model]()
        else:
            f.make_placed(model, f.CommunityFactory(town=community.town))
    return model._default_manager.count()


def _grew(model, shown: tuple[int, int], stored: tuple[int, int]) -> bool:
    """A superuser sees every new row, except of a model that has only an owner (a background export)."""
    if getattr(model, "owner_path", None) and not getattr(model, "community_path", None):
        return shown[1] == shown[0]
    return stored[1] > stored[0] and shown[1] - shown[0] == stored[1] - stored[0]


@pytest.mark.parametrize("model", ADMIN, ids=_label)
def test_admin_changelist_shows_the_rows_at_a_flat_query_count(model, client, root, community_a):
    client.force_login(root)
    url = admin_url(model, "changelist")
    stored = _rows(model, community_a, 1)
    client.get(url)  # warm the per-process caches (content types, site, permissions)
    with QueryCounter() as few:
        response = client.get(url)
    assert response.status_code == 200
    before = response.context["cl"].result_count
    more = _rows(model, community_a, MORE)
    client.get(url)  # new groups or permissions (rows of auth's own models) start a new generation of them
    with QueryCounter() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert _grew(model, (before, response.context["cl"].result_count), (stored, more))
    assert_flat(few, many)


@pytest.mark.parametrize("model", ADMIN, ids=_label)
def test_admin_add_page_opens_where_adding_is_allowed(model, client, root, rf):
    request = rf.get("/")
    request.user = root
    if not admin.site._registry[model].has_add_permission(request):
        pytest.skip("rows of this model are made by the platform, not added in the admin")
    client.force_login(root)
    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", list(API), ids=_label)
def test_api_list_shows_the_rows_at_a_flat_query_count(model, client, root, community_a):
    client.force_login(root)
    url = reverse(f"{API[model][0]}-list")
    stored = _rows(model, community_a, 1)
    client.get(url)
    with QueryCounter() as few:
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200, response.content[:300]
    first = len(response.json()["results"])
    more = _rows(model, community_a, MORE)
    with QueryCounter() as many:
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200
    assert _grew(model, (first, len(response.json()["results"])), (stored, more))
    assert_flat(few, many)
