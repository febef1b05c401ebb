"""The public forms' rate limits (utilities/ratelimit.py): fixed windows, a request's counts in one round trip."""

import logging
import os
import types

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from utilities import ratelimit
from utilities.ratelimit import Count, limited, parse_rate, request_ip

NOW = 1_800_000_000 + 1_234.5  # 20 min 34.5 s into an hour: no window turns during a test


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: NOW))


@pytest.fixture(params=["redis", "memory"])
def cache_kind(request, settings):
    """Each test against the real Redis (one script run) and against a process's memory (add and incr)."""
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set")
        assert hasattr(caches["default"], "count_windows")
    else:
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-test"},
        }
        caches["default"].clear()
        assert not hasattr(caches["default"], "count_windows")
    return request.param


def _request(ip="203.0.113.9", **meta):
    return RequestFactory().post("/", REMOTE_ADDR=ip, **meta)


def test_rates_are_read_as_counts_per_period():
    assert parse_rate("20/h") == (20, 3600)
    assert parse_rate("5/15m") == (5, 900)
    assert parse_rate("100/d") == (100, 86400)
    with pytest.raises(ImproperlyConfigured):
        parse_rate("20 per hour")


def test_an_address_is_refused_past_its_rate_and_told_how_long_to_wait(cache_kind):
    waits = [limited(_request(), Count("test.ip", "3/h")) for _ in range(4)]
    assert waits == [None, None, None, 2365]
    assert limited(_request("203.0.113.10"), Count("test.ip", "3/h")) is None  # another address is not


def test_a_read_does_not_count_and_refuses_once_the_rate_is_reached(cache_kind):
    phone = Count("test.phone", "2/h", value="13800000000", increment=False)
    for _ in range(5):
        assert limited(_request(), phone) is None  # looking never counts
    for _ in range(2):
        assert limited(_request(), Count("test.phone", "2/h", value="13800000000")) is None
    assert limited(_request(), phone) is not None
    assert limited(_request(), Count("test.phone", "2/h", value="13900000000", increment=False)) is None


def test_the_longest_wait_of_the_counts_over_their_rate_is_answered(cache_kind):
    over = [Count("test.a", "1/m"), Count("test.b", "1/h")]
    assert limited(_request(), *over) is None
    assert limited(_request(), *over) == 2365  # the hour's window ends after the minute's


def test_an_ipv6_client_is_counted_by_its_network(cache_kind):
    first, second = _request("2001:db8:1:2::1"), _request("2001:db8:1:2:ffff::9")
    assert request_ip(first) == request_ip(second) == "2001:db8:1:2::"
    assert limited(first, Count("test.v6", "1/h")) is None
    assert limited(second, Count("test.v6", "1/h")) is not None


def test_a_missing_proxy_header_is_no_free_pass(settings, caplog, cache_kind):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    with caplog.at_level(logging.ERROR, logger="utilities.ratelimit"):
        assert limited(_request(), Count("test.proxy", "100/h")) == ratelimit.MISCONFIGURED_WAIT
    assert "HTTP_X_REAL_IP" in caplog.text
    assert limited(_request(HTTP_X_REAL_IP="198.51.100.4"), Count("test.proxy", "100/h")) is None


def test_a_cache_that_cannot_answer_lets_the_request_through(monkeypatch, caplog):
    def down(entries):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(ratelimit, "count_windows", down)
    with caplog.at_level(logging.WARNING, logger="utilities.ratelimit"):
        assert limited(_request(), Count("test.down", "1/h")) is None
    assert "not checked" in caplog.text


def test_the_counts_of_a_request_are_one_round_trip_and_keep_no_phone_number(monkeypatch):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    sent = []
    original = client.execute_command

    def recording(*args, **kwargs):
        sent.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", recording)
    counts = [Count("test.one", "20/h"), Count("test.one.phone", "5/h", value="13812345678", increment=False)]
    assert limited(_request(), *counts) is None
    assert len(sent) == 1  # EVALSHA (or EVAL the first time): both counts
    monkeypatch.undo()
    keys = [key.decode() for key in client.keys("*rl:test.one*")]
    assert len(keys) == 2 and not any("13812345678" in key for key in keys)
    assert all(0 < client.ttl(key) <= 3605 for key in keys)
