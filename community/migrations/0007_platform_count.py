"""A PostgreSQL function that counts exactly below a threshold and estimates above it."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION platform_count(query text, threshold bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
    estimate bigint;
    exact bigint;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    estimate := (plan->0->'Plan'->>'Plan Rows')::bigint;
    IF estimate < threshold THEN
        EXECUTE 'SELECT count(*) FROM (' || query || ') AS counted' INTO exact;
        RETURN exact;
    END IF;
    RETURN estimate;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS platform_count(text, bigint);"


def create(apps, schema_editor):
    schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("community", "0006_reporting_schedules")]
    operations = [migrations.RunPython(create, drop)]
