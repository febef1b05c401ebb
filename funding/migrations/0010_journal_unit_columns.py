"""The unit columns of vouchers and their lines (``community.unit_columns``): added, kept by triggers, filled.

The ledger's guards (migration 0002) hold a posted voucher and its lines immutable; they now let through
an update that changes nothing but the unit columns, which follow the community when it moves to
another town.  Nothing else of a posted row may change, as before.
"""

import importlib

from django.db import migrations, models

from community import unit_columns

GUARDS = r"""
CREATE OR REPLACE FUNCTION funding_entry_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'posted' THEN
      RAISE EXCEPTION 'posted voucher % cannot be deleted; correct it with a reversal', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND to_jsonb(NEW) - 'town_id' = to_jsonb(OLD) - 'town_id' THEN
    RETURN NEW;  -- only the unit column: it follows the community
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = 'posted' THEN
    RAISE EXCEPTION 'posted voucher % is immutable; correct it with a reversal', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status = 'posted' THEN
    IF EXISTS (
      SELECT 1 FROM funding_fiscalperiod p
      WHERE p.community_id = NEW.community_id AND p.closed
        AND p.year = EXTRACT(YEAR FROM NEW.date) AND p.month = EXTRACT(MONTH FROM NEW.date)
    ) THEN
      RAISE EXCEPTION 'the period of voucher % is closed: nothing may be posted into it', NEW.id
        USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (
      SELECT 1 FROM funding_journalline l WHERE l.entry_id = NEW.id
      GROUP BY l.fund_id
      HAVING SUM(CASE WHEN l.side = 'debit' THEN l.amount ELSE -l.amount END) <> 0
    ) THEN
      RAISE EXCEPTION 'voucher % does not balance per fund', NEW.id USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funding_line_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
    AND to_jsonb(NEW) - 'community_id' - 'town_id' = to_jsonb(OLD) - 'community_id' - 'town_id' THEN
    RETURN NEW;  -- only the unit columns: they follow the voucher's community
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
    SELECT 1 FROM funding_journalentry e WHERE e.id = OLD.entry_id AND e.status = 'posted'
  ) THEN
    RAISE EXCEPTION 'lines of posted voucher % are immutable', OLD.entry_id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
    SELECT 1 FROM funding_journalentry e WHERE e.id = NEW.entry_id AND e.status = 'posted'
  ) THEN
    RAISE EXCEPTION 'no line may be added to posted voucher %', NEW.entry_id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def guards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:  # no parameters: the "%" of RAISE stays as is
        cursor.execute(GUARDS)


def old_guards(apps, schema_editor):
    """Back to migration 0002's guards, as it made them."""
    made = importlib.import_module("funding.migrations.0002_postgres_guards")
    made.backward(apps, schema_editor)
    made.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("community", "0013_unit_columns"), ("funding", "0009_entry_date_index")]

    operations = [
        migrations.RunPython(guards, old_guards),
        *unit_columns.add_operations("journalentry", "funding_journalentry", (("town", "community.town"),)),
        *unit_columns.add_operations("journalline", "funding_journalline"),
        migrations.AddIndex(
            "journalentry", models.Index(fields=["community", "id"], name="funding_entry_community_key")
        ),
        migrations.AddIndex("journalentry", models.Index(fields=["town", "id"], name="funding_entry_town_key")),
        migrations.AddIndex("journalline", models.Index(fields=["community", "id"], name="funding_line_community_key")),
        migrations.AddIndex("journalline", models.Index(fields=["town", "id"], name="funding_line_town_key")),
    ]
