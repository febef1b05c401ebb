"""The vouchers' kind and date: a list narrowed to a rare kind reads its few vouchers here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0010_journal_unit_columns"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(fields=["kind", "date"], name="funding_entry_kind_date"),
        ),
    ]
