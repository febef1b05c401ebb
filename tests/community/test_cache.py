"""The Redis cache keeps one client per connection pool (utilities/cache.py), against the real Redis."""

import os
import secrets

import pytest

from utilities.cache import RedisCache


@pytest.fixture
def redis_cache():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-cache-{secrets.token_hex(4)}"})
    yield cache
    cache.delete_many(["hits", "page"])


def test_one_client_is_kept_per_pool(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client() is client  # one server: reads use the same pool


def test_the_kept_client_answers_every_operation(redis_cache):
    assert redis_cache.add("hits", 0, 60) is True
    assert redis_cache.add("hits", 5, 60) is False
    assert redis_cache.incr("hits") == 1
    redis_cache.set("page", {"html": "<p>页</p>"}, 60)
    assert redis_cache.get("page") == {"html": "<p>页</p>"}
    assert redis_cache.get_many(["hits", "page"]) == {"hits": 1, "page": {"html": "<p>页</p>"}}


def test_the_settings_use_it_when_redis_is_configured(settings):
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "utilities.cache.RedisCache"


def test_incr_is_one_round_trip_keeps_the_expiry_and_never_makes_a_key(redis_cache):
    """A rate limit counts with ``add`` (which sets the window's expiry) then ``incr``: one command, where
    Django's client asks whether the key exists first; a missing key is still Django's ValueError."""
    with pytest.raises(ValueError):
        redis_cache.incr("missing")
    assert redis_cache.get("missing") is None
    assert redis_cache.add("hits", 1, 60) is True
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("hits")
    sent = []
    original = client.execute_command
    client.execute_command = lambda *args, **kwargs: sent.append(args[0]) or original(*args, **kwargs)
    try:
        assert redis_cache.incr("hits", 2) == 3
    finally:
        del client.execute_command
    assert sent == ["EVALSHA"]
    assert 0 < client.ttl(key) <= 60
    redis_cache.delete("missing")
