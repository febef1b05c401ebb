from django.conf import settings
from django.utils.translation import gettext as _


def site(request):
    return {"site_title": settings.SITE_TITLE or _("Community residents' committees platform")}
