"""An idle timeout that costs one session write a minute, not one per request.

``SESSION_SAVE_EVERY_REQUEST`` moves a session's end on every request: an UPDATE and a COMMIT on each
page and API call of every signed-in user.  This middleware (in place of Django's ``SessionMiddleware``)
moves it at most once every ``SESSION_REFRESH_SECONDS`` (60 unless set), by marking when it last did so in
the session: a session still ends ``SESSION_COOKIE_AGE`` after the last activity, give or take that minute.
A visitor without a session gets none.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

SEEN_KEY = "_refreshed_at"


def refresh_seconds() -> int:
    return int(getattr(settings, "SESSION_REFRESH_SECONDS", 60))


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        # only a session this request read (a signed-in page; not a token's API call), and not on a server error
        if (
            session is not None
            and session.accessed
            and not session.modified
            and not session.is_empty()
            and response.status_code < 500
        ):
            now = int(time.time())
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= refresh_seconds() or seen > now:
                session[SEEN_KEY] = now  # saved below, with the end moved SESSION_COOKIE_AGE past now
        return super().process_response(request, response)


def mark_refreshed(sender, request, user, **kwargs) -> None:
    """On login (``user_logged_in``): the new session's end was just set, so the first pages write nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
