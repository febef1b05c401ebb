from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_READ_LIST = ["worklist.view_worklistitem", "worklist.view_listexception"]
_READ_TASKS = [
    "worklist.view_handedtask",
    "worklist.view_taskattachment",
    "worklist.view_taskassignment",
    "worklist.view_assignmenttransition",
    "worklist.view_taskreminder",
]
_ISSUE = [
    "worklist.add_handedtask",
    "worklist.change_handedtask",
    "worklist.add_taskattachment",
    "worklist.change_taskattachment",
    "worklist.confirm_taskassignment",
]
_GUIDE = [
    "worklist.view_guidancerecord",
    "worklist.add_guidancerecord",
    "worklist.change_guidancerecord",
    "worklist.view_supportrequest",
    "worklist.change_supportrequest",
]


class WorklistConfig(AppConfig):
    name = "worklist"
    verbose_name = _("Government tasks")
    default_auto_field = "django.db.models.BigAutoField"

    # The county keeps the work list and approves exceptions; towns, the county and departments hand
    # tasks down and confirm reports; the communities accept, do, report or return them.
    role_permissions = {
        "county_official": [
            *_READ_LIST,
            "worklist.add_worklistitem",
            "worklist.change_worklistitem",
            "worklist.add_listexception",
            *_READ_TASKS,
            *_ISSUE,
            *_GUIDE,
        ],
        "town_cadre": [*_READ_LIST, *_READ_TASKS, *_ISSUE, *_GUIDE],
        "community_staff": [
            *_READ_LIST,
            *_READ_TASKS,
            "worklist.change_taskassignment",
            "worklist.view_guidancerecord",
            "worklist.view_supportrequest",
            "worklist.add_supportrequest",
        ],
        "department_liaison": [*_READ_LIST, *_READ_TASKS, *_ISSUE],
        "party_worker": ["worklist.view_worklistitem"],
    }
    # the public page of the work list, linked from every community's card on the landing page
    public_links = [("worklist:community", _("What the committee does"))]
