"""The town secretary's page: see which households nobody covers, drill down, and assign there."""

import pytest
from django.test import Client
from django.urls import reverse

from partybuild.models import Assignment
from tests import factories as f
from tests.conftest import assert_flat
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db
URL = "/partybuild/coverage/"


@pytest.fixture
def scene(town, community_a, community_b):
    member = pf.member_of(community_a, name="张党员")
    covered = pf.household_in(community_a)
    bare = pf.household_in(community_a, covered.building)
    elsewhere = pf.household_in(community_b)
    pf.cover(member, covered)
    return {"member": member, "covered": covered, "bare": bare, "elsewhere": elsewhere}


def test_town_secretary_sees_uncovered_households_with_a_suggestion(client, town, scene):
    client.force_login(f.town_cadre_of(town))
    response = client.get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r.household.pk for r in rows} == {scene["bare"].pk, scene["elsewhere"].pk}
    suggested = next(r for r in rows if r.household.pk == scene["bare"].pk).suggestion
    assert suggested.member == scene["member"] and suggested.why == "building"
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and "<script>" not in page
    assert "无人包联的居民户" in page and "同楼栋" in page  # the app's zh_Hans catalogue is loaded
    assert f'id="household-{scene["covered"].pk}"' not in page
    children = response.context["children"]
    assert {c[1]: c[4] for c in children} == {
        scene["bare"].building.zone.community_id: 1,
        scene["elsewhere"].building.zone.community_id: 1,
    }


def test_drill_down_to_a_building(client, town, scene):
    client.force_login(f.town_cadre_of(town))
    building = scene["bare"].building
    response = client.get(URL, {"level": "building", "id": building.pk})
    assert response.status_code == 200
    assert [r.household.pk for r in response.context["rows"]] == [scene["bare"].pk]
    crumbs = [level for level, _unit in response.context["breadcrumbs"]]
    assert crumbs == ["county", "town", "community", "zone"]


def test_assign_from_the_page(client, town, scene):
    client.force_login(f.town_cadre_of(town))
    response = client.post(
        reverse("partybuild:coverage-assign"),
        {"household": scene["bare"].pk, "member": scene["member"].pk, "next": URL},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == URL
    assert "张党员" in response.content.decode()
    assert Assignment.objects.filter(household=scene["bare"], end__isnull=True).get().member == scene["member"]
    assert scene["bare"].pk not in {r.household.pk for r in response.context["rows"]}


def test_assign_errors_are_clear_messages_and_write_nothing(client, town, scene):
    client.force_login(f.town_cadre_of(town))
    response = client.post(
        reverse("partybuild:coverage-assign"),
        {"household": scene["covered"].pk, "member": scene["member"].pk, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == URL  # an outside "next" is ignored
    shown = [str(m) for m in response.context["messages"]]
    assert any("张党员" in m for m in shown), shown
    foreign = client.post(
        reverse("partybuild:coverage-assign"),
        {"household": scene["elsewhere"].pk, "member": scene["member"].pk},
        follow=True,
    )
    assert foreign.status_code == 200 and len(list(foreign.context["messages"])) == 1
    junk = client.post(reverse("partybuild:coverage-assign"), {"household": "x", "member": ""}, follow=True)
    assert junk.status_code == 200
    assert Assignment.objects.count() == 1


def test_assign_needs_the_csrf_token(town, scene):
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.town_cadre_of(town))
    response = client.post(
        reverse("partybuild:coverage-assign"), {"household": scene["bare"].pk, "member": scene["member"].pk}
    )
    assert response.status_code == 403
    assert Assignment.objects.count() == 1


def test_scope_of_the_page(client, scene, staff_b, official, community_a):
    assert client.get(URL).status_code == 302  # login first
    client.force_login(staff_b)
    assert client.get(URL, {"level": "community", "id": community_a.pk}).status_code == 403
    assert client.get(URL, {"level": "zone", "id": scene["bare"].building.zone_id}).status_code == 404
    assert client.get(URL, {"level": "street", "id": 1}).status_code == 404
    own = client.get(URL)
    assert [r.household.pk for r in own.context["rows"]] == [scene["elsewhere"].pk]
    response = client.post(
        reverse("partybuild:coverage-assign"),
        {"household": scene["bare"].pk, "member": scene["member"].pk},
        follow=True,
    )
    assert len(list(response.context["messages"])) == 1 and Assignment.objects.count() == 1
    client.force_login(official)  # county officials read, but may not assign
    page = client.get(URL)
    assert page.status_code == 200 and not page.context["can_assign"]
    assert 'name="member"' not in page.content.decode()


def test_page_query_count_is_flat(client, town, community_a, count_queries):
    client.force_login(f.town_cadre_of(town))
    for _ in range(2):
        pf.member_of(community_a)
        pf.household_in(community_a)
    client.get(URL)
    with count_queries() as few:
        client.get(URL)
    for _ in range(10):
        pf.member_of(community_a)
        pf.household_in(community_a)
    with count_queries() as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 12
    assert_flat(few, many)


def test_page_is_paginated(client, town, community_a):
    client.force_login(f.town_cadre_of(town))
    first = pf.household_in(community_a)
    for _ in range(29):
        pf.household_in(community_a, first.building)
    page_two = client.get(URL, {"page": 2})
    assert len(page_two.context["rows"]) == 5 and page_two.context["page"].paginator.count == 30
    assert client.get(URL, {"page": "zz"}).status_code == 200


def test_each_household_offers_the_suggestion_and_the_lightest_members_only(client, town, community_a):
    client.force_login(f.town_cadre_of(town))
    pf.household_in(community_a)  # uncovered, in a building of its own
    busy = pf.member_of(community_a, name="忙碌党员")
    elsewhere = pf.household_in(community_a)
    pf.cover(busy, elsewhere)
    for _ in range(2):
        pf.cover(busy, pf.household_in(community_a, elsewhere.building))
    for n in range(20):
        pf.member_of(community_a, name=f"党员{n}")
    response = client.get(URL)
    for row in response.context["rows"]:
        assert len(row.candidates) == 12
        assert row.candidates[0] == row.suggestion.member
        assert busy not in row.candidates  # 20 lighter members come first
        assert all(m.organisation.community_id == community_a.pk for m in row.candidates)
    page = response.content.decode()
    assert page.count("<option") == 12 * len(response.context["rows"])
