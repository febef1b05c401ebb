"""The schedule this migration once created is declared in code now (``@scheduled`` in the app's tasks module)
and synced after every migrate by ``utilities.schedules.sync``; the migration stays for the graph."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("worklist", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = []
