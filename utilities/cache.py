"""Django's Redis cache, with one client per connection pool instead of one per operation.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every
``get``/``add``/``incr``; each build fills its table of response callbacks (about two hundred entries), which
costs more CPU than the round trip to Redis itself.  A ``redis.Redis`` holds no connection of its own (it
borrows one from the pool for each command) and is safe to share between threads, so one per pool is kept.
The pool still notices a fork and opens new connections in the child.

``incr`` is one round trip (a script that increments only a key that exists) where Django's asks whether the
key exists, then increments it: the API's rate counts this way.  ``count_windows`` counts several fixed windows
in one round trip (``utilities.ratelimit``: the resident form's address and phone).
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

# each key is a window's count: add ARGV[2i-1] (0 only reads it) and give a new count its expiry ARGV[2i]
COUNT_WINDOWS = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCRBY', key, ARGV[2 * i - 1])
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return counts
"""


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

    def _script(self, client, source: str):
        script = self._scripts.get((client, source))
        if script is None:
            script = self._scripts.setdefault((client, source), client.register_script(source))
        return script

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        value = self._script(client, INCR_EXISTING)(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count_windows(self, entries: list[tuple[str, int, int]]) -> list[int]:
        client = self.get_client(write=True)
        args = [value for _key, by, expires in entries for value in (by, expires)]
        return self._script(client, COUNT_WINDOWS)(keys=[key for key, _by, _expires in entries], args=args)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_windows(self, entries: list[tuple[str, int, int]]) -> list[int]:
        """Each ``(key, by, expires)``: the key's count after adding ``by`` (0 reads it); a count made here
        expires after ``expires`` seconds.  One round trip for them all."""
        keys = [self.make_and_validate_key(key) for key, _by, _expires in entries]
        made = [(key, by, expires) for key, (_key, by, expires) in zip(keys, entries, strict=True)]
        return [int(value) for value in self._cache.count_windows(made)]
