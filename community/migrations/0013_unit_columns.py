"""The unit columns of households and residents (``community.unit_columns``): added, kept by triggers, filled."""

from django.db import migrations, models

from community import unit_columns


class Migration(migrations.Migration):
    dependencies = [("community", "0012_access_log_refused")]

    operations = [
        *unit_columns.add_operations("household", "community_household"),
        *unit_columns.add_operations("resident", "community_resident"),
        migrations.AddIndex("household", models.Index(fields=["community", "id"], name="household_community_key")),
        migrations.AddIndex("household", models.Index(fields=["town", "id"], name="household_town_key")),
        migrations.AddIndex("resident", models.Index(fields=["community", "id"], name="resident_community_key")),
        migrations.AddIndex("resident", models.Index(fields=["town", "id"], name="resident_town_key")),
    ]
