"""Writing millions of rows fast: PostgreSQL COPY in batches, ids reserved from the sequences, a big
table's indexes and foreign-key checks set aside while it fills, with counts."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from .. import models, unit_columns

COPY_BATCH = 20_000
NULL = "\\N"
INTEGER_FIELDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
PLAIN_FIELDS = {"DecimalField", "FloatField", "UUIDField"}  # their str() is COPY text, never to escape
TEMPORAL_FIELDS = {"DateField", "DateTimeField", "TimeField"}


# --- COPY's text format ----------------------------------------------------------------------


def _pg_text(value) -> str:
    """One value of any type in COPY's text format."""
    if value is None:
        return NULL
    kind = type(value)
    if kind is str:
        return _escaped(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if isinstance(value, dt.date | dt.time):  # date, datetime and time
        return value.isoformat()
    if kind is list or kind is dict:  # JSONField values (no ArrayField in the project)
        return _json_text(value)
    return _escaped(str(value))


def _escaped(value: str) -> str:
    if "\\" in value or not value.isprintable():  # the rare text with a tab, newline or backslash
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _text(value) -> str:
    if value is None:
        return NULL
    if type(value) is not str:  # a TextChoices member is a str holding its value: no call of its __str__
        value = str.__str__(value) if isinstance(value, str) else str(value)
    if "\\" in value or not value.isprintable():
        return _escaped(value)
    return value


def _json_text(value) -> str:
    if value is None:
        return NULL
    if type(value) is not str:  # a value to encode; a str is JSON text already
        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return _escaped(value)


def _temporal() -> Callable[[object], str]:
    """Dates and times as COPY text, remembered: a column repeats them (``now``, birthdays, days of a year)."""
    seen: dict = {}

    def text(value) -> str:
        found = seen.get(value)
        if found is None:
            if value is None:
                return NULL
            if len(seen) >= 100_000:
                seen.clear()
            found = seen[value] = _text(value) if isinstance(value, str) else value.isoformat()
        return found

    return text


def _encoder(fields, constants: dict[int, object], per_row: Callable | None) -> Callable[[tuple], str]:
    """``row -> one line of COPY text`` for these fields, compiled once per writer.

    ``fields`` are the columns in order: first the row's own values, then the filled ones, of which
    ``constants`` (by position) are the same on every row and ``per_row(row)`` computes the others
    (a tuple).  The line is a single f-string: integers, decimals and booleans are formatted inline,
    so is plain text that needs no escaping (the rest goes through a function), dates through a small
    cache.  This is about twice the speed of a call per value, a good part of the Python cost of a
    million rows.
    """
    names: dict[str, object] = {"NULL": NULL, "BACKSLASH": "\\"}
    parts = []
    for i, f in enumerate(fields):
        if i in constants:
            names[f"k{i}"] = _pg_text(constants[i])
            parts.append(f"{{k{i}}}")
            continue
        target = f.target_field if f.is_relation else f
        kind = target.get_internal_type()
        if kind == "BooleanField":
            parts.append(f"{{NULL if r[{i}] is None else 't' if r[{i}] else 'f'}}")
        elif kind in INTEGER_FIELDS or kind in PLAIN_FIELDS:
            parts.append(f"{{NULL if r[{i}] is None else r[{i}]}}")
        else:
            if kind in TEMPORAL_FIELDS:
                names[f"c{i}"] = _temporal()
            elif kind == "JSONField":
                names[f"c{i}"] = _json_text
            else:
                names[f"c{i}"] = _text
                plain = f"r[{i}].__class__ is str and r[{i}].isprintable() and BACKSLASH not in r[{i}]"
                parts.append(f"{{r[{i}] if {plain} else c{i}(r[{i}])}}")
                continue
            parts.append(f"{{c{i}(r[{i}])}}")
    line = "\\t".join(parts)
    source = "def encode(r):\n"
    if per_row is not None:
        names["per_row"] = per_row
        source += "    r = (*r, *per_row(r))\n"
    source += f'    return f"{line}\\n"\n'
    exec(compile(source, f"<COPY encoder of {fields[0].model._meta.db_table}>", "exec"), names)
    return names["encode"]


# --- counts --------------------------------------------------------------------------------------


@dataclass
class TableStats:
    rows: int = 0
    seconds: float = 0.0
    analyzed: bool = False  # its planner statistics refreshed since its rows were written

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class GenerateStats:
    """Rows and seconds per table: encoding, COPY, and setting the table's indexes and checks aside and back."""

    tables: dict[str, TableStats] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    def table(self, name: str) -> TableStats:
        return self.tables.setdefault(name, TableStats())

    def not_analyzed(self) -> list[str]:
        """The tables written to whose statistics nothing has refreshed since."""
        return [name for name, table in self.tables.items() if table.rows and not table.analyzed]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{name} {t.rows:,} ({t.rate:,.0f}/s)" for name, t in self.tables.items() if t.rows)
        return _("rows/s: %(parts)s; total %(rows)s rows in %(seconds).1f s (%(rate)s rows/s)") % {
            "parts": parts,
            "rows": f"{self.rows:,}",
            "seconds": self.seconds,
            "rate": f"{self.rate:,.0f}",
        }


# --- COPY ------------------------------------------------------------------------------------------


class CopyWriter:
    """Buffers rows of one table and writes them with PostgreSQL's COPY, ``batch`` rows at a time.

    Concrete fields left out of ``columns`` (but the auto primary key) are filled as the model
    would: from their default, ``auto_now``, NULL, ``""`` for blank text, and a pinyin field from
    ``name``.  Rows are encoded when the batch is written, so a row must not change once added.
    The time spent encoding and writing is counted in ``stats`` under the table's name, and
    the rows in ``progress`` (a tqdm bar) when given.
    """

    def __init__(self, model, columns, *, using="default", stats=None, progress=None, batch=COPY_BATCH):
        self.model = model
        self.columns = list(columns)
        fields = [model._meta.get_field(c) for c in self.columns]
        known = {f.name for f in fields} | {f.attname for f in fields} | {model._meta.pk.name}
        filled, per_row, constants = _extra_fillers(model, known, self.columns, now=timezone.now())
        self.fields = fields + filled  # the columns of the COPY, in order
        first_constant = len(self.fields) - len(constants)
        self.encode = _encoder(self.fields, dict(enumerate(constants, first_constant)), per_row)
        self.connection = connections[using]
        self.batch = batch
        self.stats = (stats or GenerateStats()).table(model._meta.db_table)
        self.progress = progress
        self.count = 0
        self.rows: list = []
        quote = self.connection.ops.quote_name
        self.sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in self.fields)
        )

    def add(self, row) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def extend(self, rows: Iterable) -> None:
        for row in rows:
            self.rows.append(row)
            if len(self.rows) >= self.batch:
                self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        start = time.perf_counter()
        text = "".join(map(self.encode, self.rows))
        # Django's own errors (IntegrityError, ...), as for any other statement
        with self.connection.cursor() as cursor, self.connection.wrap_database_errors:
            cursor.copy_expert(self.sql, io.StringIO(text), 1 << 20)  # read in 1 MB pieces
        written = len(self.rows)
        self.rows = []
        self.stats.seconds += time.perf_counter() - start
        self.stats.rows += written
        self.count += written
        if self.progress is not None:
            self.progress.update(written)

    def close(self) -> int:
        self.flush()
        return self.count


