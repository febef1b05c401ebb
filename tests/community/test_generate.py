"""generate_county at a tiny scale (COPY on PostgreSQL), its hook for the apps, and the bench helpers."""

from __future__ import annotations

import io
import sys
import types
from base64 import b64decode
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from community import models as core
from community import selectors, unit_columns
from community.choices import DepartmentCode, Relation
from community.demo import bulk
from community.models import (
    Building,
    Community,
    County,
    Department,
    Household,
    Residence,
    Resident,
    ResidentUnit,
    Town,
    Zone,
)
from community.validators import id_birth_date, id_gender, validate_id_number, validate_phone
from tests import factories as f
from tests.benchmarks import harness
from tests.benchmarks import run as bench_run

CODE = "140121"  # 清徐县: valid in every birth year
TINY = ["--towns", "2", "--communities", "3", "--households", "60", "--county-code", CODE, "--no-progress"]


def generate_tiny(*extra):
    out = io.StringIO()
    call_command("generate_county", *TINY, *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def county_households(county):
    return Household.objects.filter(building__zone__community__town__county=county)


def county_residents(county):
    return Resident.objects.filter(household__building__zone__community__town__county=county)


@pytest.mark.django_db
def test_tiny_county_counts_ids_and_places():
    output = generate_tiny("--seed", "5")
    county = County.objects.get(code=CODE)
    assert Town.objects.filter(county=county).count() == 2
    assert Community.objects.filter(town__county=county).count() == 3
    assert set(Department.objects.filter(county=county).values_list("code", flat=True)) == set(DepartmentCode.values)
    # every household is in a building of a zone of a community of this county, and there are exactly 60
    assert Household.objects.count() == 60 == county_households(county).count()
    assert Zone.objects.filter(community__town__county=county).count() == Zone.objects.count() >= 3
    buildings = Building.objects.filter(zone__community__town__county=county)
    assert buildings.count() == 3 and set(buildings.values_list("floors", flat=True)) == {6}
    residents = list(county_residents(county))
    assert len(residents) == Resident.objects.count()
    assert 60 * 1.8 <= len(residents) <= 60 * 3.3, "about 2.5 residents per household"
    heads = Counter(r.household_id for r in residents if r.relation == Relation.HEAD)
    assert len(heads) == 60 and set(heads.values()) == {1}, "one head per household"
    # valid, unique ID numbers of the county's region, with gender and birth date derived from them
    numbers = [r.id_number for r in residents]
    assert len(set(numbers)) == len(numbers)
    for r in residents:
        validate_id_number(r.id_number)
        assert r.id_number.startswith(CODE)
        assert r.gender == id_gender(r.id_number) and r.birth_date == id_birth_date(r.id_number)
        if r.phone:
            validate_phone(r.phone)
        if hasattr(core, "name_pinyin"):
            assert (r.name_pinyin, r.name_initials) == core.name_pinyin(r.name)
        assert 2 <= len(r.name) <= 4
    # residence history: each current resident has exactly one open period, in their own household
    open_periods = {(p.resident_id, p.household_id) for p in Residence.objects.filter(end__isnull=True)}
    assert open_periods == {(r.pk, r.household_id) for r in residents if r.moved_out is None}
    assert not Residence.objects.exclude(household__building__zone__community__town__county=county).exists()
    assert ResidentUnit.objects.filter(community__town__county=county).count() >= 9
    assert "community_resident" in output and "/s" in output


@pytest.mark.django_db
def test_same_code_refused_then_replaced_with_the_same_data():
    generate_tiny("--seed", "9")
    county = County.objects.get(code=CODE)
    names = sorted(county_residents(county).values_list("name", flat=True))
    old_ids = set(county_households(county).values_list("id", flat=True))
    with pytest.raises(CommandError, match=CODE):
        generate_tiny("--seed", "9")
    assert Household.objects.count() == 60, "a refused run writes nothing"
    generate_tiny("--seed", "9", "--replace")
    county = County.objects.get(code=CODE)
    assert County.objects.filter(code=CODE).count() == 1
    assert Household.objects.count() == 60 == county_households(county).count()
    assert sorted(county_residents(county).values_list("name", flat=True)) == names, "same seed, same county"
    assert not old_ids & set(county_households(county).values_list("id", flat=True)), "ids are never reused"


@pytest.mark.django_db
def test_replace_refused_while_users_are_scoped_to_the_county():
    generate_tiny()
    f.official_of(County.objects.get(code=CODE))
    with pytest.raises(CommandError, match="1"):
        generate_tiny("--replace")
    assert Household.objects.count() == 60


@pytest.mark.django_db
def test_replace_unscopes_service_accounts_without_a_password():
    generate_tiny()
    county = County.objects.get(code=CODE)
    service = f.official_of(county)
    service.set_unusable_password()
    service.save()
    generate_tiny("--replace")
    service.refresh_from_db()
    assert service.county_id is None and service.scope_level == ""
    assert County.objects.filter(code=CODE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        ["--county-code", "12"],
        ["--county-code", "14012A"],
        ["--county-code", "330999"],
        ["--towns", "4", "--communities", "3"],
        ["--households", "-1"],
        ["--extra", "members"],
        ["--extra", "towns=3"],
    ],
)
def test_bad_options_are_refused_and_write_nothing(bad):
    with pytest.raises(CommandError):
        call_command("generate_county", *TINY, *bad, stdout=io.StringIO(), stderr=io.StringIO())
    assert not County.objects.exists() and not Household.objects.exists()


