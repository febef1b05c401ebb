from django.conf import settings
from django.core.checks import Error, register


@register("platform", deploy=True)
def demo_users_absent(app_configs, **kwargs):
    """With DEBUG off no demo account may exist (they have printed passwords)."""
    if settings.DEBUG:
        return []
    from django.db import DatabaseError

    from .models import User

    try:
        demo = list(User.objects.filter(username__startswith="demo_").values_list("username", flat=True)[:5])
    except DatabaseError:
        return []
    if demo:
        return [
            Error(
                f"Demo accounts exist with DEBUG off: {', '.join(demo)}",
                hint="Delete them: python manage.py remove_demo_users",
                id="platform.E001",
            )
        ]
    return []
