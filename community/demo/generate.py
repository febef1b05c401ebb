"""Scale data: a realistic county of any size, written in bulk (``COPY`` on PostgreSQL).

``python manage.py generate_county --towns 10 --communities 100 --households 120000`` makes one
county with its towns, communities, zones (about four per community), buildings (six floors,
24 households each), households, residents (about 2.5 per household, Chinese names, valid and
unique GB 11643 ID numbers, valid mobile numbers, relation to the head, residence type,
vulnerability flags at realistic rates), their residence history and resident units, and the
county departments.  Everything happens in one transaction: a failure leaves nothing behind.

Rows are written through :func:`copy_rows` / :class:`CopyWriter`: ``COPY … FROM STDIN`` through
psycopg2's ``copy_expert``, ``batch`` rows at a time, each row turned into COPY text by a function
compiled for the table's columns.  Primary keys are reserved up front (:func:`reserve_ids` locks
the table and moves its sequence past the block), so rows can point at each other before they are
written and never collide with rows made by anyone else.  When the new county is big and at least
as big as what the database holds already, the big tables are filled as a bulk loader fills them
(:class:`BulkLoad`, through ``ctx.bulk_load``): their secondary indexes are dropped and their
foreign-key checks turned off while they fill, then rebuilt, checked and analysed once.  The
summary line gives the rows per second of each table and of the whole run.

Extension hook (each app adds its own scale data)
-------------------------------------------------
After the core, for each app in ``settings.LOCAL_APPS`` other than ``community``, in that order,
if the module ``<app>.generate`` exists its ``generate(ctx)`` is called, inside the same
transaction.  ``ctx`` is a :class:`GenerateContext`:

* ``county``, ``towns``, ``communities``, ``departments`` (``{DepartmentCode: Department}``);
* id ranges of what the core wrote: ``zones``, ``buildings``, ``households``, ``residents``, and
  per community ``community_households[community_id]`` / ``community_residents[community_id]``
  (contiguous ranges, so an app can place rows in a community without reading it back);
* ``rng`` (a seeded ``random.Random``: same seed, same county), ``today``, ``now``;
* ``args``: every option of the command as a dict (``towns``, ``communities``, ``households``,
  ``seed``, ``county_code``, …) plus each ``--extra key=value`` (values that look like integers
  are ints), e.g. ``ctx.args.get("members", 5000)``;
* ``ctx.copy_rows(model, columns, rows) -> int``: writes an iterable of tuples (values in the
  order of ``columns``, field names or attnames) with COPY or bulk_create, counts them in the
  progress bar and the rows/s summary, and returns the number written;
* ``ctx.reserve_ids(model, n) -> range``: ids to give rows that other rows will point at;
* ``with ctx.bulk_load(*models):`` around the writing of a big table (some ten thousand rows or
  more): when the county is most of the database (see :class:`BulkLoad`), the table's secondary
  indexes are dropped and its foreign-key checks turned off while it fills, then rebuilt and
  checked once, set-based, on leaving the block; either way the tables are analysed on leaving
  it, so the queries that follow (in the hook and after) are planned on fresh statistics;
* ``ctx.say(message)``: a line on the command's output.

An app's ``generate.py`` may also define ``clear(county)``: ``generate_county --replace`` calls it
(in reverse ``LOCAL_APPS`` order) before deleting the core rows, so the app removes the rows it
made that point into the county.  Apps must not import each other's models here either.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from tqdm import tqdm

from ..choices import Relation, ResidenceType, TownKind
from ..idnumbers import make_id_number
from ..models import (
    Building,
    Community,
    County,
    Department,
    Household,
    Residence,
    Resident,
    ResidentUnit,
    Town,
    User,
    Zone,
)
from .bulk import BulkLoad, CopyWriter, GenerateStats, analyze, analyze_tables, copy_rows, deleting, reserve_ids
from .names import (
    COUNTY_NAMES,
    EARLIER_REASONS,
    MOBILE_PREFIXES,
    MOVE_REASONS,
    PLACE_WORDS,
    ROAD_SUFFIXES,
    UNIT_CONTACT_TITLES,
    UNIT_TEMPLATES,
    faker_names,
)
from .reference import DEPARTMENTS

DEFAULT_COUNTY_CODE = "330122"  # 桐庐县: a region code valid for every birth year
HOUSEHOLDS_PER_BUILDING = 24  # 2 entrances x 6 floors x 2 flats
FLOORS = 6
ZONES_PER_COMMUNITY = 4
ID_ORDERS = 499  # order codes 001-499 of make_id_number's sequence, per birth date and sex
BULK_MIN_HOUSEHOLDS = 2_000  # below this, setting indexes and checks aside costs more than it saves


# --- the context handed to the apps' hooks ----------------------------------------------------


@dataclass
class GenerateContext:
    county: County
    towns: list[Town]
    communities: list[Community]
    departments: dict[str, Department]
    rng: random.Random
    args: dict
    today: dt.date
    now: dt.datetime
    zones: range = range(0)
    buildings: range = range(0)
    households: range = range(0)
    residents: range = range(0)
    community_households: dict[int, range] = field(default_factory=dict)
    community_residents: dict[int, range] = field(default_factory=dict)
    stats: GenerateStats = field(default_factory=GenerateStats)
    progress: object = None
    out: Callable[[str], None] | None = None
    using: str = "default"
    bulk: BulkLoad | None = None

    def copy_rows(self, model, columns, rows: Iterable) -> int:
        return copy_rows(model, columns, rows, using=self.using, stats=self.stats, progress=self.progress)

    def writer(self, model, columns) -> CopyWriter:
        return CopyWriter(model, columns, using=self.using, stats=self.stats, progress=self.progress)

    def reserve_ids(self, model, n: int) -> range:
        return reserve_ids(model, n, using=self.using)

    @contextmanager
    def bulk_load(self, *models):
        if self.bulk is None:
            yield
            analyze(models, using=self.using, stats=self.stats)
        else:
            with self.bulk.tables(*models):
                yield

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out(message)


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    towns: int = 10
    communities: int = 100
    households: int = 120_000
    seed: int = 1
    county_code: str = DEFAULT_COUNTY_CODE
    county_name: str = ""
    replace: bool = False
    extra: dict = field(default_factory=dict)

    def validate(self) -> None:
        if self.towns < 1:
            raise ValidationError(_("A county needs at least one town (--towns)."))
        if self.communities < self.towns:
            raise ValidationError(_("Every town needs at least one community: --communities must be >= --towns."))
        if self.households < 0:
            raise ValidationError(_("The number of households cannot be negative."))
        if len(self.county_code) != 6 or not self.county_code.isdigit() or self.county_code[0] == "0":
            raise ValidationError(
                _("The county code must be a six-digit administrative code (it is also the ID numbers' region).")
            )
        if region_name(self.county_code) is None:
            raise ValidationError(
                _(
                    "%(code)s is not a county code that GB 11643 accepts for every birth year, so its ID numbers "
                    "would not validate; use one such as 330122 (桐庐县) or 330127 (淳安县)."
                )
                % {"code": self.county_code}
            )
        clash = set(self.extra) & set(self.as_args())
        if clash:
            raise ValidationError(
                _("--extra cannot override the command's own options: %(names)s") % {"names": ", ".join(sorted(clash))}
            )

    def as_args(self) -> dict:
        return {
            "towns": self.towns,
            "communities": self.communities,
            "households": self.households,
            "seed": self.seed,
            "county_code": self.county_code,
            "county_name": self.county_name,
            "replace": self.replace,
        }


def region_name(code: str) -> str | None:
    """The county's name when ID numbers of ``code`` validate for people born in any year, else None.

    python-stdnum checks the region against the GB/T 2260 codes in force in the birth year, so
    only a code that has existed unchanged throughout can hold a whole county's residents.
    """

    for year in (1920, 1960, 2000, timezone.localdate().year):
        number = make_id_number(region=code, birth_date=dt.date(year, 6, 1), sequence=1, male=True)
        try:
            info = ric.get_birth_place(number)
            ric.validate(number)
        except Exception:  # stdnum raises KeyError as well as its own errors for unknown regions
            return None
    return info.get("county") or None


def parse_extra(items: Iterable[str]) -> dict:
    """``["members=5000", "note=x"]`` -> ``{"members": 5000, "note": "x"}``."""
    extra = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ValidationError(_("Give --extra as key=value, e.g. --extra members=5000."))
        value = value.strip()
        extra[key] = int(value) if value.lstrip("-").isdigit() else value
    return extra


def split_evenly(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


# --- the county --------------------------------------------------------------------------------


def app_modules():
    """``<app>.generate`` of each local app but community, in LOCAL_APPS order."""
    modules = []
    for app_name in settings.LOCAL_APPS:
        if app_name == "community":
            continue
        try:
            modules.append(import_module(f"{app_name}.generate"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_name}.generate":
                raise
    return modules


def clear_county(county: County, *, using="default") -> None:
    """Delete a county and everything under it with a few set-based DELETEs (for ``--replace``).

    People's accounts scoped to the county block it; service accounts (no usable password, such as
    the scheduled payroll's) are unscoped, not deleted, since other apps' history may point at them.
    That nothing points at the deleted households, residents and buildings any more is checked once,
    set-based (:func:`deleting`), rather than row by row.
    """
    scoped = User.objects.using(using).filter(county=county)
    scoped.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX).update(
        scope_level="", county=None, town=None, community=None, department=None
    )
    blockers = scoped.count()
    if blockers:
        raise ValidationError(
            _("%(n)d user accounts are scoped to the county %(county)s; move or delete them before replacing it.")
            % {"n": blockers, "county": county.name}
        )
    connection = connections[using]
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    communities = (
        f"SELECT c.id FROM {table(Community)} c JOIN {table(Town)} t ON t.id = c.town_id WHERE t.county_id = %s"
    )
    zones = f"SELECT id FROM {table(Zone)} WHERE community_id IN ({communities})"
    buildings = f"SELECT id FROM {table(Building)} WHERE zone_id IN ({zones})"
    households = f"SELECT id FROM {table(Household)} WHERE building_id IN ({buildings})"
    residents = f"SELECT id FROM {table(Resident)} WHERE household_id IN ({households})"
    statements = [  # each takes the county id once
        f"DELETE FROM {table(Residence)} WHERE resident_id IN ({residents})",
        f"DELETE FROM {table(Residence)} WHERE household_id IN ({households})",
        f"DELETE FROM {table(Resident)} WHERE household_id IN ({households})",
        f"DELETE FROM {table(Household)} WHERE building_id IN ({buildings})",
        f"DELETE FROM {table(Building)} WHERE zone_id IN ({zones})",
        f"DELETE FROM {table(Zone)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(ResidentUnit)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Community)} WHERE town_id IN (SELECT id FROM {table(Town)} WHERE county_id = %s)",
        f"DELETE FROM {table(Town)} WHERE county_id = %s",
        f"DELETE FROM {table(Department)} WHERE county_id = %s",
        f"DELETE FROM {table(County)} WHERE id = %s",
    ]
    try:
        with deleting(Household, Resident, Building, using=using):
            for module in reversed(app_modules()):
                clear = getattr(module, "clear", None)
                if clear is not None:
                    clear(county)
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, [county.pk])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # other apps' rows still pointing here fail now
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "The county %(county)s cannot be replaced: rows of another app still point into it "
                "(that app's generate.py should define clear(county)). Database said: %(error)s"
            )
            % {"county": county.name, "error": str(exc).strip().splitlines()[0]}
        )


class CountyGenerator:
    """Makes the county of a :class:`Plan`; ``run()`` returns the hooks' context (with stats)."""

    def __init__(self, plan: Plan, *, out=None, progress: bool = False, using: str = "default"):
        self.plan = plan
        self.out = out
        self.show_progress = progress
        self.using = using
        self.rng = random.Random(plan.seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.surnames, self.surname_cum, self.male_given, self.female_given = faker_names()
        self.male_single = [g for g in self.male_given if len(g) == 1]
        self.female_single = [g for g in self.female_given if len(g) == 1]
        self.id_counters: dict[tuple[dt.date, bool], list[int]] = {}
        self.taken_ids: set[str] = set()

    # -- entry point

    def run(self) -> GenerateContext:
        plan = self.plan
        plan.validate()
        existing = County.objects.using(self.using).filter(code=plan.county_code).first()
        if existing is not None and not plan.replace:
            raise ValidationError(
                _(
                    "A county with the code %(code)s (%(name)s) already exists; "
                    "use another --county-code, or --replace to delete and remake it."
                )
                % {"code": plan.county_code, "name": existing.name}
            )
        progress = self._progress_bar()
        try:
            with transaction.atomic(using=self.using):
                if existing is not None:
                    self._say(
                        _("Deleting the county %(name)s (%(code)s)…") % {"name": existing.name, "code": existing.code}
                    )
                    clear_county(existing, using=self.using)
                ctx = self._make_units(progress)
                if self._bulk_mode():
                    ctx.bulk = BulkLoad(using=self.using, stats=ctx.stats)
                self._make_people(ctx)
                for module in app_modules():
                    module.generate(ctx)
            # the units (made with the ORM), then every table the apps filled that no bulk load has analyzed
            analyze(ANALYZED, using=self.using, stats=ctx.stats)
            analyze_tables(ctx.stats.not_analyzed(), using=self.using, stats=ctx.stats)
        finally:
            if progress is not None:
                progress.close()
        ctx.stats.finished = time.perf_counter()
        return ctx

    def _bulk_mode(self) -> bool:
        """Load in bulk when the new county is big and at least doubles the households in the database.

        Then building a big table's indexes and checking its foreign keys once, at the end, costs less
        than keeping them row by row; a small county, or one added to a bigger database, is written the
        plain way.
        """
        if self.plan.households < BULK_MIN_HOUSEHOLDS:
            return False
        bulk = Household.objects.using(self.using).count() <= self.plan.households
        if bulk:  # a progress line like the apps' (not translated)
            self._say("bulk load: the big tables' indexes and foreign-key checks are set aside while they fill")
        return bulk

    def _say(self, message: str) -> None:
        if self.out is not None:
            self.out(message)

    def _progress_bar(self):
        if not self.show_progress:
            return None

        plan = self.plan
        estimate = int(plan.households * (1 + 2.5 * 2.08)) + plan.households // HOUSEHOLDS_PER_BUILDING
        return tqdm(total=estimate, unit="rows", unit_scale=True, file=sys.stderr, desc=plan.county_code)

    # -- county, towns, communities, departments (a few rows: the ORM, with history)

    def _make_units(self, progress) -> GenerateContext:
        plan, rng, db = self.plan, self.rng, self.using
        name = plan.county_name or self._free_county_name(region_name(plan.county_code))
        if County.objects.using(db).filter(name=name).exists():
            raise ValidationError(
                _("A county named %(name)s already exists; choose another --county-name.") % {"name": name}
            )
        county = County.objects.using(db).create(name=name, code=plan.county_code)
        departments = {
            code: Department.objects.using(db).create(county=county, code=code, name=dep_name, duties=duties)
            for code, (dep_name, duties) in DEPARTMENTS.items()
        }
        town_names = self._unique_names(plan.towns, "")
        towns = []
        for index, word in enumerate(town_names):
            subdistrict = index < max(1, plan.towns // 3)
            towns.append(
                Town(
                    county=county,
                    name=word + ("街道" if subdistrict else "镇"),
                    code=f"{plan.county_code}{index + 1:03d}",
                    kind=TownKind.SUBDISTRICT if subdistrict else TownKind.TOWN,
                )
            )
        codes = [t.code for t in towns]
        if Town.objects.using(db).filter(code__in=codes).exists():
            raise ValidationError(_("Town codes %(code)s… are already used by another county.") % {"code": codes[0]})
        towns = Town.objects.using(db).bulk_create(towns)
        communities = []
        for town, count in zip(towns, split_evenly(plan.communities, plan.towns), strict=True):
            for index, word in enumerate(self._unique_names(count, "")):
                communities.append(
                    Community(
                        town=town,
                        name=f"{word}社区",
                        code=f"{town.code}{index + 1:03d}",
                        address=f"{rng.choice(PLACE_WORDS)}{rng.choice(ROAD_SUFFIXES)}{rng.randint(1, 200)}号",
                        phone=f"0570-{rng.randint(2000000, 8999999)}",
                        established=dt.date(rng.randint(1985, 2010), rng.randint(1, 12), 1),
                    )
                )
        if Community.objects.using(db).filter(code__in=[c.code for c in communities]).exists():
            raise ValidationError(_("Community codes under %(code)s are already used.") % {"code": plan.county_code})
        communities = Community.objects.using(db).bulk_create(communities)
        return GenerateContext(
            county=county,
            towns=towns,
            communities=communities,
            departments=departments,
            rng=rng,
            args={**plan.as_args(), **plan.extra},
            today=self.today,
            now=self.now,
            progress=progress,
            out=self.out,
            using=db,
        )

    def _free_county_name(self, real_name: str | None) -> str:
        taken = set(County.objects.using(self.using).values_list("name", flat=True))
        for name in [real_name, *COUNTY_NAMES]:
            if name and name not in taken:
                return name
        return f"{COUNTY_NAMES[0][:-1]}{self.plan.county_code}县"

    def _unique_names(self, n: int, suffix: str) -> list[str]:
        words = PLACE_WORDS[:]
        self.rng.shuffle(words)
        names = words[:n]
        round_ = 0
        while len(names) < n:  # more than the word list: combine two words
            round_ += 1
            for a in words:
                candidate = a + words[(words.index(a) + round_) % len(words)][0]
                if candidate not in names:
                    names.append(candidate)
                if len(names) == n:
                    break
        return [name + suffix for name in names]

    # -- zones, buildings, households, residents, residences, units (COPY)

    def _make_people(self, ctx: GenerateContext) -> None:
        plan, rng = self.plan, self.rng
        region = plan.county_code
        self.taken_ids = set(
            Resident.objects.using(self.using).filter(id_number__startswith=region).values_list("id_number", flat=True)
        )
        per_community = split_evenly(plan.households, plan.communities)
        buildings_per = [math.ceil(h / HOUSEHOLDS_PER_BUILDING) for h in per_community]
        zones_per = [max(1, min(ZONES_PER_COMMUNITY, b)) for b in buildings_per]
        sizes = rng.choices([1, 2, 3, 4, 5, 6], weights=[22, 33, 24, 13, 6, 2], k=plan.households)
        ctx.zones = ctx.reserve_ids(Zone, sum(zones_per))
        ctx.buildings = ctx.reserve_ids(Building, sum(buildings_per))
        ctx.households = ctx.reserve_ids(Household, plan.households)
        ctx.residents = ctx.reserve_ids(Resident, sum(sizes))
        with ctx.bulk_load(Household, Resident, Residence):
            self._write_people(ctx, per_community, buildings_per, zones_per, sizes)
        with connections[self.using].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # FK errors here, with a clear origin
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _write_people(self, ctx, per_community, buildings_per, zones_per, sizes) -> None:
        rng, now = self.rng, self.now
        zone_w = ctx.writer(Zone, ["id", "community", "name", "created_at", "updated_at"])
        building_w = ctx.writer(Building, ["id", "zone", "name", "address", "floors", "created_at", "updated_at"])
        household_w = ctx.writer(Household, HOUSEHOLD_COLUMNS)
        resident_w = ctx.writer(Resident, RESIDENT_COLUMNS)  # fields added to Resident later: see CopyWriter
        residence_w = ctx.writer(Residence, RESIDENCE_COLUMNS)
        unit_w = ctx.writer(ResidentUnit, UNIT_COLUMNS)

        zone_id, building_id, household_id, resident_id = (
            ctx.zones.start,
            ctx.buildings.start,
            ctx.households.start,
            ctx.residents.start,
        )
        size_index = 0
        for community, n_households, n_buildings, n_zones in zip(
            ctx.communities, per_community, buildings_per, zones_per, strict=True
        ):
            zone_ids = list(range(zone_id, zone_id + n_zones))
            for z in range(n_zones):
                zone_w.add((zone_id, community.pk, f"第{z + 1}网格", now, now))
                zone_id += 1
            roads = [f"{rng.choice(PLACE_WORDS)}{rng.choice(ROAD_SUFFIXES)}" for _ in range(n_zones)]
            first_household, first_resident = household_id, resident_id
            units = (community.pk, community.town_id)  # the unit columns of its households and residents
            left = n_households
            for b in range(n_buildings):
                zone_index = b % n_zones
                building_w.add(
                    (
                        building_id,
                        zone_ids[zone_index],
                        f"{b + 1}号楼",
                        f"{roads[zone_index]}{b + 1}号",
                        FLOORS,
                        now,
                        now,
                    )
                )
                for flat in range(min(HOUSEHOLDS_PER_BUILDING, left)):
                    entrance, rest = divmod(flat, FLOORS * 2)
                    floor, room = divmod(rest, 2)
                    number = f"{entrance + 1}-{floor + 1}{room + 1:02d}"
                    members = self._household_members(sizes[size_index])
                    size_index += 1
                    household_w.add((household_id, building_id, number, members[0]["phone"], "", now, now, *units))
                    for member in members:
                        self._write_resident(resident_w, residence_w, ctx, resident_id, household_id, units, member)
                        resident_id += 1
                    household_id += 1
                left -= min(HOUSEHOLDS_PER_BUILDING, left)
                building_id += 1
            ctx.community_households[community.pk] = range(first_household, household_id)
            ctx.community_residents[community.pk] = range(first_resident, resident_id)
            self._write_units(unit_w, community)
        for writer in (zone_w, building_w, household_w, resident_w, residence_w, unit_w):
            writer.close()

    # -- one household

    def _person(self, *, age: int, male: bool, surname: str | None = None) -> dict:
        rng = self.rng
        if surname is None:
            surname = self.surnames[bisect(self.surname_cum, rng.random() * self.surname_cum[-1])]
        pool = self.male_given if male else self.female_given
        given = rng.choice(pool)
        if len(given) == 1 and rng.random() < 0.65:
            given += rng.choice(self.male_single if male else self.female_single)
        birth = self._birth_date(age)
        return {"name": surname + given, "surname": surname, "male": male, "age": age, "birth": birth}

    def _birth_date(self, age: int) -> dt.date:
        year = self.today.year - age
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365 if year % 4 else 366))

    def _household_members(self, size: int) -> list[dict]:
        rng = self.rng
        renting = rng.random() < 0.15
        kind = (
            ResidenceType.RENTING
            if renting
            else rng.choices([ResidenceType.REGISTERED, ResidenceType.PERMANENT], weights=[78, 22])[0]
        )
        if size == 1:
            head_age = int(rng.triangular(20, 95, 72 if not renting else 28))
        else:
            head_age = int(rng.triangular(24, 90, 48 if not renting else 32))
        head = self._person(age=head_age, male=rng.random() < 0.7)
        head["relation"] = Relation.HEAD
        members = [head]
        family_name = head["surname"]
        if size >= 2 and rng.random() < 0.88:
            spouse_age = max(20, min(99, head_age + rng.randint(-6, 4) * (1 if head["male"] else -1)))
            spouse = self._person(age=spouse_age, male=not head["male"])
            if not head["male"]:
                family_name = spouse["surname"]
            spouse["relation"] = Relation.SPOUSE
            members.append(spouse)
        has_parent = False
        while len(members) < size:
            roll = rng.random()
            if renting and roll < 0.3:
                person = self._person(age=rng.randint(19, 45), male=rng.random() < 0.5)
                person["relation"] = Relation.TENANT
            elif head_age >= 58 and roll < 0.55:
                age = max(0, head_age - rng.randint(48, 62))
                person = self._person(age=age, male=rng.random() < 0.52, surname=family_name)
                person["relation"] = Relation.GRANDCHILD
            elif head_age <= 55 and not has_parent and roll < 0.22:
                has_parent = True
                male = rng.random() < 0.45
                person = self._person(
                    age=min(100, head_age + rng.randint(24, 32)), male=male, surname=head["surname"] if male else None
                )
                person["relation"] = Relation.PARENT
            elif roll > 0.97:
                person = self._person(
                    age=max(16, head_age + rng.randint(-10, 10)), male=rng.random() < 0.5, surname=head["surname"]
                )
                person["relation"] = Relation.SIBLING
            else:
                low = max(0, head_age - 38)
                age = rng.randint(low, max(low, head_age - 20))
                person = self._person(age=age, male=rng.random() < 0.52, surname=family_name)
                person["relation"] = Relation.CHILD
            members.append(person)
        # dates, phones and flags
        oldest_move = max(1980, self.today.year - head_age + 20)
        if renting:
            oldest_move = max(oldest_move, self.today.year - 8)
        moved_in = dt.date(min(oldest_move, self.today.year), 1, 1) + dt.timedelta(
            days=rng.randrange(max(1, (self.today - dt.date(min(oldest_move, self.today.year), 1, 1)).days))
        )
        low_income = rng.random() < 0.03
        has_working_parent = any(m["relation"] == Relation.CHILD and 20 <= m["age"] <= 50 for m in members)
        for member in members:
            member["type"] = kind
            member["moved_in"] = max(moved_in, member["birth"])
            age = member["age"]
            relation = member["relation"]
            phone_rate = 0.95 if relation is Relation.HEAD else 0.8 if relation is Relation.SPOUSE else 0.7
            member["phone"] = (
                f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
                if 16 <= age <= 85 and rng.random() < phone_rate
                else ""
            )
            member["elderly_alone"] = size == 1 and age >= 60
            member["low_income"] = low_income
            member["disabled"] = rng.random() < (0.08 if age >= 60 else 0.025)
            member["special_care"] = age >= 40 and rng.random() < 0.006
            member["left_behind_child"] = (
                member["relation"] == Relation.GRANDCHILD and age < 16 and not has_working_parent and rng.random() < 0.6
            )
        if not members[0]["phone"] and rng.random() < 0.8:
            members[0]["phone"] = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        return members

    def _id_number(self, birth: dt.date, male: bool) -> str:
        """A unique ID number: each (birth date, sex) hands out its 499 order codes from a random start."""
        while True:
            key = (birth, male)
            counter = self.id_counters.get(key)
            if counter is None:
                counter = self.id_counters[key] = [self.rng.randrange(ID_ORDERS), 0]
            start, used = counter
            if used >= ID_ORDERS:  # every order code of this day and sex is taken: the next day
                birth += dt.timedelta(days=1)
                continue
            counter[1] += 1
            sequence = 1 + (start + used) % ID_ORDERS  # never the order code 000
            number = make_id_number(region=self.plan.county_code, birth_date=birth, sequence=sequence, male=male)
            if number not in self.taken_ids:
                return number

    def _write_resident(self, resident_w, residence_w, ctx, resident_id, household_id, units, m) -> None:
        rng, now, today = self.rng, self.now, self.today
        id_number = self._id_number(m["birth"], m["male"])
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        moved_in = max(m["moved_in"], birth)
        moved_out = None
        if rng.random() < 0.02 and moved_in < today:
            moved_out = moved_in + dt.timedelta(days=rng.randrange(max(1, (today - moved_in).days)))
        row = (
            resident_id,
            household_id,
            m["name"],
            id_number,
            "M" if int(id_number[16]) % 2 else "F",
            birth,
            m["phone"],
            m["relation"],  # TextChoices members: the COPY encoder writes their values
            m["type"],
            moved_in,
            moved_out,
            m["elderly_alone"],
            m["low_income"],
            m["disabled"],
            m["special_care"],
            m["left_behind_child"],
            False,
            now,
            now,
            *units,
        )
        resident_w.add(row)
        reason = rng.choice(MOVE_REASONS) if m["relation"] in (Relation.HEAD, Relation.SPOUSE, Relation.TENANT) else ""
        residence_w.add((resident_id, household_id, m["type"], moved_in, moved_out, reason))
        if m["age"] >= 25 and rng.random() < 0.08 and moved_in.year > 1985:  # an earlier period elsewhere
            earlier = max(birth, moved_in - dt.timedelta(days=rng.randint(365, 3650)))
            if earlier < moved_in:
                other = rng.randrange(ctx.households.start, ctx.households.stop)
                residence_w.add(
                    (
                        resident_id,
                        other,
                        rng.choice([ResidenceType.REGISTERED, ResidenceType.RENTING]).value,
                        earlier,
                        moved_in - dt.timedelta(days=1),
                        rng.choice(EARLIER_REASONS),
                    )
                )

    def _write_units(self, unit_w, community: Community) -> None:
        rng = self.rng
        word = community.name[:-2]
        for kind, template, duties in rng.sample(UNIT_TEMPLATES, rng.randint(3, 7)):
            surname = self.surnames[bisect(self.surname_cum, rng.random() * self.surname_cum[-1])]
            title = UNIT_CONTACT_TITLES[kind]
            unit_w.add(
                (
                    community.pk,
                    template.format(w=word),
                    kind.value,
                    f"{rng.choice(PLACE_WORDS)}{rng.choice(ROAD_SUFFIXES)}{rng.randint(1, 300)}号",
                    dt.date(rng.randint(2002, 2025), rng.randint(1, 12), 1),
                    surname + title,
                    f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
                    duties,
                    self.now,
                    self.now,
                )
            )