@pytest.mark.django_db
def test_hook_is_called_with_the_context(monkeypatch, settings):
    calls = {}

    def hook(ctx):
        calls["ctx"] = ctx
        community = ctx.communities[0]
        rows = [(community.pk, f"钩子单位{i}", "other", "a\tb\\c\nd", ctx.now, ctx.now) for i in range(3)]
        calls["written"] = ctx.copy_rows(
            ResidentUnit, ["community", "name", "kind", "duties", "created_at", "updated_at"], rows
        )

    def clear(county):
        calls["cleared"] = county.code
        ResidentUnit.objects.filter(name__startswith="钩子单位", community__town__county=county).delete()

    module = types.ModuleType("h2hookapp.generate")
    module.generate, module.clear = hook, clear
    monkeypatch.setitem(sys.modules, "h2hookapp", types.ModuleType("h2hookapp"))
    monkeypatch.setitem(sys.modules, "h2hookapp.generate", module)
    settings.LOCAL_APPS = [*settings.LOCAL_APPS, "h2hookapp"]

    generate_tiny("--extra", "members=25", "--extra", "flavour=big")
    ctx = calls["ctx"]
    assert calls["written"] == 3
    assert ctx.args["members"] == 25 and ctx.args["flavour"] == "big" and ctx.args["households"] == 60
    assert ctx.county.code == CODE and len(ctx.towns) == 2 and len(ctx.communities) == 3
    assert set(ctx.households) == set(Household.objects.values_list("id", flat=True))
    assert set(ctx.residents) == set(Resident.objects.values_list("id", flat=True))
    for community in ctx.communities:
        in_db = Household.objects.filter(building__zone__community=community).values_list("id", flat=True)
        assert set(ctx.community_households[community.pk]) == set(in_db)
    unit = ResidentUnit.objects.get(name="钩子单位0")
    assert unit.duties == "a\tb\\c\nd", "COPY escaping round-trips tabs, backslashes and newlines"
    assert ctx.stats.tables["community_residentunit"].rows >= 3 + 9

    generate_tiny("--replace")
    assert calls["cleared"] == CODE


@pytest.mark.django_db
def test_reserved_ids_never_collide_with_later_rows():
    existing = f.SCOPED_FACTORIES["community.Household"](f.CommunityFactory())
    with connection.cursor():
        block = bulk.reserve_ids(Household, 10)
    assert block.start > existing.pk and len(block) == 10
    later = f.HouseholdFactory(building=existing.building)
    assert later.pk >= block.stop


