"""The public landing page and the officials' dashboard pages."""

import pytest
from django.urls import path, reverse

from community.templatetags.community_pages import chart_table
from config import urls as project_urls
from tests import factories as f
from tests.conftest import assert_flat


@pytest.mark.django_db
def test_landing_shows_towns_and_communities_without_personal_data(client, community_a, community_b):
    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    response = client.get(reverse("landing"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert community_a.town.name in html
    assert "东风社区" in html and "西湖社区" in html
    assert f'data-community="{community_a.code}"' in html
    assert resident.name not in html and resident.id_number not in html
    assert "<script>" not in html  # the CSP forbids inline script


def _community_page(request, code):
    from django.http import HttpResponse

    return HttpResponse(code)


# a URLconf for the test below: the project's, plus one page that takes a community code
urlpatterns = [
    path("test-services/<str:code>/ask/", _community_page, name="test-ask"),
    *project_urls.urlpatterns,  # not include(): config/urls.py includes each app under its namespace
]


@pytest.mark.django_db
@pytest.mark.urls("tests.community.test_pages")
def test_landing_offers_each_community_the_links_apps_declare(client, community_a, community_b, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("community")
    declared = [("test-ask", "求助"), ("healthz", "无参数"), ("no-such-page", "unrouted")]
    monkeypatch.setattr(config, "public_links", declared, raising=False)
    monkeypatch.setattr(config, "public_pages", [("healthz", "全县公开"), ("no-such-page", "unrouted")], raising=False)
    html = client.get(reverse("landing")).content.decode()
    for community in (community_a, community_b):
        assert f'href="/test-services/{community.code}/ask/">求助</a>' in html  # the code as URL argument
        assert f'href="/healthz?community={community.code}">无参数</a>' in html  # or as query
    assert html.count('href="/healthz">全县公开</a>') == 1  # county-wide pages once
    assert "unrouted" not in html
    monkeypatch.setattr(config, "public_links", [], raising=False)
    monkeypatch.setattr(config, "public_pages", [], raising=False)
    html = client.get(reverse("landing")).content.decode()
    assert "test-services" not in html and "全县公开" not in html


@pytest.mark.django_db
def test_landing_query_count_is_flat(client, town, count_queries):
    f.CommunityFactory(town=town)
    client.get(reverse("landing"))
    with count_queries() as few:
        client.get(reverse("landing"))
    for _ in range(10):
        f.CommunityFactory(town=f.TownFactory(county=town.county))
    with count_queries() as many:
        response = client.get(reverse("landing"))
    assert response.status_code == 200
    assert_flat(few, many)


@pytest.mark.django_db
def test_dashboard_requires_login(client, community_a):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_staff_get_own_dashboard_and_403_on_another_community(client, staff_a, community_a, community_b):
    f.SCOPED_FACTORIES["community.Resident"](community_a)
    client.force_login(staff_a)
    own = client.get(reverse("dashboard:index"))
    assert own.status_code == 200
    assert own.context["target"].obj == community_a
    assert own.context["target"].level == "community"
    other = client.get(reverse("dashboard:index"), {"scope": "community", "id": community_b.pk})
    assert other.status_code == 403
    town = client.get(reverse("dashboard:index"), {"scope": "town", "id": community_a.town_id})
    assert town.status_code == 403
    assert client.get(reverse("dashboard:index"), {"scope": "community", "id": 999999}).status_code == 404
    assert client.get(reverse("dashboard:index"), {"scope": "planet"}).status_code == 404


@pytest.mark.django_db
def test_official_drills_down_county_town_community(client, official, county, community_a, community_b):
    f.SCOPED_FACTORIES["community.Resident"](community_a)
    client.force_login(official)
    county_page = client.get(reverse("dashboard:index"))
    assert county_page.status_code == 200
    html = county_page.content.decode()
    town = community_a.town
    assert f"?scope=town&amp;id={town.pk}" in html
    town_page = client.get(reverse("dashboard:index"), {"scope": "town", "id": town.pk})
    html = town_page.content.decode()
    assert f"?scope=community&amp;id={community_a.pk}" in html
    assert f"?scope=community&amp;id={community_b.pk}" in html
    community_page = client.get(reverse("dashboard:index"), {"scope": "community", "id": community_a.pk})
    html = community_page.content.decode()
    assert f"?scope=county&amp;id={county.pk}" in html  # breadcrumbs back up
    assert f"?scope=town&amp;id={town.pk}" in html


@pytest.mark.django_db
def test_dashboard_figures_link_to_admin_lists_and_charts_have_tables(client, official, community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    f.ResidentFactory.create_batch(3, household=household)
    client.force_login(official)
    response = client.get(reverse("dashboard:index"))
    html = response.content.decode()
    assert 'href="/admin/community/resident/?unit=county-' in html  # each count opens exactly its rows
    assert 'href="/admin/community/household/?unit=county-' in html
    assert 'id="chart-data"' in html and "data-chart=" in html
    assert '<details class="chart-table">' in html
    assert f'<th scope="row">{community_a.name}</th><td>3</td>' in html  # residents of community A
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html


@pytest.mark.django_db
def test_dashboard_period_picker_and_wall_mode(client, official, community_a):
    client.force_login(official)
    quarter = client.get(reverse("dashboard:index"), {"period": "quarter", "value": "2026-Q4"})
    assert quarter.status_code == 200
    assert quarter.context["period"].label == "2026-Q4"
    year = client.get(reverse("dashboard:index"), {"period": "year", "value": "2025"})
    assert year.context["period"].start.isoformat() == "2025-01-01"
    wall = client.get(reverse("dashboard:index"), {"wall": "1"})
    assert 'class="dashboard wall"' in wall.content.decode()
    bad = client.get(reverse("dashboard:index"), {"period": "month", "value": "2026-13"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.content.decode()
    assert client.get(reverse("dashboard:index"), {"period": "decade"}).status_code == 400


@pytest.mark.django_db
def test_user_without_scope_is_refused(client, db):
    user = f.make_user(role="county_official")
    client.force_login(user)
    assert client.get(reverse("dashboard:index")).status_code == 403


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_rows(client, official, community_a, community_b, count_queries):
    client.force_login(official)
    for community in (community_a, community_b):
        f.SCOPED_FACTORIES["community.Resident"](community)
    client.get(reverse("dashboard:index"))  # warm caches
    with count_queries() as few:
        assert client.get(reverse("dashboard:index")).status_code == 200
    for community in (community_a, community_b):
        household = f.SCOPED_FACTORIES["community.Household"](community)
        f.ResidentFactory.create_batch(10, household=household)
        for _ in range(3):
            f.SCOPED_FACTORIES["community.Resident"](community)
    with count_queries() as many:
        assert client.get(reverse("dashboard:index")).status_code == 200
    assert_flat(few, many)


def test_chart_table_reads_bar_and_pie_options():
    from utilities.charts import bar_chart, pie_chart

    bar = chart_table(bar_chart(["东风", "西湖"], {"户数": [3, 4], "人数": [7.5, 9]}))
    assert bar == {"columns": ["户数", "人数"], "rows": [["东风", 3, 7.5], ["西湖", 4, 9]]}
    horizontal = chart_table(bar_chart(["甲"], {"n": [1]}, horizontal=True))
    assert horizontal["rows"] == [["甲", 1]]
    pie = chart_table(pie_chart([("党员", 15), ("群众", 15)]))
    assert pie["rows"] == [["党员", 15], ["群众", 15]]
    assert chart_table(None) is None
    assert chart_table({"series": []}) is None
