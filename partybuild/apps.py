from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_MODELS = [
    "partyorganisation",
    "partymember",
    "position",
    "liaison",
    "assignment",
    "visit",
    "visitsduenotice",
    "coveragereport",
]


def _perms(*pairs):
    return [f"partybuild.{verb}_{model}" for verb, models in pairs for model in models]


class PartybuildConfig(AppConfig):
    name = "partybuild"
    verbose_name = _("Party liaison network")
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "county_official": _perms(("view", _MODELS)),
        "town_cadre": _perms(
            ("view", _MODELS),
            ("add", ["partyorganisation", "partymember", "position", "liaison", "assignment", "visit"]),
            ("change", ["partyorganisation", "partymember", "position", "liaison", "assignment", "visit"]),
        ),
        "community_staff": _perms(
            ("view", _MODELS),
            ("add", ["partymember", "position", "assignment", "visit"]),
            ("change", ["partymember", "position", "assignment", "visit"]),
        ),
        "department_liaison": [],
        "party_worker": _perms(
            ("view", _MODELS),
            ("add", ["partymember", "position", "liaison", "assignment", "visit"]),
            ("change", ["partymember", "position", "liaison", "assignment", "visit"]),
        ),
    }