# --- the bench harness ------------------------------------------------------------------------------


def _county_with_residents(code, n):
    county = f.CountyFactory(code=code, name=f"基准测试县{code}")
    community = f.CommunityFactory(town=f.TownFactory(county=county))
    household = f.SCOPED_FACTORIES["community.Household"](community)
    f.ResidentFactory.create_batch(n, household=household, low_income=True)
    f.ResidentFactory.create_batch(2, household=household, disabled=True, moved_in="2020-01-01", moved_out="2021-01-01")
    return county


@pytest.fixture
def core_dashboard_only(monkeypatch):
    """The harness is under test, not the other apps' dashboard sections."""
    from community import dashboard

    monkeypatch.setattr(dashboard, "SECTIONS", {"people": dashboard.SECTIONS["people"]})


@pytest.mark.django_db
def test_bench_query_counts_are_flat_on_a_small_dataset(core_dashboard_only):
    small_county = _county_with_residents("140123", 3)
    full_county = _county_with_residents("150122", 40)
    small = harness.BenchContext("small", small_county, harness.official_of(small_county, "bench_small"))
    full = harness.BenchContext("full", full_county, harness.official_of(full_county, "bench_full"))
    assert bench_run.county_residents(full) == 42 and bench_run.county_residents(small) == 5

    n, response = harness.count_queries(full.get, "/api/v1/residents/")
    assert n > 0 and len(response.json()["results"]) == 42

    results = [harness.measure(b, full, small, runs=1) for b in bench_run.core_benches(deep_page=2)]
    by_name = {r.name: r for r in results}
    assert len(results) == len(bench_run.core_benches(deep_page=2)) >= 4
    for result in results:
        assert isinstance(result.queries_full, int) and result.queries_full > 0, result
        assert result.flat_ok and result.rows == 42, result
        assert result.median_ms > 0, result
        if isinstance(result.queries_small, int):  # a list or the dashboard: the same count on both counties
            assert result.queries_small == result.queries_full, result
        if result.bare_ms is not None:
            assert result.bare_ms > 0 and result.ratio > 0, result
    with_bare_sql = [r for r in results if r.bare_ms is not None]
    assert len(with_bare_sql) >= 4, "the residents' pages and the dashboard compare with their bare SQL"
    assert "small county: 5 rows" in by_name["/api/v1/residents/ first page"].note
    table = harness.format_table(results)
    assert table.count("\n") == 1 + len(results) and "queries @full" in table

    # the bare SQL returns the same numbers as the dashboard's people section and the same page as the API
    from community.dashboard import Target

    rows = {(kind, cid): n for kind, cid, n in harness.run_sql(bench_run.PEOPLE_SQL, [full_county.pk])}
    for row in selectors.community_rows(scope=Target("county", full_county).scope()):
        for kind in ("zones", "buildings", "households", "residents", "vulnerable_residents", "vulnerable_households"):
            assert rows.get((kind, row.id), 0) == getattr(row, kind), kind
    page_sql = bench_run.RESIDENT_PAGE_SQL.format(where="", direction="DESC", limit=51)
    api_ids = [r["id"] for r in full.get("/api/v1/residents/").json()["results"]]
    assert [r[0] for r in harness.run_sql(page_sql, [full_county.pk])][: len(api_ids)] == api_ids

    grown = harness.Result("grew", 5, 3, 4, 1.0, 1.0)
    assert not grown.flat_ok and "<< GREW" in harness.format_table([grown])


