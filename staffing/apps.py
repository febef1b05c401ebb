from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_RECRUITMENT = [
    "campaign",
    "campaignrules",
    "post",
    "applicant",
    "application",
    "stagechange",
    "bonuspoint",
    "examiner",
    "examinerrelation",
    "interviewscore",
    "scorecorrection",
    "objection",
]
_ROSTER = ["staffmember", "certificate"]
_PAY = ["payscale", "payrollrun", "payrollline", "payrollshare"]
_CALENDAR = ["calendaryear", "workdayoverride"]


def _perms(models, *verbs):
    return [f"staffing.{verb}_{model}" for model in models for verb in verbs]


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staff")
    public_pages = [("staffing:list", _("Recruitment and publicity"))]
    default_auto_field = "django.db.models.BigAutoField"

    # The town's organisation office runs campaigns; the county oversees and sets pay; communities keep
    # their roster and read their campaigns' applications.
    role_permissions = {
        "county_official": [
            *_perms(_RECRUITMENT + _ROSTER + _PAY + _CALENDAR, "view"),
            *_perms(["payscale", *_CALENDAR], "add", "change"),
            *_perms(["campaignrules"], "add", "change"),  # proposes, approves or rejects corrections of frozen rules
            *_perms(["payrollrun"], "add"),
        ],
        "town_cadre": [
            *_perms(_RECRUITMENT + _ROSTER + _PAY + _CALENDAR, "view"),
            *_perms(
                ["campaign", "campaignrules", "post", "applicant", "application", "bonuspoint", "examiner"],
                "add",
                "change",
            ),
            *_perms(["examinerrelation", "interviewscore", "scorecorrection"], "add", "change"),
            "staffing.change_objection",
            *_perms(_ROSTER, "add", "change"),
            "staffing.add_payrollrun",
        ],
        "community_staff": [
            *_perms(["campaign", "post", "application", "stagechange", "objection"], "view"),
            *_perms(_ROSTER + ["payrollrun", "payrollline", "payrollshare", "payscale"], "view"),
            *_perms(_ROSTER, "add", "change"),
        ],
        "department_liaison": [],
        "party_worker": _perms(["staffmember", "certificate"], "view"),
    }
