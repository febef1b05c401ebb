from django.core.management.base import BaseCommand
from django.utils import timezone

from partybuild import actions, selectors


class Command(BaseCommand):
    help = (
        "Recompute the party coverage summaries from the records: every community, the ones given, or (--due) "
        "those that no longer hold today or were never made.  A repair after writes that bypassed the actions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", type=int, action="append", default=[], help="A community id (repeatable).")
        parser.add_argument("--due", action="store_true", help="Only the summaries that no longer hold today.")

    def handle(self, *args, community, due, **options):
        if community:
            communities = community
        elif due:
            communities = selectors.summaries_due(on=timezone.localdate())
        else:
            communities = None
        done = actions.rebuild_coverage_summaries(communities=communities)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the coverage summaries of {done} communities."))