def copy_rows(model, columns, rows: Iterable, *, using="default", stats=None, progress=None) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``model``'s table; returns the count."""
    writer = CopyWriter(model, columns, using=using, stats=stats, progress=progress)
    writer.extend(rows)
    return writer.close()


def reserve_ids(model, n: int, *, using="default") -> range:
    """A block of ``n`` fresh primary keys for ``model`` (call inside a transaction).

    The table is locked against other writers until the transaction ends and its id sequence is
    moved past the block, so neither concurrent inserts nor later ones collide.
    """
    connection = connections[using]
    table = model._meta.db_table
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")
        highest = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        start = max(highest, last_value if is_called else last_value - 1) + 1
        if n:
            cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + n - 1])
    return range(start, start + n)


# --- a big table filled as a bulk loader does ------------------------------------------------------


@dataclass(frozen=True)
class _ForeignKey:
    name: str
    table: str  # the referencing table and the referenced one, as regclass text (quoted where needed)
    parent: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]

    def check(self, cursor, quote, *, deleted: bool = False) -> None:
        """Every row of the table points at a row of the parent, or raise (one anti-join)."""
        own = ", ".join(f"x.{quote(c)}" for c in self.columns)
        present = " AND ".join(f"x.{quote(c)} IS NOT NULL" for c in self.columns)
        match = " AND ".join(f"y.{quote(k)} = x.{quote(c)}" for c, k in zip(self.columns, self.keys, strict=True))
        cursor.execute(
            f"SELECT {own} FROM {self.table} x WHERE {present} "
            f"AND NOT EXISTS (SELECT 1 FROM {self.parent} y WHERE {match}) LIMIT 1"
        )
        missing = cursor.fetchone()
        if missing is None:
            return
        key = f"({', '.join(self.columns)})=({', '.join(map(str, missing))})"
        if deleted:
            raise IntegrityError(
                f'update or delete on table "{self.parent}" violates foreign key constraint "{self.name}" '
                f'on table "{self.table}": {key} is still referenced'
            )
        raise IntegrityError(
            f'insert or update on table "{self.table}" violates foreign key constraint "{self.name}": '
            f"{key} is not present in table {self.parent}"
        )


