"""A fund's ledger lines by key: its ledger newest first without passing every newer line of the county."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0011_entry_kind_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(fields=["fund", "id"], name="funding_line_fund_key"),
        ),
    ]
