"""Settings of the Celery worker process the fault tests start: the platform's own settings, with e-mail
sent over SMTP to the tests' in-process server (its port in FAULTS_SMTP_PORT)."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("FAULTS_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 300