def _foreign_keys(cursor, where: str, params) -> list[_ForeignKey]:
    cursor.execute(
        f"""
        SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)
        FROM pg_constraint c WHERE c.contype = 'f' AND {where} ORDER BY c.conrelid::regclass::text, c.conname
        """,
        params,
    )
    rows = cursor.fetchall()
    return [_ForeignKey(name, table, parent, tuple(cols), tuple(keys)) for name, table, parent, cols, keys in rows]


@dataclass
class _SetAside:
    """What ``BulkLoad`` took off one table, to put back."""

    indexes: list[str] = field(default_factory=list)  # the statements that recreate them
    triggers: list[str] = field(default_factory=list)  # foreign-key check triggers turned off
    foreign_keys: list[_ForeignKey] = field(default_factory=list)  # to check once the triggers are on again
    unit_columns: bool = False  # the unit columns' trigger turned off: the rows carry them, checked once


class BulkLoad:
    """Fills big tables the way ``pg_restore`` does: indexes built once at the end, foreign keys checked once.

    ``tables(*models)`` wraps the writing of those models' rows, inside the generator's transaction.
    On entry it drops each table's secondary indexes, with the unique constraints no foreign key
    relies on (the primary key stays; so does an index of an expression, whose text PostgreSQL does not always
    read back as the same expression: an ``IN`` list comes back as an array of casts, and a query finds an
    index by its expression), and, for a superuser, turns off the triggers that check the
    table's foreign keys row by row (``DISABLE TRIGGER``; for anyone else they go on checking), with the
    one that sets its unit columns (``community.unit_columns``: the writer gives them).  On exit it
    recreates every index and constraint from the definitions it read back from the catalog
    (``pg_get_indexdef``/``pg_get_constraintdef``: exactly what the migrations made, uniqueness checked
    as they are built), refreshes the table's statistics, turns the triggers on again, checks each of
    the table's foreign keys with one anti-join, as ``VALIDATE CONSTRAINT`` would, and its unit columns
    against their parents' with one join.  Any violation raises, and the rollback puts the indexes and
    triggers back as they were.  The time is counted in the table's stats.

    All of it is transactional: other sessions never see a table without its indexes or checks, but
    the dropped indexes lock the table against them, readers too, until the commit (so the generator
    loads in bulk only a county that is most of the database).  A table the user does not own fills
    the plain way.  Other triggers stay on: an app whose triggers check rows one by one sets them
    aside itself and checks the same once, set-based (``funding/generate.py``).
    """

    def __init__(self, *, using: str = "default", stats: GenerateStats | None = None):
        self.connection = connections[using]
        self.stats = stats or GenerateStats()
        self.set_aside: dict[str, _SetAside] = {}
        with self.connection.cursor() as cursor:
            # for the transaction only: no wait for the WAL at commit, room to sort the index builds
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            self.superuser = _is_superuser(cursor)

    @contextmanager
    def tables(self, *models):
        tables = [m._meta.db_table for m in models if m._meta.db_table not in self.set_aside]
        with self.connection.cursor() as cursor:
            _run_pending_checks(cursor)  # ALTER TABLE refuses a table with pending trigger events
            for table in tables:
                start = time.perf_counter()
                self.set_aside[table] = self._take_off(cursor, table)
                self.stats.table(table).seconds += time.perf_counter() - start
        yield
        with self.connection.cursor() as cursor:
            _run_pending_checks(cursor)
            for table in tables:
                start = time.perf_counter()
                self._put_back(cursor, table, self.set_aside.pop(table))
                self.stats.table(table).seconds += time.perf_counter() - start
                self.stats.table(table).analyzed = True

    def _take_off(self, cursor, table: str) -> _SetAside:
        quote = self.connection.ops.quote_name
        aside = _SetAside()
        cursor.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass", [table])
        if not cursor.fetchone()[0]:  # only the table's owner may drop its indexes: it fills the plain way
            return aside
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index i LEFT JOIN pg_constraint c
              ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('u', 'x')
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND i.indexprs IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [table],
        )
        for index, definition, constraint, constraint_definition in cursor.fetchall():
            if constraint:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
                aside.indexes.append(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraint_definition}"
                )
            else:
                cursor.execute(f"DROP INDEX {index}")
                aside.indexes.append(definition)
        if not self.superuser:  # the foreign keys stay checked row by row
            return aside
        cursor.execute(
            """
            SELECT t.tgname FROM pg_trigger t JOIN pg_constraint c ON c.oid = t.tgconstraint
            WHERE t.tgrelid = %s::regclass AND c.contype = 'f' AND c.conrelid = t.tgrelid AND t.tgenabled <> 'D'
              AND t.tgfoid IN ('"RI_FKey_check_ins"'::regproc, '"RI_FKey_check_upd"'::regproc)
            """,
            [table],
        )
        aside.triggers = [name for (name,) in cursor.fetchall()]
        if table in unit_columns.SPECS:  # the writer gives the unit columns: checked once, set-based, after
            aside.triggers.append(unit_columns.SPECS[table].function)
            aside.unit_columns = True
        for name in aside.triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
        aside.foreign_keys = _foreign_keys(cursor, "c.conrelid = %s::regclass", [table])
        return aside

    def _put_back(self, cursor, table: str, aside: _SetAside) -> None:
        quote = self.connection.ops.quote_name
        for statement in aside.indexes:
            cursor.execute(statement)
        cursor.execute(f"ANALYZE {quote(table)}")  # or the planner guesses, here and in what follows
        for name in aside.triggers:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}")
        for foreign_key in aside.foreign_keys:
            foreign_key.check(cursor, quote)
        if aside.unit_columns:
            unit_columns.check(cursor, table)


