"""Django's Redis cache, with one client per connection pool instead of one per operation.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every
``get``/``add``/``incr``; each build fills its table of response callbacks (about two hundred entries), which
costs more CPU than the round trip to Redis itself.  A ``redis.Redis`` holds no connection of its own (it
borrows one from the pool for each command) and is safe to share between threads, so one per pool is kept.
The pool still notices a fork and opens new connections in the child.

``incr`` is one round trip (a script that increments only a key that exists) where Django's asks whether the
key exists, then increments it: every rate-limited post counts this way.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import RedisError

#: what a cache that cannot answer raises (Redis down, or its socket timing out): the callers that keep only
#: what can be rebuilt (kept pages, permissions, the API's rate) catch these and go on without the cache
CACHE_ERRORS = (RedisError, OSError)

# INCRBY of a key that exists; nil (Django's ValueError) for one that does not, so a count is never made
# without the expiry its ``add`` gave it
INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._scripts.get(client)
        if script is None:
            script = self._scripts.setdefault(client, client.register_script(INCR_EXISTING))
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
