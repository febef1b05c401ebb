"""The unit columns of visits (``community.unit_columns``): added, kept by triggers, filled."""

from django.db import migrations, models

from community import unit_columns


class Migration(migrations.Migration):
    dependencies = [("community", "0013_unit_columns"), ("partybuild", "0003_coverage_summaries")]

    operations = [
        *unit_columns.add_operations("visit", "partybuild_visit"),
        migrations.AddIndex("visit", models.Index(fields=["community", "date", "id"], name="visit_community_date")),
        migrations.AddIndex("visit", models.Index(fields=["town", "date", "id"], name="visit_town_date")),
    ]
