#!/usr/bin/env python
import os
import sys

# commands on the migrations and the catalogues (writing the source, reading the migration state): they sign nothing
# and serve nothing, so without DEBUG they run on a key made for the process alone rather than refuse for want of the
# production one
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages", "compilemessages"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS and not os.environ.get("SECRET_KEY"):
        import secrets

        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # load the settings first: Django's command runner would otherwise swallow their error and fail later,
        # with a traceback that does not say what is missing
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:  # a setting the environment got wrong: what to set, not a traceback
        sys.stderr.write(f"{exc}\n")
        if "SECRET_KEY" in str(exc):
            sys.stderr.write(
                "For development set DEBUG=1 (as `make run` and `make test` do); "
                "in production set SECRET_KEY (see .env.example).\n"
            )
        sys.exit(2)


if __name__ == "__main__":
    main()
