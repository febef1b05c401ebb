from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, register
from django.db import DatabaseError
from django.db.models import Q

from .demo.reference import DEMO_PASSWORD
from .models import User

# login names that installers and demos create; with DEBUG off none of them may keep a known password
DEFAULT_USERNAMES = ("admin", "administrator", "root", "test", "demo", "guest", "shequ")


def demo_accounts(limit: int = 10) -> list[str]:
    """Accounts that anyone who read the README could sign in with: the seed's demo users (``demo_*``,
    whatever their password), and superusers or default-named users whose password is the demo password.

    Only a handful of accounts are hashed (superusers and default names), so the check stays fast.
    """

    found = list(User.objects.filter(username__istartswith="demo_").values_list("username", flat=True)[:limit])
    suspects = User.objects.filter(Q(is_superuser=True) | Q(username__in=DEFAULT_USERNAMES), is_active=True).exclude(
        username__istartswith="demo_"
    )
    for account in suspects.order_by("pk")[:limit]:
        if account.has_usable_password() and check_password(DEMO_PASSWORD, account.password):
            found.append(account.username)
    return found


@register("platform", deploy=True)
def demo_users_absent(app_configs, **kwargs):
    """With DEBUG off no demo account may exist (their password is printed in the README and by make run)."""
    if settings.DEBUG:
        return []

    try:
        demo = demo_accounts()
    except DatabaseError:
        return []
    if demo:
        return [
            Error(
                f"Demo accounts exist with DEBUG off: {', '.join(demo)}",
                hint="Delete the demo_* accounts and give the others a new password (manage.py changepassword); "
                "seed_reference makes demo accounts for development only.",
                id="platform.E001",
            )
        ]
    return []


@register("platform")
def proxy_header_configured(app_configs, **kwargs):
    """``RATELIMIT_IP_META_KEY`` names a request.META key (``HTTP_X_REAL_IP``), never a raw header name: a key
    that no request carries made every rate limit look the other way.  Refused at start-up."""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if not key:
        return []
    # a function (or its dotted path) is not read by the rate limits (utilities.ratelimit) nor the lock-out
    # (utilities.clientip): they would count the proxy's address for every client
    if not isinstance(key, str) or not (key == "REMOTE_ADDR" or (key.startswith("HTTP_") and key.isupper())):
        return [
            Error(
                f"RATELIMIT_IP_META_KEY={key!r} is no request.META key: requests would never carry it.",
                hint="Use the META form of the header your TLS proxy sets, e.g. HTTP_X_REAL_IP for X-Real-IP.",
                id="platform.E031",
            )
        ]
    return []
