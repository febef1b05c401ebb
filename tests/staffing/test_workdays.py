"""The working-day calendar the platform owns (issue 20): property tests of the arithmetic over the table,
no Monday-to-Friday fallback, the sync from chinesecalendar, the county's edits, the check and the warning."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffing import checks
from staffing.actions import calendar as calendar_actions
from staffing.calendar_models import CalendarYear, WorkdayOverride
from staffing.choices import CalendarSource
from staffing.workdays import Calendar, add_working_days, count_working_days, coverage
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
FAR = [2101, 2102]  # years no library knows: the test enters their schedules itself
ONE = dt.timedelta(days=1)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

days_in_far_years = st.dates(min_value=D(2101, 1, 1), max_value=D(2102, 12, 31))
overrides = st.dictionaries(days_in_far_years, st.booleans(), max_size=40)


def _oracle(start: dt.date, n: int, table: dict, years: set) -> dt.date:
    day, counted = start, 0
    while True:
        if day.year not in years:
            raise LookupError(day.year)
        if table.get(day, day.weekday() < 5):
            counted += 1
            if counted == n:
                return day
        day += ONE


def _enter(years, table):
    CalendarYear.objects.bulk_create(CalendarYear(year=y) for y in years)
    WorkdayOverride.objects.bulk_create(WorkdayOverride(date=d, is_workday=w) for d, w in table.items())


@PROPERTY
@given(table=overrides, start=st.dates(min_value=D(2101, 1, 1), max_value=D(2102, 10, 31)), n=st.integers(1, 30))
def test_adding_working_days_follows_the_table(table, start, n):
    with transaction.atomic():
        _enter(FAR, table)
        try:
            expected = _oracle(start, n, table, set(FAR))
        except LookupError:
            with pytest.raises(ValidationError) as exc:
                add_working_days(start, n)
            assert exc.value.code == "calendar_missing"
        else:
            end = add_working_days(start, n)
            assert end == expected
            assert Calendar.load(end, end).is_workday(end)  # a period ends on a working day
            assert count_working_days(start, end) == n  # and holds exactly n of them
            if n > 1:
                assert add_working_days(start, n - 1) < end
        transaction.set_rollback(True)


@PROPERTY
@given(table=overrides, start=days_in_far_years, n=st.integers(1, 400))
def test_a_range_entering_a_year_without_schedule_is_refused(table, start, n):
    """2102 is left out: any count that reaches it is refused, never counted Monday to Friday."""
    with transaction.atomic():
        _enter([2101], table)
        if start.year == 2102:
            with pytest.raises(ValidationError, match="no holiday schedule for 2102"):
                add_working_days(start, n)
        else:
            try:
                expected = _oracle(start, n, table, {2101})
            except LookupError:
                with pytest.raises(ValidationError, match="2102"):
                    add_working_days(start, n)
            else:
                assert add_working_days(start, n) == expected
        transaction.set_rollback(True)


@PROPERTY
@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 11, 1)), n=st.integers(1, 20))
def test_the_synced_years_agree_with_chinesecalendar(start, n):
    end = add_working_days(start, n)
    assert chinese_calendar.is_workday(end)
    assert sum(chinese_calendar.is_workday(start + ONE * i) for i in range((end - start).days + 1)) == n


def test_the_sync_is_idempotent_and_keeps_the_countys_edits():
    assert CalendarYear.objects.filter(source=CalendarSource.LIBRARY, year__in=range(2004, 2027)).count() == 23
    spring = WorkdayOverride.objects.get(date=D(2026, 2, 16))
    assert (spring.is_workday, spring.holiday) == (False, "春节")
    WorkdayOverride.objects.filter(date=D(2026, 2, 16)).update(note="county edit")
    assert calendar_actions.calendar_sync() == []
    assert WorkdayOverride.objects.get(date=D(2026, 2, 16)).note == "county edit"
    CalendarYear.objects.filter(year=2025).delete()
    WorkdayOverride.objects.filter(date__year=2025).delete()
    call_command("sync_workday_calendar", "--year", "2025")
    assert CalendarYear.objects.filter(year=2025).exists()
    assert WorkdayOverride.objects.get(date=D(2025, 1, 26)).is_workday  # a make-up Sunday


def test_2027_is_refused_until_the_county_enters_it(official):
    assert not CalendarYear.objects.filter(year=2027).exists()
    with pytest.raises(ValidationError, match="no holiday schedule for 2027"):
        add_working_days(D(2027, 2, 4), 7)
    with pytest.raises(ValidationError, match="2027"):
        add_working_days(D(2026, 12, 28), 7)  # starts in 2026, runs into 2027
    calendar_actions.calendar_year_save(by=official, year=CalendarYear(year=2027, notice="国办发明电〔2026〕"))
    for day in range(5, 13):
        calendar_actions.calendar_day_save(
            by=official, day=WorkdayOverride(date=D(2027, 2, day), is_workday=False, holiday="春节")
        )
    assert add_working_days(D(2027, 2, 4), 7) == D(2027, 2, 22)  # not 02-12, inside the holiday
    assert (
        CalendarYear.history.filter(year=2027).count() == 1
        and WorkdayOverride.history.filter(date=D(2027, 2, 5)).exists()
    )


def test_only_the_county_edits_the_calendar(town):
    cadre = f.town_cadre_of(town)
    with pytest.raises(PermissionDenied):
        calendar_actions.calendar_year_save(by=cadre, year=CalendarYear(year=2027))
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_weekday_cannot_be_a_make_up_day(official):
    calendar_actions.calendar_year_save(by=official, year=CalendarYear(year=2027))
    with pytest.raises(ValidationError, match="weekday"):
        calendar_actions.calendar_day_save(by=official, day=WorkdayOverride(date=D(2027, 3, 3), is_workday=True))
    assert not WorkdayOverride.objects.filter(date=D(2027, 3, 3)).exists()


def test_the_county_enters_a_year_in_the_admin_and_a_cadre_cannot(client, official, town):
    client.force_login(official)
    page = client.post(reverse("admin:staffing_calendaryear_add"), {"year": "2027", "notice": "国办发明电"})
    assert page.status_code == 302 and CalendarYear.objects.get(year=2027).source == CalendarSource.COUNTY
    bad = client.post(
        reverse("admin:staffing_workdayoverride_add"), {"date": "2027-03-03", "is_workday": "on", "holiday": "x"}
    )
    assert bad.status_code == 200 and "weekday" in bad.content.decode()
    assert not WorkdayOverride.objects.filter(date=D(2027, 3, 3)).exists()
    ok = client.post(reverse("admin:staffing_workdayoverride_add"), {"date": "2027-01-30", "is_workday": "on"})
    assert ok.status_code == 302 and WorkdayOverride.objects.get(date=D(2027, 1, 30)).is_workday
    client.force_login(f.town_cadre_of(town))
    refused = client.post(reverse("admin:staffing_calendaryear_add"), {"year": "2028"})
    assert refused.status_code == 403 and not CalendarYear.objects.filter(year=2028).exists()


def test_admin_calendar_lists_have_flat_query_counts(client, official, count_queries):
    from tests.conftest import assert_flat

    client.force_login(official)
    for name in ("admin:staffing_calendaryear_changelist", "admin:staffing_workdayoverride_changelist"):
        client.get(reverse(name))  # warm the caches (content types, the user's permissions)
        with count_queries() as few:
            assert client.get(reverse(name)).status_code == 200
        CalendarYear.objects.bulk_create(CalendarYear(year=y) for y in range(2150, 2160))
        WorkdayOverride.objects.bulk_create(
            WorkdayOverride(date=D(2150, 1, 1) + ONE * i, is_workday=False) for i in range(40)
        )
        with count_queries() as many:
            client.get(reverse(name))
        assert_flat(few, many)
        CalendarYear.objects.filter(year__gte=2150).delete()
        WorkdayOverride.objects.filter(date__year=2150).delete()


def test_the_check_and_the_dashboard_warn_60_days_ahead(monkeypatch, official):
    from community.dashboard import SECTIONS, Period

    assert coverage(D(2026, 10, 31)).warn is False  # 61 days left
    assert coverage(D(2026, 11, 1)).warn is True  # 60 days left
    assert coverage(D(2027, 1, 5)).last_year is None
    monkeypatch.setattr("staffing.workdays.timezone.localdate", lambda: D(2026, 12, 6))
    warnings = checks.calendar_runs_out(databases=["default"])
    assert [w.id for w in warnings] == ["staffing.W001"] and "2027" in warnings[0].msg
    assert checks.calendar_runs_out(databases=None) == []
    figure = SECTIONS["staffing_calendar"].fn(None, Period.parse("month", "2026-12"))[0]
    assert figure.value == 25 and "Warning" in str(figure.label)
    calendar_actions.calendar_year_save(by=official, year=CalendarYear(year=2027))
    assert checks.calendar_runs_out(databases=["default"]) == []
    figure = SECTIONS["staffing_calendar"].fn(None, Period.parse("month", "2026-12"))[0]
    assert figure.value == 390 and "Warning" not in str(figure.label)