# fresh statistics after a bulk load, or the planner scans a whole county for a 50-row page
# (households, residents and residences: on leaving ctx.bulk_load)
ANALYZED = (County, Town, Community, Department, Zone, Building, ResidentUnit)
# the unit columns last (community.unit_columns): the bulk load checks them against the households' places
HOUSEHOLD_COLUMNS = ["id", "building", "number", "phone", "note", "created_at", "updated_at", "community", "town"]
RESIDENT_COLUMNS = [
    "id",
    "household",
    "name",
    "id_number",
    "gender",
    "birth_date",
    "phone",
    "relation",
    "residence_type",
    "moved_in",
    "moved_out",
    "elderly_alone",
    "low_income",
    "disabled",
    "special_care",
    "left_behind_child",
    "anonymised",
    "created_at",
    "updated_at",
    "community",
    "town",
]
RESIDENCE_COLUMNS = ["resident", "household", "residence_type", "start", "end", "reason"]
UNIT_COLUMNS = [
    "community",
    "name",
    "kind",
    "address",
    "member_since",
    "contact_name",
    "contact_phone",
    "duties",
    "created_at",
    "updated_at",
]


def generate_county(plan: Plan, *, out=None, progress: bool = False, using: str = "default") -> GenerateContext:
    """Make the county of ``plan`` (see the module docstring); returns the context with its stats."""
    return CountyGenerator(plan, out=out, progress=progress, using=using).run()
