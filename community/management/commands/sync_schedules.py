from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from utilities import schedules


class Command(BaseCommand):
    help = "Make django-celery-beat's rows say what the code declares (@scheduled in the apps' tasks modules)."

    def handle(self, *args, **options):
        counts = schedules.sync()
        self.stdout.write(
            _("Schedules: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed.")
            % counts
        )
