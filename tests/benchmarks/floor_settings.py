"""The floor of ``make bench``: the project's settings, middleware and all, serving one bare Django form.

``load.py`` starts gunicorn with this settings module for the "floor" row, under the same workers,
clients and production settings as the resident form, so the form's requests per second and latency
read as a ratio to what Django itself costs on this machine (see ``floor_urls``).
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.floor_urls"
