"""The project package: settings, root URLs, the Celery app, WSGI/ASGI.  Apps never import it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
