"""A user's permissions are kept in Redis between requests (utilities/permission_cache.py), and every change of
a role, a group or a grant reaches the next request."""

import os

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.exceptions import ConnectionError as RedisConnectionError

from community.choices import Role
from tests import factories as f
from utilities import permission_cache

URL = "/admin/community/resident/"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: without a shared cache permissions are read from the database")
    assert settings.PERMISSION_CACHE_SECONDS > 0


def _permission_reads(client, url=URL) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, sum("auth_permission" in q["sql"] for q in queries.captured_queries)


def _view_resident() -> Permission:
    return Permission.objects.get(codename="view_resident", content_type__app_label="community")


def _resident_permissions():
    return Permission.objects.filter(content_type__app_label="community", content_type__model="resident")


def test_a_signed_in_users_next_request_reads_no_permission_rows(client, staff_a):
    client.force_login(staff_a)
    client.get(URL)
    assert _permission_reads(client) == (200, 0)


def test_a_permission_taken_from_a_role_is_refused_at_the_next_request(client, staff_a):
    client.force_login(staff_a)
    assert _permission_reads(client)[0] == 200
    role = Group.objects.get(name=Role.COMMUNITY_STAFF)
    taken = list(role.permissions.filter(pk__in=_resident_permissions()))
    role.permissions.remove(*taken)
    status, reads = _permission_reads(client)
    assert status == 403 and reads > 0
    role.permissions.add(*taken)
    assert _permission_reads(client)[0] == 200


def test_a_user_taken_out_of_a_role_or_given_a_grant_is_seen_at_once(client, staff_a):
    client.force_login(staff_a)
    assert _permission_reads(client)[0] == 200
    staff_a.groups.clear()
    assert client.get(URL).status_code == 403
    staff_a.user_permissions.add(_view_resident())
    assert client.get(URL).status_code == 200


def test_a_deleted_role_takes_its_permissions_with_it(client, community_a):
    role = Group.objects.create(name="临时角色")
    role.permissions.add(_view_resident())
    user = f.staff_of(community_a)
    user.groups.set([role])
    client.force_login(user)
    assert _permission_reads(client)[0] == 200
    role.delete()  # its rows in the through table go by cascade, which sends no m2m_changed
    assert client.get(URL).status_code == 403


def test_a_user_made_superuser_is_not_answered_from_the_kept_set(rf, staff_a):
    backend = permission_cache.CachedModelBackend()
    fresh = type(staff_a).objects.get(pk=staff_a.pk)
    assert not backend.has_perm(fresh, "auth.delete_group")
    staff_a.is_superuser = True
    staff_a.save(update_fields=["is_superuser"])
    fresh = type(staff_a).objects.get(pk=staff_a.pk)
    assert backend.has_perm(fresh, "auth.delete_group")


def test_a_change_starts_a_new_generation_now_and_again_at_commit(django_capture_on_commit_callbacks, staff_a):
    cache = caches["default"]
    before = cache.get(permission_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Group.objects.get(name=Role.COMMUNITY_STAFF).permissions.remove(_view_resident())
        at_once = cache.get(permission_cache.GENERATION_KEY)
        assert at_once not in (None, before)
    assert callbacks, "no new generation was scheduled for the commit"
    assert cache.get(permission_cache.GENERATION_KEY) not in (None, at_once)


def test_an_emptied_cache_is_read_from_the_database_and_kept_again(client, staff_a):
    client.force_login(staff_a)
    client.get(URL)
    caches["default"].delete(permission_cache.GENERATION_KEY)
    assert _permission_reads(client)[1] > 0
    assert _permission_reads(client) == (200, 0)


def test_a_cache_that_cannot_answer_sends_the_user_to_the_database(client, staff_a, monkeypatch):
    client.force_login(staff_a)
    client.get(URL)

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(caches["default"], "get_many", down)
    status, reads = _permission_reads(client)
    assert status == 200 and reads > 0


def test_without_a_shared_cache_every_request_reads_the_database(client, staff_a, settings):
    settings.PERMISSION_CACHE_SECONDS = 0
    client.force_login(staff_a)
    client.get(URL)
    status, reads = _permission_reads(client)
    assert status == 200 and reads > 0


def test_a_new_member_of_staff_leaves_everyone_elses_permissions_kept(client, staff_a, community_a):
    client.force_login(staff_a)
    client.get(URL)
    f.staff_of(community_a)  # another user put in the same role
    assert _permission_reads(client) == (200, 0)


def test_a_role_losing_its_members_from_the_roles_side_is_seen_at_once(client, staff_a, community_a):
    client.force_login(staff_a)
    assert _permission_reads(client)[0] == 200
    role = Group.objects.get(name=Role.COMMUNITY_STAFF)
    role.user_set.remove(staff_a)
    assert client.get(URL).status_code == 403
    role.user_set.add(staff_a)
    assert client.get(URL).status_code == 200
    role.user_set.clear()
    assert client.get(URL).status_code == 403


def test_a_role_changed_in_the_admin_reaches_its_members_next_request(client, staff_a):
    """The superuser's way of changing a role: the group's change form (``permissions.set`` underneath)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    staff = Client()
    staff.force_login(staff_a)
    assert _permission_reads(staff)[0] == 200
    root = get_user_model().objects.create_superuser("root-perms", "root@example.org", "Passw0rd!x")
    client.force_login(root)
    role = Group.objects.get(name=Role.COMMUNITY_STAFF)
    kept = role.permissions.exclude(pk__in=_resident_permissions())
    response = client.post(
        f"/admin/auth/group/{role.pk}/change/", {"name": role.name, "permissions": [p.pk for p in kept]}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not role.permissions.filter(pk__in=_resident_permissions()).exists()
    assert staff.get(URL).status_code == 403
