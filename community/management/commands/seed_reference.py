from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from community.demo import reference


class Command(BaseCommand):
    help = "Load the reference scenario of DOMAIN.md (idempotent), and demo users when DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Load the data without the demo users.")

    def handle(self, *args, no_users=False, **options):
        if not no_users and not settings.DEBUG:
            raise CommandError(_("Demo users have printed passwords: refused with DEBUG off (use --no-users)."))
        ctx = reference.load_core(out=self.stdout)
        if not no_users:
            reference.load_demo_users(ctx)
        for app_name in settings.LOCAL_APPS:
            if app_name == "community":
                continue
            try:
                module = import_module(f"{app_name}.reference")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_name}.reference":
                    raise
                continue
            module.load(ctx)
        self.stdout.write(self.style.SUCCESS(_("Reference scenario loaded.")))
        if ctx.passwords:
            self.stdout.write(
                _("Demo logins (password for all: %(password)s):") % {"password": reference.DEMO_PASSWORD}
            )
            for username, account in ctx.users.items():
                self.stdout.write(f"  {username:<18} {account.first_name}")
