from django.core.management.base import BaseCommand, CommandError

from utilities.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format, one snapshot) and every file under MEDIA_ROOT into a new "
        "directory, with a manifest of the row count of every table and the SHA-256 of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new (or empty) directory for the backup.")
        parser.add_argument("--media-root", help="The media directory to back up (default: MEDIA_ROOT).")

    def handle(self, *args, directory, media_root=None, **options):
        try:
            manifest = backup_create(directory, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({manifest['rows']} rows) and "
                f"{len(manifest['media'])} media files into {directory}"
            )
        )