@contextmanager
def deleting(*models, using: str = "default"):
    """Deleting many rows of the models' tables: the foreign keys pointing at them checked once, set-based.

    PostgreSQL checks, row by row at the commit (or ``SET CONSTRAINTS``), that no row still points at a
    deleted one: for a replaced county's million rows that is a minute.  For a superuser, the triggers
    making those checks (the "no action" ones on the referenced tables; nothing that cascades) are off
    while the block deletes, for this transaction only, then on again, and each foreign key pointing at
    the tables is checked with one anti-join; any row left pointing at a deleted one raises.  After an
    error the transaction is to be rolled back, which turns the checks on again (the generator's is).
    For anyone else the block runs with the checks as they are.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if not _is_superuser(cursor):
            triggers = None
        else:
            _run_pending_checks(cursor)  # ALTER TABLE refuses a table with pending trigger events
            cursor.execute(
                """
                SELECT t.tgrelid::regclass::text, t.tgname
                FROM pg_trigger t JOIN pg_constraint c ON c.oid = t.tgconstraint
                WHERE t.tgrelid = ANY(%s::regclass[]) AND c.contype = 'f' AND c.confrelid = t.tgrelid
                  AND t.tgenabled <> 'D'
                  AND t.tgfoid IN ('"RI_FKey_noaction_del"'::regproc, '"RI_FKey_noaction_upd"'::regproc)
                """,
                [tables],
            )
            triggers = cursor.fetchall()
            for table, name in triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {quote(name)}")
    yield
    if triggers is None:
        return
    with connection.cursor() as cursor:
        _run_pending_checks(cursor)
        for table, name in triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {quote(name)}")
        for foreign_key in _foreign_keys(cursor, "c.confrelid = ANY(%s::regclass[])", [tables]):
            foreign_key.check(cursor, quote, deleted=True)


def _is_superuser(cursor) -> bool:
    """Only a superuser may turn off the triggers PostgreSQL made for the foreign keys."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def analyze(models, *, using: str = "default", stats: GenerateStats | None = None) -> None:
    """Fresh planner statistics of the models' tables (rows written in the transaction count)."""
    analyze_tables([model._meta.db_table for model in models], using=using, stats=stats)


