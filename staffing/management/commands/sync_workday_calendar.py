"""Add to the working-day calendar the years chinesecalendar knows and the table lacks (idempotent)."""

from django.core.management.base import BaseCommand

from staffing.actions.calendar import calendar_sync
from staffing.workdays import coverage, coverage_message


class Command(BaseCommand):
    help = "Sync the working-day calendar from chinesecalendar: add the years it knows that the table lacks."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="only this year (may be repeated)")

    def handle(self, *args, year=None, **options):
        added = calendar_sync(years=year)
        self.stdout.write(f"added years: {', '.join(map(str, added)) or 'none'}")
        cover = coverage()
        if cover.warn:
            self.stderr.write(self.style.WARNING(coverage_message(cover)))
