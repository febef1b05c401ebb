from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from utilities.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into a fresh, empty PostgreSQL database and an empty media directory, "
        "then check every table's row count and every file's SHA-256 against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The backup directory (with manifest.json).")
        parser.add_argument(
            "--database-url", required=True, help="The empty database to restore into, e.g. postgres://…/shequ_new"
        )
        parser.add_argument("--media-root", help="An empty directory for the media files (default: MEDIA_ROOT).")

    def handle(self, *args, directory, database_url, media_root=None, **options):
        try:
            result = backup_restore(
                directory, database_url=database_url, media_root=Path(media_root or settings.MEDIA_ROOT)
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result['tables']} tables ({result['rows']} rows) and {result['files']} media files; "
                "every count and hash matches the manifest."
            )
        )