@pytest.mark.django_db
def test_bench_cursor_matches_the_api_cursor():
    county = _county_with_residents("150222", 10)
    ctx = harness.BenchContext("full", county, harness.official_of(county, "bench_cursor"))
    page = ctx.get("/api/v1/residents/", {"page_size": 5}).json()
    cursor = harness.cursor_of(page["next"])
    last_id = page["results"][-1]["id"]
    assert b64decode(cursor).decode() == f"p={last_id}"
    assert cursor == harness.cursor_for(last_id)
    deeper = ctx.get("/api/v1/residents/", {"cursor": harness.cursor_for(last_id), "page_size": 5}).json()
    assert [r["id"] for r in deeper["results"]] == sorted(
        Resident.objects.filter(pk__lt=last_id).values_list("id", flat=True), reverse=True
    )[:5]


def test_bench_refuses_without_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://user@localhost/x")
    with pytest.raises(SystemExit, match="PostgreSQL"):
        bench_run.setup_django()


def test_copy_text_format_writes_json_values_as_json():
    import datetime as dt
    import json
    from decimal import Decimal

    assert json.loads(bulk._pg_text(["interview", "exam"])) == ["interview", "exam"]
    assert json.loads(bulk._pg_text({"上限": Decimal("5.0"), "on": dt.date(2026, 1, 2)})) == {
        "上限": "5.0",
        "on": "2026-01-02",
    }
    assert bulk._pg_text({"a": "x\ty"}) == '{"a": "x\\\\ty"}'


# --- loading in bulk: indexes and foreign-key checks set aside, then rebuilt and checked ------------------


def _schema():
    """Every index, constraint and trigger of the project's tables, with its definition and state."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) || ' ' || convalidated
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger', tgrelid::regclass::text, tgname, tgenabled::text || ' ' || tgisinternal
            FROM pg_trigger WHERE tgrelid::regclass::text NOT LIKE 'pg_%%'
            """
        )
        rows = cursor.fetchall()
    # internal trigger names carry the constraint's oid, which a rebuilt constraint does not keep
    return sorted(
        (kind, table, name if kind != "trigger" or "RI_Constraint" not in name else "", d)
        for kind, table, name, d in rows
    )


@pytest.fixture
def in_bulk(monkeypatch):
    """A tiny county loaded in bulk (normally only from BULK_MIN_HOUSEHOLDS up); the tables set aside are listed."""
    from community.demo import generate

    monkeypatch.setattr(generate, "BULK_MIN_HOUSEHOLDS", 1)
    taken = []
    take_off = bulk.BulkLoad._take_off

    def spy(self, cursor, table):
        taken.append(table)
        return take_off(self, cursor, table)

    monkeypatch.setattr(bulk.BulkLoad, "_take_off", spy)
    return taken


def _hook_app(monkeypatch, settings, hook):
    module = types.ModuleType("h2bulkapp.generate")
    module.generate = hook
    monkeypatch.setitem(sys.modules, "h2bulkapp", types.ModuleType("h2bulkapp"))
    monkeypatch.setitem(sys.modules, "h2bulkapp.generate", module)
    settings.LOCAL_APPS = ["community", "h2bulkapp"]


@pytest.mark.django_db
def test_a_county_loaded_in_bulk_leaves_the_schema_as_it_was(in_bulk):
    before = _schema()
    generate_tiny("--seed", "5")
    assert {"community_household", "community_resident", "community_residence"} <= set(in_bulk)
    assert {"funding_journalline", "funding_journalentry", "partybuild_visit", "services_servicerequest"} <= set(
        in_bulk
    )
    assert _schema() == before, "every index, constraint and trigger is back, validated and enabled"
    with connection.cursor() as cursor:  # the unit columns the writers gave agree with a recomputation
        for table in unit_columns.SPECS:
            unit_columns.check(cursor, table)
    county = County.objects.get(code=CODE)
    assert county_households(county).count() == 60 and county_residents(county).count() >= 100
    open_periods = Residence.objects.filter(end__isnull=True, household__building__zone__community__town__county=county)
    assert open_periods.count() == county_residents(county).filter(moved_out__isnull=True).count()


