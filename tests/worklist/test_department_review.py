"""The county's review of departments: tasks handed down beside the commitments and activities they give."""

import datetime as dt

import pytest

from community.choices import DepartmentCode, ScopeLevel
from community.dashboard import Period
from community.departments import ASKS, GIVES, department_review, departments_of
from community.scoping import Scope
from tests.conftest import assert_flat
from tests.services import factories as sf
from tests.worklist import factories as wf
from worklist.choices import IssuerKind

pytestmark = pytest.mark.django_db

YEAR = Period("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def county_scope(county):
    return Scope(ScopeLevel.COUNTY, county_id=county.pk)


def hand_down(community, dept, n):
    for _ in range(n):
        wf.assignment(community, issuer_kind=IssuerKind.DEPARTMENT, dept=dept)


def test_review_lays_out_each_department_side_by_side(county, community_a, community_b):
    justice = wf.department(county, DepartmentCode.JUSTICE)
    health = wf.department(county, DepartmentCode.HEALTH)
    hand_down(community_a, justice, 3)
    hand_down(community_b, justice, 1)
    hand_down(community_a, health, 1)
    sf.commitment(community_a, department=justice)
    sf.activity(community_a, department=justice)
    for _ in range(3):
        sf.activity(community_b, department=health, date=dt.date(2026, 6, 1))
    sf.activity(community_b, department=health, date=dt.date(2025, 6, 1))  # another year: not counted

    review = department_review(county_scope(county), YEAR)

    assert review.values["tasks_handed_down"] == {justice.pk: 4, health.pk: 1}
    assert review.values["commitments"] == {justice.pk: 1}
    assert review.values["activities_held"] == {justice.pk: 1, health.pk: 3}
    assert review.side_total(justice.pk, ASKS) == 4
    assert review.side_total(justice.pk, GIVES) == 1  # commitments are shown, not counted as given
    assert review.asking_more_than_giving() == [justice.name]


def test_section_on_the_dashboard_and_scoped_to_the_community(county, community_a, community_b):
    from community.dashboard import SECTIONS

    justice = wf.department(county, DepartmentCode.JUSTICE)
    hand_down(community_a, justice, 2)
    hand_down(community_b, justice, 5)

    indicators = {i.key: i for i in SECTIONS["departments"].fn(county_scope(county), YEAR)}
    assert indicators["department_tasks_handed_down"].value == 7
    assert indicators["departments_asking_more"].value == 1
    chart = indicators["department_tasks_handed_down"].chart
    assert justice.name in chart["yAxis"]["data"]

    only_a = Scope(ScopeLevel.COMMUNITY, county_id=county.pk, town_id=community_a.town_id, community_id=community_a.pk)
    indicators = {i.key: i for i in SECTIONS["departments"].fn(only_a, YEAR)}
    assert indicators["department_tasks_handed_down"].value == 2


def test_departments_of_another_county_stay_out(county, community_a):
    from tests import factories as f

    other = f.CountyFactory(name="邻县", code="330122")
    wf.department(other, DepartmentCode.JUSTICE)
    mine = wf.department(county, DepartmentCode.HEALTH)
    assert [d.pk for d in departments_of(county_scope(county))] == [mine.pk]


def test_query_count_does_not_grow_with_departments(county, community_a, count_queries):
    codes = list(DepartmentCode)
    first = wf.department(county, codes[0])
    hand_down(community_a, first, 1)
    sf.activity(community_a, department=first)
    with count_queries() as few:
        department_review(county_scope(county), YEAR)
    for code in codes[1:]:
        dept = wf.department(county, code)
        hand_down(community_a, dept, 2)
        sf.commitment(community_a, department=dept)
        sf.activity(community_a, department=dept)
    with count_queries() as many:
        review = department_review(county_scope(county), YEAR)
    assert len(review.departments) == len(codes)
    assert_flat(few, many)
