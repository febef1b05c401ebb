"""The test run's settings: the platform's own, with each pytest-xdist worker on its own Redis database.

The workers share one Redis server; their queues, caches and rate-limit counters must not meet (a test that
purges the queue would empty another worker's).  ``REDIS_URL`` is rewritten in the environment too, so the
Celery workers, gunicorn and browsers' servers that the tests start get the same database.
"""

import os
import re

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
    os.environ["REDIS_URL"] = re.sub(r"(/\d+)?$", f"/{2 + int(_worker[2:])}", os.environ["REDIS_URL"], count=1)

from config.settings import *  # noqa: E402,F403

# Hashing a password the production way takes about a third of a second by design; the suite makes
# thousands of users.  The production hashers are kept by the tests of accounts that name them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
