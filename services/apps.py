from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_READ = [
    "services.view_servicecategory",
    "services.view_servicerequest",
    "services.view_requestevent",
    "services.view_followup",
    "services.view_commitment",
    "services.view_activity",
    "services.view_activityphoto",
    "services.view_evaluation",
    "services.view_facility",
    "services.view_facilitybooking",
    "services.view_communityevent",
    "services.view_unitobligation",
    "services.view_obligationfulfilment",
]
_OBLIGATIONS = [
    "services.add_unitobligation",
    "services.change_unitobligation",
    "services.add_obligationfulfilment",
    "services.change_obligationfulfilment",
    "services.delete_obligationfulfilment",
]
_DEPARTMENT_WORK = [
    "services.view_commitment",
    "services.add_commitment",
    "services.change_commitment",
    "services.view_activity",
    "services.add_activity",
    "services.change_activity",
    "services.delete_activity",
    "services.view_activityphoto",
    "services.add_activityphoto",
    "services.change_activityphoto",
    "services.delete_activityphoto",
    "services.view_evaluation",
    "services.view_servicecategory",
    # the requests routed to the department: follow them, record progress and replies, call the resident back
    "services.view_servicerequest",
    "services.change_servicerequest",
    "services.progress_servicerequest",
    "services.call_servicerequest",
    "services.view_requestevent",
    "services.view_requestphoto",
    "services.view_followup",
    "services.add_followup",
]


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")
    public_links = [("services:submit", _("Ask for help")), ("services:facilities", _("Shared facilities"))]
    public_pages = [("services:track", _("Follow my request")), ("services:events", _("Events and meetings"))]
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "county_official": [
            *_READ,
            "services.view_notification",
            "services.add_servicecategory",
            "services.change_servicecategory",
            "services.view_open311client",
            "services.add_open311client",
            "services.change_open311client",
        ],
        "town_cadre": [*_READ, "services.view_notification", "services.change_servicerequest"],
        "community_staff": [
            *_READ,
            "services.add_servicerequest",
            "services.change_servicerequest",
            "services.triage_servicerequest",
            "services.progress_servicerequest",
            "services.call_servicerequest",
            "services.add_followup",
            "services.escalate_servicerequest",
            "services.view_requestphoto",
            "services.view_notification",
            "services.add_evaluation",
            "services.change_evaluation",
            "services.add_activity",
            "services.change_activity",
            "services.add_activityphoto",
            "services.add_facility",
            "services.change_facility",
            "services.add_facilitybooking",
            "services.change_facilitybooking",
            "services.add_communityevent",
            "services.change_communityevent",
            "services.delete_communityevent",
            *_OBLIGATIONS,
        ],
        "department_liaison": _DEPARTMENT_WORK,
        "party_worker": ["services.view_servicerequest", "services.view_requestevent", "services.view_communityevent"],
    }
