"""The unit columns: a big table's community and town, stored on its rows and kept there by PostgreSQL.

A resident's community is four joins away (household, building, zone, community) and its town five.
A list of a town's or a community's residents newest first then walks the residents' key index from
the newest row down, joining each row to its community, until a page of theirs turns up: for the
county's first town, 274,377 residents walked for 51 (467 ms), and the ledger lines' API walked 900,000
lines for one page (1.1 s).  No planner setting helps: PostgreSQL keeps no statistics tying a key to a
unit joins away.

So the big tables keep ``community_id`` and ``town_id`` on the row, indexed with the key their lists
order by, and the scope rule reads them (``Model.unit_columns``, ``scoping.stored_lookup``).  They are
the database's copy, never the application's: a trigger sets them on every insert and update from the
row's parent (``source``), whatever wrote the row (the ORM, ``bulk_create``, an ``update()``, raw SQL,
COPY), and a parent that moves (a building to another zone, a community to another town) touches its
children so that their trigger sets them again (``follows``).  The Python side never writes them and
never reads them for a decision about one row: ``scoping.reaches`` walks the declared path itself, so a
row not yet saved is judged by where it would go.

Each app's migration installs its tables' triggers with :func:`install_sql`; the bulk loader turns them
off while it COPYs rows that carry the right values already and checks the whole table once after,
set-based, with :func:`stray_sql` (``community.demo.bulk``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, migrations, models


@dataclass(frozen=True)
class Follow:
    """A parent table whose change moves rows of the child: ``where`` picks them (``NEW`` is the parent row)."""

    parent: str
    watched: tuple[str, ...]  # the parent's columns whose change moves the children
    where: str


@dataclass(frozen=True)
class UnitColumns:
    table: str
    key: str  # the child's column its units come from (its parent's key)
    source: str  # SELECT of the unit columns, in ``columns`` order, for the parent key ``{key}``
    columns: tuple[str, ...] = ("community_id", "town_id")
    follows: tuple[Follow, ...] = ()

    @property
    def function(self) -> str:
        return f"{self.table}_units"

    def follow_name(self, follow: Follow) -> str:
        return f"{self.table}_follow_{follow.parent}"[:63]


_HOUSEHOLD_OF = "SELECT h.community_id, h.town_id FROM community_household h WHERE h.id = {key}"

SPECS = {
    spec.table: spec
    for spec in (
        UnitColumns(
            table="community_household",
            key="building_id",
            source=(
                "SELECT z.community_id, c.town_id FROM community_building b"
                " JOIN community_zone z ON z.id = b.zone_id JOIN community_community c ON c.id = z.community_id"
                " WHERE b.id = {key}"
            ),
            follows=(
                Follow("community_building", ("zone_id",), "building_id = NEW.id"),
                Follow(
                    "community_zone",
                    ("community_id",),
                    "building_id IN (SELECT b.id FROM community_building b WHERE b.zone_id = NEW.id)",
                ),
                Follow("community_community", ("town_id",), "community_id = NEW.id"),
            ),
        ),
        UnitColumns(
            table="community_resident",
            key="household_id",
            source=_HOUSEHOLD_OF,
            follows=(Follow("community_household", ("community_id", "town_id"), "household_id = NEW.id"),),
        ),
        UnitColumns(
            table="partybuild_visit",
            key="household_id",
            source=_HOUSEHOLD_OF,
            follows=(Follow("community_household", ("community_id", "town_id"), "household_id = NEW.id"),),
        ),
        UnitColumns(
            table="funding_journalentry",
            key="community_id",
            source="SELECT c.town_id FROM community_community c WHERE c.id = {key}",
            columns=("town_id",),
            follows=(Follow("community_community", ("town_id",), "community_id = NEW.id"),),
        ),
        UnitColumns(
            table="funding_journalline",
            key="entry_id",
            source="SELECT e.community_id, e.town_id FROM funding_journalentry e WHERE e.id = {key}",
            follows=(Follow("funding_journalentry", ("community_id", "town_id"), "entry_id = NEW.id"),),
        ),
    )
}


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{prefix}{column}" for column in columns)


def install_sql(table: str) -> str:
    """The trigger that sets ``table``'s unit columns, and those that make its rows follow their parents."""
    spec = SPECS[table]
    into = _row("NEW.", spec.columns)
    statements = [
        f"""
CREATE OR REPLACE FUNCTION {spec.function}() RETURNS trigger AS $$
BEGIN
  {spec.source.format(key="NEW." + spec.key).replace(" FROM ", f" INTO {into} FROM ", 1)};
  IF NOT FOUND THEN
    RAISE EXCEPTION '{spec.table}: {spec.key} % is the key of no row', NEW.{spec.key}
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {spec.function} BEFORE INSERT OR UPDATE ON {spec.table}
  FOR EACH ROW EXECUTE FUNCTION {spec.function}();
"""
    ]
    for follow in spec.follows:
        name = spec.follow_name(follow)
        statements.append(
            f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  UPDATE {spec.table} SET {spec.key} = {spec.key} WHERE {follow.where};
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER UPDATE ON {follow.parent}
  FOR EACH ROW WHEN (ROW({_row("OLD.", follow.watched)}) IS DISTINCT FROM ROW({_row("NEW.", follow.watched)}))
  EXECUTE FUNCTION {name}();
"""
        )
    return "\n".join(statements)


def remove_sql(table: str) -> str:
    spec = SPECS[table]
    statements = [f"DROP TRIGGER IF EXISTS {spec.function} ON {spec.table}; DROP FUNCTION IF EXISTS {spec.function}();"]
    for follow in spec.follows:
        name = spec.follow_name(follow)
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {follow.parent}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(statements)


def fill_sql(table: str) -> str:
    """Set the unit columns of every row already there (the migration that adds them)."""
    spec = SPECS[table]
    source = spec.source.format(key=f"{spec.table}.{spec.key}")
    return f"UPDATE {spec.table} SET ({', '.join(spec.columns)}) = ({source})"


def stray_sql(table: str, where: str = "") -> str:
    """How many rows of ``table`` (``where``: of these, e.g. ``t.id >= %s``) hold unit columns that are not
    their parent's (none, always)."""
    spec = SPECS[table]
    source = spec.source.format(key=f"t.{spec.key}")
    return (
        f"SELECT count(*) FROM {spec.table} t LEFT JOIN LATERAL ({source}) s ({', '.join(spec.columns)}) ON true"
        f" WHERE ROW({_row('t.', spec.columns)}) IS DISTINCT FROM ROW({_row('s.', spec.columns)})"
        + (f" AND {where}" if where else "")
    )


def column(to, verbose_name, *, null: bool = False):
    """A unit column: the row's community or town as the database keeps it (the models' fields and the migrations').

    Set by a trigger on every write, never by the application (not editable, not in any form); no constraint
    of its own, since the trigger copies it from a parent whose key is checked.  Its index is the model's,
    with the key its lists order by.
    """
    return models.ForeignKey(
        to,
        models.DO_NOTHING,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
        null=null,
        verbose_name=verbose_name,
    )


def check(cursor, table: str, where: str = "", params=()) -> None:
    """Refuse (``IntegrityError``) rows of ``table`` written with unit columns not their parent's."""
    cursor.execute(stray_sql(table, where), params)
    (stray,) = cursor.fetchone()
    if stray:
        raise IntegrityError(f"{stray} rows of {table} were written with unit columns not their parent's")


COMMUNITY_AND_TOWN = (("community", "community.community"), ("town", "community.town"))


def add_operations(model_name: str, table: str, columns=COMMUNITY_AND_TOWN) -> list:
    """A migration's operations adding unit columns: nullable, the triggers that keep them, every row filled, then
    NOT NULL (``columns``: the fields and the models they point at, as ``community.models.unit_column`` makes them)."""
    return [
        *(migrations.AddField(model_name, name, column(to, name, null=True)) for name, to in columns),
        migrations.RunSQL(install_sql(table), remove_sql(table)),
        migrations.RunSQL(fill_sql(table), migrations.RunSQL.noop),
        *(migrations.AlterField(model_name, name, column(to, name)) for name, to in columns),
    ]
