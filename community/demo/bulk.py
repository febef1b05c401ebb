"""Writing millions of rows fast: PostgreSQL COPY in batches, ids reserved from the sequences, with counts."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from .. import models

COPY_BATCH = 20_000


# --- COPY and bulk writing -------------------------------------------------------------------


def _pg_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if isinstance(value, dt.date):  # date and datetime
        return value.isoformat()
    if kind is list or kind is dict:  # JSONField values (no ArrayField in the project)
        return _pg_text(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))
    return _pg_text(str(value))


@dataclass
class TableStats:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class GenerateStats:
    tables: dict[str, TableStats] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    def table(self, name: str) -> TableStats:
        return self.tables.setdefault(name, TableStats())

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def summary(self) -> str:
        parts = ", ".join(f"{name} {t.rows:,} ({t.rate:,.0f}/s)" for name, t in self.tables.items() if t.rows)
        total = self.rows
        rate = total / self.seconds if self.seconds else 0.0
        return _("rows/s: %(parts)s; total %(rows)s rows in %(seconds).1f s (%(rate)s rows/s)") % {
            "parts": parts,
            "rows": f"{total:,}",
            "seconds": self.seconds,
            "rate": f"{rate:,.0f}",
        }


class CopyWriter:
    """Buffers rows of one table and writes them with PostgreSQL's COPY, ``batch`` rows at a time.

    Concrete fields left out of ``columns`` (but the auto primary key) are filled as the model
    would: from their default, ``auto_now``, NULL, ``""`` for blank text, and a pinyin field from
    ``name``.  The time spent encoding and writing is counted in ``stats`` under the table's name,
    and the rows in ``progress`` (a tqdm bar) when given.
    """

    def __init__(self, model, columns, *, using="default", stats=None, progress=None, batch=COPY_BATCH):
        self.model = model
        self.columns = list(columns)
        self.fields = [model._meta.get_field(c) for c in self.columns]
        known = {f.name for f in self.fields} | {f.attname for f in self.fields} | {model._meta.pk.name}
        self.fillers = _extra_fillers(model, known, now=timezone.now())
        self.fields += [model._meta.get_field(attname) for attname, _fill in self.fillers]
        self.connection = connections[using]
        self.using = using
        self.batch = batch
        self.stats = (stats or GenerateStats()).table(model._meta.db_table)
        self.progress = progress
        self.count = 0
        self.pending = 0
        self.buffer = io.StringIO()
        quote = self.connection.ops.quote_name
        self.sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in self.fields)
        )

    def add(self, row) -> None:
        start = time.perf_counter()
        if self.fillers:
            values = dict(zip(self.columns, row, strict=True))
            row = (*row, *(fill(values) for _attname, fill in self.fillers))
        self.buffer.write("\t".join(map(_pg_text, row)))
        self.buffer.write("\n")
        self.pending += 1
        self.stats.seconds += time.perf_counter() - start
        if self.pending >= self.batch:
            self.flush()

    def extend(self, rows: Iterable) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.pending:
            return
        start = time.perf_counter()
        self.buffer.seek(0)
        with self.connection.cursor() as cursor:
            cursor.copy_expert(self.sql, self.buffer)
        self.buffer = io.StringIO()
        self.stats.seconds += time.perf_counter() - start
        self.stats.rows += self.pending
        self.count += self.pending
        if self.progress is not None:
            self.progress.update(self.pending)
        self.pending = 0

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


def _pinyin_of():
    """``name -> (pinyin, initials)`` as the model's own ``name_pinyin`` computes them, but fast.

    pypinyin costs about a millisecond a call and a county has ~150,000 distinct names, so a
    Chinese name is computed in two cached parts: its first character (the surname, with the
    model's surname readings) and the rest (read after the neutral surname 王, then stripped).
    The parts come from a few thousand distinct strings; a phrase reading that spans the surname
    and the given name is the only thing this could miss.
    """

    compute = getattr(models, "name_pinyin", None)
    if compute is None:

        def compute(name):
            return "".join(lazy_pinyin(name)).lower(), "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()

    surnames: dict[str, tuple[str, str]] = {}
    given_names: dict[str, tuple[str, str]] = {}
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
        if 2 <= len(name) <= 6 and all("\u4e00" <= c <= "\u9fff" for c in name):
            head, tail = surname_part(name[0]), given_part(name[1:])
            return head[0] + tail[0], head[1] + tail[1]
        return compute(name)

    return of


def _extra_fillers(model, known: set[str], *, now) -> list[tuple[str, Callable[[dict], object]]]:
    """How to fill the concrete fields of ``model`` that the generator does not set itself.

    Columns added to the model later are filled from their default (or NULL when nullable); a
    pinyin field is computed from ``name``.  A field with none of these stops the generator with
    a message naming it, rather than writing rows the model would not accept.
    """
    fillers = []
    pinyin_of = _pinyin_of()
    for f in model._meta.concrete_fields:
        if f.name in known or f.attname in known:
            continue
        if "pinyin" in f.name or "initials" in f.name:
            index = 1 if "initials" in f.name else 0
            fillers.append((f.attname, lambda values, index=index: pinyin_of(values["name"])[index]))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fillers.append((f.attname, lambda values, now=now: now))
        elif f.has_default():
            fillers.append((f.attname, lambda values, f=f: f.get_default()))
        elif f.null:
            fillers.append((f.attname, lambda values: None))
        elif f.blank and f.get_internal_type() in {"CharField", "TextField"}:
            fillers.append((f.attname, lambda values: ""))
        else:
            raise ValidationError(
                _("generate_county does not know how to fill %(model)s.%(field)s; teach community/demo/bulk.py.")
                % {"model": model.__name__, "field": f.name}
            )
    return fillers
