from django.apps import apps
from django.core.management.base import BaseCommand

from community.roles import table_markdown


class Command(BaseCommand):
    help = "Print the roles table (what each role may do to each model) as Markdown: V view, A add, C change, D delete."

    def handle(self, *args, **options):
        self.stdout.write(table_markdown(apps.get_app_configs()))
