from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_PUBLIC = ["notice", "noticeattachment", "meeting", "agendaitem", "attendee", "resolution"]
_ELECTION = ["election", "voter", "rollobjection", "candidate", "ballotbox", "ballotissue", "tally"]
_CASES = ["mediationcase", "legalaidcase", "publicorderrecord"]
_DEPARTMENTS = ["departmentplacement"]


def _perms(models, *verbs):
    return [f"governance.{verb}_{model}" for model in models for verb in verbs]


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Self-governance")
    default_auto_field = "django.db.models.BigAutoField"
    public_links = [("governance:board", _("Notices (居务公开)"))]

    # Community staff publish notices, run meetings and elections and keep the mediation committee's
    # confidential records; towns and the county read notices, meetings and elections (not the cases).
    role_permissions = {
        "county_official": _perms(_PUBLIC + _ELECTION + _DEPARTMENTS, "view"),
        "town_cadre": [*_perms(_PUBLIC + _ELECTION + _DEPARTMENTS, "view"), *_perms(["rollobjection"], "change")],
        "community_staff": [
            *_perms(_PUBLIC + _ELECTION + _CASES, "view", "add", "change"),
            *_perms(_DEPARTMENTS, "view"),
            *_perms(["notice", "noticeattachment", "agendaitem", "attendee"], "delete"),
            "governance.reveal_case_parties",
        ],
        # a liaison keeps the list of the department's own staff placed in the communities
        "department_liaison": _perms(_DEPARTMENTS, "view", "add", "change"),
        "party_worker": _perms(["notice", "noticeattachment", "meeting", "agendaitem", "resolution"], "view"),
    }
