"""The admin site keeps each user's navigation (``community/admin_site.py``): the same list Django builds,
never another user's, and a changed role or scope shows at once."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from community.admin_site import APP_LISTS, PlatformAdminSite
from community.choices import Role
from tests import factories as f


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _models(app_list) -> set[str]:
    return {m["admin_url"] for app in app_list for m in app["models"]}


@pytest.fixture(autouse=True)
def _fresh():
    APP_LISTS.clear()
    yield
    APP_LISTS.clear()


@pytest.mark.django_db
def test_the_default_site_is_the_platform_site():
    assert isinstance(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, PlatformAdminSite)


@pytest.mark.django_db
def test_a_kept_list_is_the_list_django_builds(community_a, count_queries):
    staff = f.staff_of(community_a)
    built = admin.AdminSite.get_app_list(admin.site, _request(staff))
    first = admin.site.get_app_list(_request(staff))
    user = type(staff).objects.get(pk=staff.pk)  # a new request's user: its permissions read again
    user.get_all_permissions()
    with count_queries() as kept:
        again = admin.site.get_app_list(_request(user))
    assert _models(first) == _models(again) == _models(built) and _models(built)
    assert len(kept) == 0, kept.dump()  # nothing read for the navigation itself


@pytest.mark.django_db
def test_each_user_sees_their_own_list_and_a_new_role_shows_at_once(community_a):
    staff = f.staff_of(community_a)
    bookkeeper = f.make_user(role=Role.BOOKKEEPER, scope_level="community", community=community_a)
    staff_models = _models(admin.site.get_app_list(_request(staff)))
    keeper_models = _models(admin.site.get_app_list(_request(bookkeeper)))
    assert staff_models != keeper_models
    assert "/admin/community/resident/" in staff_models and "/admin/community/resident/" not in keeper_models

    # the bookkeeper is given the staff's role as well: the next page lists residents
    bookkeeper.groups.add(Group.objects.get(name=Role.COMMUNITY_STAFF))
    fresh = type(bookkeeper).objects.get(pk=bookkeeper.pk)
    assert "/admin/community/resident/" in _models(admin.site.get_app_list(_request(fresh)))

    # and a user moved out of every scope sees nothing of the scoped admin
    fresh.scope_level, fresh.community = "", None
    fresh.save()
    moved = type(bookkeeper).objects.get(pk=bookkeeper.pk)
    assert "/admin/community/resident/" not in _models(admin.site.get_app_list(_request(moved)))


@pytest.fixture
def _fresh_sidebars():
    from django.core.cache import caches

    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def _sidebar(html: str) -> str:
    return html.split('<nav class="sticky" id="nav-sidebar"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.django_db
def test_the_sidebar_is_kept_per_user_and_marks_the_section_of_each_page(client, community_a, _fresh_sidebars):
    staff = f.staff_of(community_a)
    bookkeeper = f.make_user(role=Role.BOOKKEEPER, scope_level="community", community=community_a)
    client.force_login(staff)
    residents = _sidebar(client.get("/admin/community/resident/").content.decode())
    assert 'class="model-resident current-model"' in residents
    households = _sidebar(client.get("/admin/community/household/").content.decode())
    assert 'class="model-household current-model"' in households
    assert "model-resident current-model" not in households
    assert _sidebar(client.get("/admin/community/resident/?q=x").content.decode()) == residents

    client.force_login(bookkeeper)  # another user's sidebar is never this one's
    funds = _sidebar(client.get("/admin/funding/fund/").content.decode())
    assert "current-model" in funds and "/admin/community/resident/" not in funds
