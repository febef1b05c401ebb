"""A list's community is chosen through the unit tree: the county's towns, then a town's communities.

Every community-owned changelist filters by its unit (``?unit=town-3``) in place of a list of every community of
the county (``ScopedAdminMixin.get_list_filter``); the choices are the units the user reaches, one level at a time
(``selectors.unit_choices``), in one query.
"""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from community import selectors
from community.models import Resident
from community.scoping import scope_of
from funding.models import JournalEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(county, town, community_a, community_b):
    east = f.TownFactory(county=county, name="东门镇")
    community_c = f.CommunityFactory(town=east, name="河埠社区")
    other = f.CommunityFactory(town=f.TownFactory(county=f.CountyFactory(name="别县", code="340122")), name="远方社区")
    make = f.SCOPED_FACTORIES["community.Resident"]
    residents = {c.pk: make(c) for c in (community_a, community_b, community_c, other)}
    return {"east": east, "c": community_c, "other": other, "residents": residents}


def _choices(client, url, **params):
    page = client.get(url, params).content.decode()
    unit = r'<details data-filter-title="单位"[^>]*>\s*<summary>[^<]*</summary>\s*<ul>(.*?)</ul>'
    block = re.search(unit, page, re.S)
    links = re.findall(r'<li( class="selected")?>\s*<a href="\?([^"]*)">([^<]*)</a>', block.group(1) if block else "")
    return [(query, name.strip("\u3000 "), bool(selected)) for selected, query, name in links], page


def test_a_county_official_goes_from_the_towns_to_a_towns_communities(
    client, official, town, community_a, community_b, tree
):
    client.force_login(official)
    url = "/admin/community/resident/"
    top, page = _choices(client, url)
    assert [name for _q, name, _s in top] == ["全部", town.name, tree["east"].name]
    assert community_a.name not in [name for _q, name, _s in top]

    in_town, page = _choices(client, url, unit=f"town-{town.pk}")
    assert [(name, selected) for _q, name, selected in in_town[1:]] == [
        (town.name, True),
        (community_a.name, False),
        ("西湖社区", False),
    ]
    listed = {resident.pk for resident in client.get(url, {"unit": f"town-{town.pk}"}).context["cl"].result_list}
    assert listed == {tree["residents"][community_a.pk].pk, tree["residents"][community_b.pk].pk}

    siblings, _page = _choices(client, url, unit=f"community-{community_a.pk}")
    assert [(name, selected) for _q, name, selected in siblings[1:]] == [
        (town.name, False),
        (community_a.name, True),
        ("西湖社区", False),
    ]


def test_a_unit_outside_the_scope_is_neither_named_nor_listed(client, official, tree):
    client.force_login(official)
    other = tree["other"]
    for unit in (f"community-{other.pk}", f"town-{other.town_id}", f"county-{other.town.county_id}", "town-x", "-1"):
        response = client.get("/admin/community/resident/", {"unit": unit})
        assert response.status_code == 200
        page = response.content.decode()
        assert other.name not in page and other.town.name not in page and "别县" not in page
        assert tree["residents"][other.pk].pk not in {r.pk for r in response.context["cl"].result_list}


def test_community_staff_get_no_unit_choices_and_a_town_cadre_gets_the_towns_communities(
    client, staff_a, town, community_a, community_b, tree
):
    client.force_login(staff_a)
    page = client.get("/admin/community/resident/").content.decode()
    assert 'data-filter-title="单位"' not in page
    # a link to another community is applied, not ignored: no rows, rather than their own list
    other = client.get("/admin/community/resident/", {"unit": f"community-{community_b.pk}"})
    assert other.context["cl"].result_count == 0 and community_b.name not in other.content.decode()
    own = client.get("/admin/community/resident/", {"unit": f"community-{community_a.pk}"})
    assert own.context["cl"].result_count == 1
    cadre = f.town_cadre_of(town)
    assert selectors.unit_choices(scope=scope_of(cadre), unit=None) == [
        (f"community-{community_a.pk}", community_a.name),
        (f"community-{community_b.pk}", community_b.name),
    ]


def test_the_choices_are_one_query(official, tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.unit_choices(scope=scope_of(official), unit=("community", tree["c"].pk))


def test_a_list_naming_the_community_and_its_town_filters_through_the_unit_instead():
    request = RequestFactory().get("/")
    request.user = f.official_of(f.CountyFactory(name="示范县", code="330998"))
    for model in (JournalEntry, Resident):
        entries = admin.site._registry[model].get_list_filter(request)
        units = [entry for entry in entries if getattr(entry, "community_path", None)]
        assert len(units) == 1
        named = [entry[0] if isinstance(entry, tuple) else entry for entry in entries]
        assert not {"community", "community__town", "household__building__zone__community"} & set(named)


def test_the_request_lists_building_filter_offers_one_chosen_communitys_buildings(
    client, official, staff_a, community_a, community_b
):
    make = f.SCOPED_FACTORIES["community.Building"]
    mine, theirs = make(community_a), make(community_b)
    url = "/admin/services/servicerequest/"

    def offered(user, **params):
        client.force_login(user)
        page = client.get(url, params).content.decode()
        return {int(pk) for pk in re.findall(r'href="\?(?:[^"]*&amp;)?building=(\d+)', page)}

    assert offered(official) == set()  # a county's buildings: choose the community first
    assert offered(official, unit=f"community-{community_b.pk}") == {theirs.pk}
    assert offered(staff_a) == {mine.pk}
    assert offered(staff_a, unit=f"community-{community_b.pk}") == set()  # not theirs to list
