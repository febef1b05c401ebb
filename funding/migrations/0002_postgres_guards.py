"""PostgreSQL triggers that hold the ledger's rules even against raw SQL.

* a posted voucher (and its lines) is never updated or deleted; no line is added to it;
* nothing is posted into a closed month;
* a voucher is posted only if it balances per fund;
* a published disclosure is never updated or deleted.

``funding.actions`` enforce the same rules first, with clear messages; these are the last line.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION funding_entry_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'posted' THEN
      RAISE EXCEPTION 'posted voucher % cannot be deleted; correct it with a reversal', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
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

CREATE TRIGGER funding_entry_guard
  BEFORE INSERT OR UPDATE OR DELETE ON funding_journalentry
  FOR EACH ROW EXECUTE FUNCTION funding_entry_guard();

CREATE OR REPLACE FUNCTION funding_line_guard() RETURNS trigger AS $$
BEGIN
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

CREATE TRIGGER funding_line_guard
  BEFORE INSERT OR UPDATE OR DELETE ON funding_journalline
  FOR EACH ROW EXECUTE FUNCTION funding_line_guard();

CREATE OR REPLACE FUNCTION funding_disclosure_guard() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'published disclosure % is immutable', OLD.id USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_disclosure_guard
  BEFORE UPDATE OR DELETE ON funding_disclosure
  FOR EACH ROW EXECUTE FUNCTION funding_disclosure_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funding_disclosure_guard ON funding_disclosure;
DROP FUNCTION IF EXISTS funding_disclosure_guard();
DROP TRIGGER IF EXISTS funding_line_guard ON funding_journalline;
DROP FUNCTION IF EXISTS funding_line_guard();
DROP TRIGGER IF EXISTS funding_entry_guard ON funding_journalentry;
DROP FUNCTION IF EXISTS funding_entry_guard();
"""


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:  # no parameters: the "%" of RAISE stays as is
        cursor.execute(FORWARD)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