def analyze_tables(tables, *, using: str = "default", stats: GenerateStats | None = None) -> None:
    """``ANALYZE`` each table, marked as analyzed in ``stats``: a table just filled has no statistics until
    autovacuum comes round (never, where it is off), and the planner's guess for it (a few rows) makes it
    join every row of a list before sorting for its first page."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            if stats is not None:
                stats.table(table).analyzed = True


def _run_pending_checks(cursor) -> None:
    """The deferred foreign-key checks queued so far, now."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- filling the columns the generator leaves out --------------------------------------------------


def _pinyin_of():
    """``name -> (pinyin, initials)`` as the model's own ``name_pinyin`` computes them, but fast.

    pypinyin costs about a millisecond a call and a county has ~150,000 distinct names, so a
    Chinese name is computed in two cached parts: its first character (the surname, with the
    model's surname readings) and the rest (read after the neutral surname 王, then stripped).
    The parts come from a few thousand distinct strings; a phrase reading that spans the surname
    and the given name is the only thing this could miss.  Whole names are remembered too.
    """

    compute = getattr(models, "name_pinyin", None)
    if compute is None:

        def compute(name):
            return "".join(lazy_pinyin(name)).lower(), "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()

    surnames: dict[str, tuple[str, str]] = {}
    given_names: dict[str, tuple[str, str]] = {}
    names: dict[str, tuple[str, str]] = {}
    prefix_full, prefix_initials = compute("王")

    def surname_part(char):
        found = surnames.get(char)
        if found is None:
            found = surnames[char] = compute(char)
        return found

    def given_part(given):
        found = given_names.get(given)
        if found is None:
            full, initials = compute("王" + given)
            found = given_names[given] = (full[len(prefix_full) :], initials[len(prefix_initials) :])
        return found

    def of(name: str) -> tuple[str, str]:
        found = names.get(name)
        if found is None:
            if 2 <= len(name) <= 6 and all("\u4e00" <= c <= "\u9fff" for c in name):
                head, tail = surname_part(name[0]), given_part(name[1:])
                found = (head[0] + tail[0], head[1] + tail[1])
            else:
                found = compute(name)
            names[name] = found
        return found

    return of


def _extra_fillers(model, known: set[str], columns: list[str], *, now):
    """How to fill the concrete fields of ``model`` that the generator does not set itself.

    Returns the fields, a function ``row -> values`` for those computed per row (a pinyin field
    from ``name``, a callable default) or None, and the values of the rest, the same on every row
    (a constant default, ``auto_now``, NULL when nullable, ``""`` for blank text); the fields list
    the per-row ones first.  A field with none of these stops the generator with a message naming
    it, rather than writing rows the model would not accept.
    """
    per_row, constant = [], []
    row_fills, constants = [], []
    pinyin_of = _pinyin_of()
    for f in model._meta.concrete_fields:
        if f.name in known or f.attname in known:
            continue
        if ("pinyin" in f.name or "initials" in f.name) and "name" in columns:
            index, part = columns.index("name"), 1 if "initials" in f.name else 0
            per_row.append(f)
            row_fills.append(lambda row, index=index, part=part: pinyin_of(row[index])[part])
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant.append(f)
            constants.append(now)
        elif f.has_default() and callable(f.default):
            per_row.append(f)
            row_fills.append(lambda row, f=f: f.get_default())
        elif f.has_default():
            constant.append(f)
            constants.append(f.get_default())
        elif f.null:
            constant.append(f)
            constants.append(None)
        elif f.blank and f.get_internal_type() in {"CharField", "TextField"}:
            constant.append(f)
            constants.append("")
        else:
            raise ValidationError(
                _("generate_county does not know how to fill %(model)s.%(field)s; teach community/demo/bulk.py.")
                % {"model": model.__name__, "field": f.name}
            )

    def values_of(row):
        return [fill(row) for fill in row_fills]

    return per_row + constant, (values_of if row_fills else None), constants
