"""The unit columns (``community.unit_columns``): PostgreSQL keeps a big table's community and town on the
row, whatever writes it or moves its parents; the scope rule's SQL reads them, its checks of one row don't."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from community import unit_columns
from community.models import Household, Resident
from community.scoping import Scope, reaches, scope_of, stored_lookup
from funding.models import JournalEntry, JournalLine
from partybuild.models import Visit
from tests import factories as f
from tests.funding.factories import bookkeepers, make_fund, receive
from tests.partybuild.factories import member_of

pytestmark = pytest.mark.django_db

BIG = (Household, Resident, Visit, JournalEntry, JournalLine)


def units(obj) -> tuple:
    """The unit columns of ``obj``'s row as the database holds them."""
    model = type(obj)
    return tuple(model._base_manager.values_list(*(f"{c}_id" for c in model.unit_columns)).get(pk=obj.pk))


def of(community, model) -> tuple:
    return (community.pk, community.town_id) if "community" in model.unit_columns else (community.town_id,)


def no_stray_rows():
    with connection.cursor() as cursor:
        for table in unit_columns.SPECS:
            unit_columns.check(cursor, table)  # raises where a row disagrees with a recomputation


@pytest.fixture
def other_town(county):
    return f.TownFactory(county=county, name="河口乡")


@pytest.fixture
def world(community_a):
    """A household of community A with a resident, a visit and a posted voucher of two lines."""
    household = f.HouseholdFactory(building__zone__community=community_a)
    resident = f.ResidentFactory(household=household)
    visit = Visit.objects.create(member=member_of(community_a), household=household, date=dt.date(2025, 5, 1))
    preparer, approver = bookkeepers(community_a)
    entry = receive(make_fund(community_a), Decimal("120.00"), preparer=preparer, approver=approver)
    return {"household": household, "resident": resident, "visit": visit, "entry": entry}


def rows(world) -> list:
    return [world["household"], world["resident"], world["visit"], world["entry"], *world["entry"].lines.all()]


def test_every_write_sets_them_from_the_parent_and_no_writer_sets_them_otherwise(world, community_a, community_b):
    for row in rows(world):
        assert units(row) == of(community_a, type(row)), type(row).__name__
    resident = world["resident"]
    assert resident.community_id is None, "the application never holds them: Python never decides by them"
    Resident.objects.filter(pk=resident.pk).update(community=community_b, town=None)  # a writer that tries
    resident.save()  # a save with the instance's empty ones
    with connection.cursor() as cursor:
        cursor.execute("UPDATE community_resident SET community_id = %s WHERE id = %s", [community_b.pk, resident.pk])
    assert units(resident) == of(community_a, Resident)
    no_stray_rows()


def test_rows_follow_their_parent_when_it_moves(world, community_a, community_b, other_town):
    household, resident, visit = world["household"], world["resident"], world["visit"]
    moved_to = f.HouseholdFactory(building__zone__community=community_b)
    resident.household = moved_to  # a resident moves house
    resident.save()
    assert units(resident) == of(community_b, Resident)
    resident.household = household  # and back
    resident.save()

    building, zone = household.building, household.building.zone
    building.zone = f.ZoneFactory(community=community_b)  # a building re-drawn into another community's zone
    building.save()
    assert [units(row) for row in (household, visit)] == [of(community_b, Household), of(community_b, Visit)]
    building.zone = zone
    building.save()
    zone.community = community_b  # a zone handed to another community
    zone.save()
    assert [units(row) for row in (household, visit)] == [of(community_b, Household), of(community_b, Visit)]
    zone.community = community_a
    zone.save()

    community_a.town = other_town  # a community moved to another town, with its posted ledger
    community_a.save()
    for row in rows(world):
        assert units(row) == of(community_a, type(row)), type(row).__name__
    no_stray_rows()


def test_a_posted_voucher_stays_immutable_but_for_its_unit_columns(world):
    line = world["entry"].lines.first()
    for sql in (
        "UPDATE funding_journalline SET amount = amount + 1 WHERE id = %s",
        "UPDATE funding_journalentry SET memo = 'x'"
        " WHERE id = (SELECT entry_id FROM funding_journalline WHERE id = %s)",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [line.pk])


def test_a_row_whose_parent_is_missing_is_refused_with_its_key(community_a):
    refused = "community_resident: household_id 999999999 is the key of no row"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        Resident.objects.create(household_id=999_999_999, name="无户", id_number=f.next_id_number())


@pytest.mark.parametrize(
    ("model", "lookup", "stored"),
    [
        (Resident, "household__building__zone__community", "community"),
        (Resident, "household__building__zone__community__town", "town"),
        (Resident, "household__building__zone__community__town__county", "town__county"),
        (Resident, "household__building", "household__building"),
        (Household, "building__zone__community__town", "town"),
        (Visit, "household__building__zone__community", "community"),
        (JournalLine, "entry__community__town__county", "town__county"),
        (JournalEntry, "community", "community"),  # its own column already
        (JournalEntry, "community__town", "town"),
        (JournalEntry, "community__town__county", "town__county"),
    ],
)
def test_stored_lookup_reads_the_unit_column_the_row_keeps(model, lookup, stored):
    assert stored_lookup(model, lookup) == stored


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
@pytest.mark.parametrize("level", ["town", "community"])
def test_the_scope_rule_filters_on_the_row_itself(model, level, staff_a, community_a):
    scope = Scope(level, county_id=community_a.town.county_id, town_id=community_a.town_id, community_id=community_a.pk)
    sql = str(model.objects.for_scope(scope).order_by("pk").query)  # (the default order may join)
    table = model._meta.db_table
    column = "town_id" if level == "town" else "community_id"  # a voucher's community is its own column already
    assert f'"{table}"."{column}" =' in sql
    assert "JOIN" not in sql, "no join to reach the unit"


def test_one_row_is_judged_by_where_it_would_go_not_by_its_columns(staff_a, staff_b, community_a):
    household = f.HouseholdFactory(building__zone__community=community_a)
    unsaved = Resident(household=household, name="新居民", id_number=f.next_id_number())
    assert unsaved.community_id is None
    assert reaches(scope_of(staff_a), unsaved, "add") and not reaches(scope_of(staff_b), unsaved, "add")


def test_the_apis_community_filter_reads_the_unit_column(world, community_a, community_b):
    """``?community=`` on the households, residents, visits and ledger lines: on the row, not four joins away."""
    from community.filters import HouseholdFilter, ResidentFilter
    from funding.filters import LineFilter
    from partybuild.filters import VisitFilter

    for filterset, model in (
        (HouseholdFilter, Household),
        (ResidentFilter, Resident),
        (VisitFilter, Visit),
        (LineFilter, JournalLine),
    ):
        mine = filterset({"community": community_a.pk}, queryset=model.objects.order_by("pk")).qs
        sql = str(mine.query)
        assert f'"{model._meta.db_table}"."community_id" =' in sql and "JOIN" not in sql, model.__name__
        assert mine.exists()
        assert not filterset({"community": community_b.pk}, queryset=model.objects.all()).qs.exists()
