"""The API under /api/v1/partybuild/…: scoped lists with flat query counts; bad input is a 400 and writes nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from partybuild.choices import CoverageRole, PositionRole
from partybuild.models import Assignment, Liaison, PartyMember, Visit
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
LISTS = {
    "partyorganisation-list": "partybuild.PartyOrganisation",
    "partymember-list": "partybuild.PartyMember",
    "partyposition-list": "partybuild.Position",
    "partyliaison-list": "partybuild.Liaison",
    "partyassignment-list": "partybuild.Assignment",
    "partyvisit-list": "partybuild.Visit",
    "partyvisitsdue-list": "partybuild.VisitsDueNotice",
    "partycoveragereport-list": "partybuild.CoverageReport",
}


@pytest.mark.parametrize("url_name", LISTS)
def test_lists_query_count_is_flat(url_name, client, staff_a, community_a, count_queries):
    client.force_login(staff_a)
    make = f.SCOPED_FACTORIES[LISTS[url_name]]
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        assert client.get(reverse(url_name)).status_code == 200
    for _ in range(8):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert len(response.json()["results"]) >= 9
    assert_flat(few, many)


def post(client, name, data):
    return client.post(reverse(name), data, content_type="application/json")


def test_assign_through_the_api(client, staff_a, community_a):
    client.force_login(staff_a)
    member, household = pf.member_of(community_a), pf.household_in(community_a)
    response = post(
        client, "partyassignment-list", {"member": member.pk, "role": "household", "household": household.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["member_name"] == member.name and response.json()["community"] == community_a.pk
    listed = client.get(reverse("partymember-list")).json()["results"]
    assert next(m for m in listed if m["id"] == member.pk)["load"] == 1


@pytest.mark.parametrize(
    "case,field",
    [
        ("other_community", "household"),
        ("wrong_level", "role"),
        ("second_coverer", "detail"),
        ("no_target", "household"),
        ("bad_role", "role"),
    ],
)
def test_bad_assignments_are_400_and_write_nothing(case, field, client, town_cadre, community_a, community_b):
    client.force_login(town_cadre)
    member, household = pf.member_of(community_a), pf.household_in(community_a)
    data = {"member": member.pk, "role": "household", "household": household.pk}
    if case == "other_community":
        data["household"] = pf.household_in(community_b).pk
    elif case == "wrong_level":
        data = {"member": member.pk, "role": "building", "building": household.building_id}
    elif case == "second_coverer":
        pf.cover(pf.member_of(community_a), household)
    elif case == "no_target":
        del data["household"]
    elif case == "bad_role":
        data["role"] = "street"
    before = Assignment.objects.count()
    response = post(client, "partyassignment-list", data)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Assignment.objects.count() == before


def test_household_of_another_scope_is_a_field_error(client, staff_a, community_a, community_b):
    client.force_login(staff_a)
    data = {"member": pf.member_of(community_a).pk, "role": "household", "household": pf.household_in(community_b).pk}
    response = post(client, "partyassignment-list", data)
    assert response.status_code == 400 and "household" in response.json()
    assert not Assignment.objects.exists()


def test_end_handover_and_bulk_endpoints(client, staff_a, community_a):
    client.force_login(staff_a)
    giver, taker = pf.member_of(community_a), pf.member_of(community_a)
    household = pf.household_in(community_a)
    assignment = pf.cover(giver, household)
    url = reverse("partyassignment-handover", args=[assignment.pk])
    assert client.post(url, {"to_member": giver.pk}, content_type="application/json").status_code == 400
    assert Assignment.objects.get(pk=assignment.pk).end is None  # nothing half-done
    response = client.post(url, {"to_member": taker.pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["replaces"] == assignment.pk
    new_id = response.json()["id"]
    ended = client.post(
        reverse("partyassignment-end", args=[new_id]), {"end_reason": "bogus"}, content_type="application/json"
    )
    assert ended.status_code == 400
    ended = client.post(
        reverse("partyassignment-end", args=[new_id]), {"end_reason": "moved"}, content_type="application/json"
    )
    assert ended.status_code == 200 and ended.json()["end_reason"] == "moved"
    building = f.BuildingFactory(zone=household.building.zone)
    for _ in range(4):
        f.HouseholdFactory(building=building)
    bulk = post(
        client, "partyassignment-bulk-assign-building", {"building": building.pk, "members": [giver.pk, taker.pk]}
    )
    assert bulk.status_code == 201 and len(bulk.json()) == 4
    again = post(client, "partyassignment-bulk-assign-building", {"building": building.pk, "members": [giver.pk]})
    assert again.status_code == 400


def test_transfer_out_endpoint(client, staff_a, community_a):
    client.force_login(staff_a)
    member = pf.member_of(community_a)
    pf.cover(member, pf.household_in(community_a))
    url = reverse("partymember-transfer-out", args=[member.pk])
    assert client.post(url, {"left_reason": "transferred_out"}, content_type="application/json").status_code == 400
    response = client.post(
        url, {"left_reason": "transferred_out", "destination": "县直机关党委"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["left_to"] == "县直机关党委"
    assert not Assignment.objects.filter(member=member, end__isnull=True).exists()
    assert client.post(url, {"left_reason": "moved"}, content_type="application/json").status_code == 400


def test_member_create_joins_the_branch_liaison(client, staff_a, community_a, community_b):
    client.force_login(staff_a)
    branch = pf.branch_of(community_a)
    response = post(client, "partymember-list", {"name": "新党员", "organisation": branch.pk, "kind": "serving"})
    assert response.status_code == 201, response.content
    member = PartyMember.objects.get(pk=response.json()["id"])
    assert Liaison.objects.get(to_member=member).from_org == branch
    bad = post(client, "partymember-list", {"name": "外来", "organisation": pf.branch_of(community_b).pk})
    assert bad.status_code == 400 and "organisation" in bad.json()
    bad = post(client, "partymember-list", {"name": "外来", "organisation": branch.pk, "status": "honorary"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_visits_through_the_api_flag_non_coverers(client, staff_a, community_a):
    client.force_login(staff_a)
    household, coverer, other = pf.household_in(community_a), pf.member_of(community_a), pf.member_of(community_a)
    pf.cover(coverer, household)
    ok = post(client, "partyvisit-list", {"member": coverer.pk, "household": household.pk, "date": "2025-03-01"})
    flagged = post(
        client,
        "partyvisit-list",
        {"member": other.pk, "household": household.pk, "date": "2025-03-01", "raised": "下水道堵塞"},
    )
    assert ok.status_code == flagged.status_code == 201
    assert ok.json()["by_coverer"] is True and flagged.json()["by_coverer"] is False
    assert flagged.json()["needs_follow_up"] is True
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    bad = post(client, "partyvisit-list", {"member": other.pk, "household": household.pk, "date": future})
    assert bad.status_code == 400 and "date" in bad.json()
    assert Visit.objects.count() == 2
    link = client.post(
        reverse("partyvisit-link-request", args=[flagged.json()["id"]]),
        {"request_code": "SR7F3K"},
        content_type="application/json",
    )
    assert link.status_code == 200 and link.json()["service_request_code"] == "SR7F3K"
    listed = client.get(reverse("partyvisit-list"), {"by_coverer": "false"}).json()["results"]
    assert [v["id"] for v in listed] == [flagged.json()["id"]]


def test_positions_and_liaisons_through_the_api(client, town, community_a):
    cadre = f.town_cadre_of(town)
    client.force_login(cadre)
    secretary, other = pf.member_of(community_a), pf.member_of(community_a)
    branch = pf.branch_of(community_a)
    data = {"member": secretary.pk, "organisation": branch.pk, "role": "branch_secretary"}
    assert post(client, "partyposition-list", data).status_code == 201
    second = post(client, "partyposition-list", {**data, "member": other.pk})
    assert second.status_code == 400 and "role" in second.json()
    officer = pf.officer_of(town, PositionRole.COMMITTEE_SECRETARY)
    link = {"kind": "member_secretary", "from_member": officer.pk, "to_member": secretary.pk}
    response = post(client, "partyliaison-list", link)
    assert response.status_code == 201 and response.json()["community"] == community_a.pk
    wrong = post(client, "partyliaison-list", {**link, "to_member": other.pk})
    assert wrong.status_code == 400 and "to_member" in wrong.json()
    point = post(client, "partyassignment-list", {"member": officer.pk, "role": "point", "community": community_a.pk})
    assert point.status_code == 201, point.content
    assert Assignment.objects.get(role=CoverageRole.POINT).member == officer


def test_coverage_endpoint_drills_down(client, town, community_a, community_b, staff_b):
    cadre = f.town_cadre_of(town)
    member = pf.member_of(community_a)
    covered, bare = pf.household_in(community_a), pf.household_in(community_a)
    pf.cover(member, covered)
    client.force_login(cadre)
    body = client.get(reverse("partycoverage-list")).json()
    assert body["level"] == "town" and body["uncovered_households"] == 1
    assert {c["id"]: c["uncovered"] for c in body["children"]} == {community_a.pk: 1}
    row = next(c for c in body["communities"] if c["id"] == community_a.pk)
    assert row["households"] == 2 and row["uncovered"] == 1
    zone = client.get(reverse("partycoverage-list"), {"level": "zone", "id": bare.building.zone_id}).json()
    assert zone["uncovered_households"] == 1 and zone["children"][0]["level"] == "building"
    client.force_login(staff_b)
    assert client.get(reverse("partycoverage-list"), {"level": "community", "id": community_a.pk}).status_code == 403
    assert client.get(reverse("partycoverage-list"), {"level": "zone", "id": bare.building.zone_id}).status_code == 404


def test_department_liaison_sees_nothing(client, county, community_a):
    from community.choices import Role, ScopeLevel

    pf.member_of(community_a)
    department = f.DepartmentFactory(county=county)
    user = f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=department)
    client.force_login(user)
    assert client.get(reverse("partymember-list")).status_code == 403
