from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from utilities import sessions

CONTRIBUTIONS = ("checks", "signals", "dashboard", "tasks", "workbench")
OWN_EXPORTS = ["community.view_dataexport", "community.add_dataexport", "community.delete_dataexport"]


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    # Permissions (app_label.codename) each role gets; every app's config may add its own.
    role_permissions = {
        "county_official": [
            "community.view_county",
            "community.view_town",
            "community.view_community",
            "community.view_zone",
            "community.view_building",
            "community.view_household",
            "community.view_resident",
            "community.view_residentunit",
            "community.view_department",
            "community.view_residence",
        ],
        "town_cadre": [
            "community.view_town",
            "community.view_community",
            "community.change_community",
            "community.view_zone",
            "community.add_zone",
            "community.change_zone",
            "community.view_building",
            "community.view_household",
            "community.view_resident",
            "community.view_residentunit",
            "community.view_department",
            "community.view_residence",
            "community.view_personaldataaccess",
        ],
        "community_staff": [
            "community.view_community",
            "community.view_zone",
            "community.add_zone",
            "community.change_zone",
            "community.view_building",
            "community.add_building",
            "community.change_building",
            "community.view_household",
            "community.add_household",
            "community.change_household",
            "community.delete_household",
            "community.view_resident",
            "community.add_resident",
            "community.change_resident",
            "community.delete_resident",
            "community.reveal_personal_data",
            "community.export_resident",
            "community.export_household",
            "community.view_residence",
            "community.view_residentunit",
            "community.add_residentunit",
            "community.change_residentunit",
            "community.view_department",
        ],
        "department_liaison": ["community.view_department", "community.view_community"],
        "bookkeeper": ["community.view_community", "community.view_department"],
        "party_worker": [
            "community.view_community",
            "community.view_zone",
            "community.view_building",
            "community.view_household",
            "community.view_resident",
        ],
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # every role asks for, follows and deletes its own background exports (owner_path: nobody else's)
        for perms in self.role_permissions.values():
            perms.extend(OWN_EXPORTS)

    def ready(self):
        # the core's own dashboard sections; imported only now, as they read the models
        from utilities import permission_cache

        from . import core_dashboard, departments, signals  # noqa: F401

        # how every app contributes: modules of these names, imported at startup (as the admin's
        # ``admin`` modules are).  ``checks`` and ``signals`` register system checks and receivers (the
        # core's sync roles and schedules after migrate), ``dashboard`` indicators, ``tasks`` Celery tasks
        # with their schedules (actions send them by name: utilities.jobs; utilities.schedules), ``workbench``
        # the admin home's to-do items (utilities.workbench)
        autodiscover_modules(*CONTRIBUTIONS)

        # after auth's and contenttypes' receivers (their apps are ready before this one)
        post_migrate.connect(signals.sync_roles, dispatch_uid="community.sync_roles")
        post_migrate.connect(signals.sync_schedules, sender=self, dispatch_uid="community.sync_schedules")
        # a session's idle end is moved once a minute (utilities.sessions), starting at login
        user_logged_in.connect(sessions.mark_refreshed, dispatch_uid="community.session_refreshed_at_login")
        # a user's permissions are kept in the shared cache until a role, a group or a grant changes
        permission_cache.connect()