@pytest.mark.django_db
def test_plain_load_for_a_small_county_or_one_added_to_a_bigger_database(in_bulk, monkeypatch):
    from community.demo import generate

    monkeypatch.setattr(generate, "BULK_MIN_HOUSEHOLDS", 100)
    generate_tiny()  # 60 households: below the threshold
    assert in_bulk == []
    monkeypatch.setattr(generate, "BULK_MIN_HOUSEHOLDS", 1)
    smaller = ["--towns", "1", "--communities", "1", "--households", "59", "--county-code", "140123"]
    call_command("generate_county", *smaller, "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert in_bulk == [] and Household.objects.count() == 119, "59 households added to 60: the plain way"


@pytest.mark.django_db
@pytest.mark.parametrize("superuser", [True, False], ids=["set-based check", "row-by-row check"])
def test_bulk_load_refuses_a_dangling_foreign_key_and_writes_nothing(in_bulk, monkeypatch, settings, superuser):
    monkeypatch.setattr(bulk, "_is_superuser", lambda cursor: superuser)

    def hook(ctx):
        building = Building.objects.filter(zone__community=ctx.communities[0]).first()
        units = (ctx.communities[0].pk, ctx.communities[0].town_id)
        with ctx.bulk_load(Household):
            ctx.copy_rows(
                Household,
                ["building", "number", "created_at", "updated_at", "community", "town"],
                [
                    (building.pk, "9-999", ctx.now, ctx.now, *units),
                    (building.pk + 10**9, "9-998", ctx.now, ctx.now, *units),
                ],
            )

    _hook_app(monkeypatch, settings, hook)
    before = _schema()
    with pytest.raises(IntegrityError, match="community_household"):
        generate_tiny()
    assert not County.objects.filter(code=CODE).exists() and not Household.objects.exists()
    assert _schema() == before


@pytest.mark.django_db
@pytest.mark.parametrize("superuser", [True, False], ids=["set-based check", "trigger on"])
def test_bulk_load_refuses_unit_columns_not_the_parents_or_sets_them(in_bulk, monkeypatch, settings, superuser):
    monkeypatch.setattr(bulk, "_is_superuser", lambda cursor: superuser)
    written = {}

    def hook(ctx):
        first, other = ctx.communities[0], ctx.communities[-1]
        building = Building.objects.filter(zone__community=first).first()
        written["household"], written["community"] = (building.pk, "9-997"), first
        with ctx.bulk_load(Household):
            ctx.copy_rows(
                Household,
                ["building", "number", "created_at", "updated_at", "community", "town"],
                [(building.pk, "9-997", ctx.now, ctx.now, other.pk, other.town_id)],  # another community's
            )

    _hook_app(monkeypatch, settings, hook)
    if superuser:  # the trigger was off: the check after the load refuses the whole county
        with pytest.raises(IntegrityError, match="rows of community_household were written with unit columns"):
            generate_tiny()
        assert not County.objects.filter(code=CODE).exists()
    else:  # the trigger was on: it set the household's own
        generate_tiny()
        household = Household.objects.get(building_id=written["household"][0], number="9-997")
        community = written["community"]
        assert (household.community_id, household.town_id) == (community.pk, community.town_id)


@pytest.mark.django_db
def test_bulk_load_rebuilds_unique_constraints_and_refuses_a_duplicate(in_bulk, monkeypatch, settings):
    def hook(ctx):
        building = Building.objects.filter(zone__community=ctx.communities[0]).first()
        with ctx.bulk_load(Household):
            row = (building.pk, "9-999", ctx.now, ctx.now, ctx.communities[0].pk, ctx.communities[0].town_id)
            columns = ["building", "number", "created_at", "updated_at", "community", "town"]
            ctx.copy_rows(Household, columns, [row, row])

    _hook_app(monkeypatch, settings, hook)
    with pytest.raises(IntegrityError, match="household_number_unique_in_building"):
        generate_tiny()
    assert not Household.objects.exists()
    assert "household_number_unique_in_building" in {name for _k, _t, name, _d in _schema()}


def test_copy_encoder_writes_what_pg_text_writes():
    import datetime as dt
    from decimal import Decimal

    from community.choices import Relation, ResidenceType
    from community.demo.generate import RESIDENT_COLUMNS

    writer = bulk.CopyWriter(Resident, RESIDENT_COLUMNS)
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    row = (7, 8, "王\t小\\明\n", "140121200002290011", "M", dt.date(2000, 2, 29), "", Relation.HEAD)
    row += (ResidenceType.RENTING.value, dt.date(2020, 2, 29), None, True, False, False, False, False, False, now, now)
    row += (3, 2)  # its community and town
    line = writer.encode(row)
    assert line.endswith("\n") and line.count("\n") == 1
    values = dict(zip([f.attname for f in writer.fields], line[:-1].split("\t"), strict=True))
    assert [values[f.attname] for f in writer.fields[: len(row)]] == [bulk._pg_text(v) for v in row]
    assert values["relation"] == "head" and values["name"] == "王\\t小\\\\明\\n"
    assert values["moved_out"] == "\\N" and values["elderly_alone"] == "t" and values["moved_in"] == "2020-02-29"
    if hasattr(core, "name_pinyin"):  # filled per row from the name
        assert (values["name_pinyin"], values["name_initials"]) == core.name_pinyin("王\t小\\明\n")
    assert values["anonymised"] == "f" and values["created_at"] == now.isoformat()
    answers = {"楼层": ["3", "4"], "n": Decimal("1.5")}
    assert bulk._json_text(answers) == bulk._pg_text(answers) and bulk._json_text('{"a": 1}') == '{"a": 1}'


@pytest.mark.django_db
@pytest.mark.parametrize("superuser", [True, False], ids=["set-based check", "row-by-row check"])
def test_replace_refuses_while_another_apps_row_points_into_the_county(monkeypatch, superuser):
    from decimal import Decimal

    from funding.economy_models import HouseholdArea

    monkeypatch.setattr(bulk, "_is_superuser", lambda cursor: superuser)
    generate_tiny()
    household = county_households(County.objects.get(code=CODE)).first()
    HouseholdArea.objects.create(household=household, area=Decimal("80.00"))  # funding's clear leaves it
    before = _schema()
    with pytest.raises(CommandError, match="funding_householdarea"):
        generate_tiny("--replace")
    assert Household.objects.count() == 60 and Household.objects.filter(pk=household.pk).exists()
    assert _schema() == before, "the checks are back on"
    HouseholdArea.objects.all().delete()
    generate_tiny("--replace")  # with nothing pointing in, the county is replaced
    assert Household.objects.count() == 60 and not Household.objects.filter(pk=household.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("load", ["plain", "bulk"])
def test_every_table_the_generator_fills_has_planner_statistics_when_it_ends(load, monkeypatch):
    """Autovacuum may be off or late: a table just filled and never analyzed is planned as a few rows (the
    staffing applications' first page joined all 5,000 and sorted them: 11 ms of SQL where 1 would do)."""
    from community.demo import generate

    monkeypatch.setattr(generate, "BULK_MIN_HOUSEHOLDS", 1 if load == "bulk" else 10**9)
    with connection.cursor() as cursor:  # statistics left by an earlier test are rolled back with it
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'staffing_application'")
        assert cursor.fetchone()[0] == 0
    plan = generate.Plan(towns=2, communities=3, households=60, county_code=CODE, county_name="清徐县", seed=5)
    ctx = generate.generate_county(plan)
    assert ctx.stats.tables["staffing_application"].rows > 0 and ctx.stats.not_analyzed() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_stats WHERE tablename = ANY(%s) GROUP BY tablename",
            [["staffing_application", "partybuild_partymember", "services_facilitybooking"]],
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "staffing_application",
            "partybuild_partymember",
            "services_facilitybooking",
        }
