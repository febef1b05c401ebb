"""The API's per-user rate (utilities/throttling.py): counted in fixed windows, one integer per user and window."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from tests import factories as f
from utilities.throttling import UserRateThrottle


@pytest.fixture
def three_a_minute(monkeypatch, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: 6_000_010.0)  # 10 s into a minute


def test_it_is_the_apis_throttle(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["utilities.throttling.UserRateThrottle"]


def test_a_user_over_the_rate_waits_for_the_next_window_and_others_do_not(client, staff_a, community_a, three_a_minute):
    url = reverse("resident-list")
    client.force_login(staff_a)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"  # the rest of the minute
    other = f.staff_of(community_a)
    client.force_login(other)
    assert client.get(url).status_code == 200


def test_a_window_keeps_one_count_not_a_list_of_times(client, staff_a, three_a_minute):
    client.force_login(staff_a)
    for _ in range(2):
        client.get(reverse("resident-list"))
    assert cache.get(f"throttle_user_{staff_a.pk}:100000") == 2  # window 6,000,010 // 60


def test_the_api_answers_when_the_cache_does_not(client, staff_a, three_a_minute, monkeypatch):
    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    for operation in ("add", "incr", "get", "set", "count_windows"):
        monkeypatch.setattr(cache, operation, down, raising=False)
    client.force_login(staff_a)
    assert [client.get(reverse("resident-list")).status_code for _ in range(5)] == [200] * 5
