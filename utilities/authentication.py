"""API tokens that expire: a token older than ``API_TOKEN_TTL_DAYS`` (90 unless set) is refused with a 401.

DRF's tokens never expire, so a key copied into a script or a leaked log worked for ever.  An administrator
issues a new one in the admin (Auth Token → delete the old one, add a new one); its age counts from then.

Configured in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` in place of DRF's ``TokenAuthentication``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

DEFAULT_TTL_DAYS = 90


def token_ttl() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "API_TOKEN_TTL_DAYS", DEFAULT_TTL_DAYS)))


def token_expires_at(token) -> dt.datetime:
    return token.created + token_ttl()


class TokenExpired(exceptions.AuthenticationFailed):
    """A 401 with ``WWW-Authenticate: Token`` whatever authenticator comes first (DRF would answer 403 when
    the first is the session's, which has no challenge; ``community.api_base.exception_handler`` keeps 401)."""

    status_code = 401
    auth_header = "Token"


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token is older than the configured lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires = token_expires_at(token)
        if timezone.now() >= expires:
            raise TokenExpired(
                _("This API token expired on %(date)s; ask an administrator for a new one.")
                % {"date": timezone.localtime(expires).date().isoformat()}
            )
        return user, token
