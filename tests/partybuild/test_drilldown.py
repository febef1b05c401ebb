"""The indicators' drill-down county → town → community → zone → building (API and page), the
assignments' history through the API, and flat query counts of the coverage endpoint."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partybuild import actions
from partybuild.choices import CoverageRole, EndReason, PositionRole
from partybuild.models import Assignment, Visit
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
URL = "/partybuild/coverage/"


@pytest.fixture
def network(town, community_a, community_b):
    """Community A: a zone covered by its branch secretary, a covered and visited household, a bare one."""
    secretary = pf.holder(community_a, PositionRole.BRANCH_SECRETARY, name="李书记")
    covered = pf.household_in(community_a)
    bare = pf.household_in(community_a, covered.building)
    zone = covered.building.zone
    Assignment.objects.create(
        member=secretary, role=CoverageRole.ZONE, community=community_a, zone=zone, start=pf.SINCE
    )
    pf.cover(secretary, covered)
    Visit.objects.create(member=secretary, household=covered, date=timezone.localdate() - dt.timedelta(days=40))
    elsewhere = pf.household_in(community_b)
    return {"secretary": secretary, "covered": covered, "bare": bare, "zone": zone, "elsewhere": elsewhere}


def _coverage(client, **params):
    response = client.get(reverse("partycoverage-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_level_of_the_drill_down(client, county, town, community_a, community_b, network, official):
    client.force_login(official)
    top = _coverage(client)
    assert top["level"] == "county" and top["uncovered_households"] == 2
    assert [(c["level"], c["id"], c["households"], c["uncovered"]) for c in top["children"]] == [
        ("town", town.pk, 3, 2)
    ]
    assert top["children"][0]["coverer"] is None
    in_town = _coverage(client, level="town", id=town.pk)
    rows = {c["id"]: c for c in in_town["children"]}
    assert rows[community_a.pk]["uncovered"] == 1 and rows[community_a.pk]["visited_90"] == 1
    assert rows[community_a.pk]["visited_30"] == 0  # the visit was 40 days ago
    assert rows[community_a.pk]["coverer"] is None  # nobody covers the community itself (包点)
    assert {r["id"] for r in in_town["communities"]} == {community_a.pk, community_b.pk}
    in_community = _coverage(client, level="community", id=community_a.pk)
    zones = {c["id"]: c for c in in_community["children"]}
    assert zones[network["zone"].pk]["coverer"] == "李书记"
    assert [r["id"] for r in in_community["communities"]] == [community_a.pk]
    in_zone = _coverage(client, level="zone", id=network["zone"].pk)
    buildings = in_zone["children"]
    assert [(b["level"], b["id"], b["households"], b["uncovered"]) for b in buildings] == [
        ("building", network["bare"].building_id, 2, 1)
    ]
    assert buildings[0]["coverer"] is None  # nobody covers the building (包楼)
    in_building = _coverage(client, level="building", id=network["bare"].building_id)
    assert in_building["uncovered_households"] == 1 and in_building["children"] == []


def test_the_page_shows_who_covers_each_unit(client, town, community_a, network):
    client.force_login(f.town_cadre_of(town))
    page = client.get(URL, {"level": "community", "id": community_a.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert "李书记" in text  # the zone's coverer on its chip
    building = client.get(URL, {"level": "zone", "id": network["zone"].pk}).content.decode()
    assert "无人包联" in building  # the building nobody covers is flagged (zh_Hans)


def test_coverage_endpoint_query_count_is_flat(client, town, community_a, community_b, official, count_queries):
    client.force_login(official)
    secretary = pf.holder(community_a, PositionRole.BRANCH_SECRETARY)

    def grow(n):
        for _ in range(n):
            household = pf.household_in(community_a)
            member = pf.member_of(community_a)
            pf.cover(member, household)
            Visit.objects.create(member=member, household=household, date=timezone.localdate())
            pf.household_in(community_b)
        Assignment.objects.create(
            member=secretary,
            role=CoverageRole.BUILDING,
            community=community_a,
            building=household.building,
            start=pf.SINCE,
        )

    grow(1)
    _coverage(client)
    with count_queries() as few:
        _coverage(client, level="town", id=town.pk)
    grow(6)
    with count_queries() as many:
        body = _coverage(client, level="town", id=town.pk)
    assert len(body["members"]) >= 7
    assert_flat(few, many)


def test_assignment_history_through_the_api(client, staff_a, community_a, staff_b):
    client.force_login(staff_a)
    member, other = pf.member_of(community_a), pf.member_of(community_a)
    household = pf.household_in(community_a)
    created = actions.assignment_create(
        by=staff_a, member_id=member.pk, role=CoverageRole.HOUSEHOLD, target_id=household.pk, start=pf.SINCE
    )
    response = client.post(
        reverse("partyassignment-handover", args=[created.pk]), {"to_member": other.pk, "note": "调整"}
    )
    assert response.status_code == 201, response.content
    history = client.get(reverse("partyassignment-history", args=[created.pk]))
    assert history.status_code == 200
    versions = history.json()
    assert [v["history_type"] for v in versions] == ["+", "~"]
    assert versions[0]["end"] is None
    assert versions[-1]["end_reason"] == EndReason.REBALANCED and versions[-1]["end_note"] == "调整"
    assert versions[-1]["history_user"] == staff_a.username and versions[-1]["ended_by"] == staff_a.pk
    successor = client.get(reverse("partyassignment-history", args=[response.json()["id"]])).json()
    assert successor[0]["replaces"] == created.pk
    client.force_login(staff_b)  # another community's staff: no such assignment
    assert client.get(reverse("partyassignment-history", args=[created.pk])).status_code == 404


def test_admin_history_page_of_an_assignment(client, staff_a, community_a):
    client.force_login(staff_a)
    assignment = pf.cover(pf.member_of(community_a), pf.household_in(community_a))
    actions.assignment_end(by=staff_a, assignment_id=assignment.pk, reason=EndReason.MOVED, note="搬走")
    page = client.get(reverse("admin:partybuild_assignment_history", args=[assignment.pk]))
    assert page.status_code == 200
    assert assignment.history.count() == 2 and assignment.history.first().end_reason == EndReason.MOVED
