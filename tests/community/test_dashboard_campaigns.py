"""The campaign picker: staffing figures are of one campaign the official picks (default: the latest),
never of all history; every link on the page keeps the choice; a campaign not of this unit is refused
without a 500 and without telling whether it exists elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from community import reporting
from community.dashboard import Period, Target, campaign_choice
from staffing.choices import CampaignKind, Stage
from tests import factories as f
from tests.conftest import assert_flat
from tests.staffing.factories import application_in, campaign_in, post_in

pytestmark = pytest.mark.django_db

YEAR = {"period": "year", "value": "2025"}


def _campaign(town, community, announced, applicants, hired=0, title=None):
    made = campaign_in(
        town, kind=CampaignKind.RECRUITMENT, announced_on=announced, title=title or f"招考{announced:%Y%m%d}"
    )
    post = post_in(community, made)
    for n in range(applicants):
        application_in(community, post, stage=Stage.HIRED if n < hired else Stage.REVIEWED)
    return made


@pytest.fixture
def campaigns(town, community_a):
    """An earlier campaign (112 applicants, 8 hired, as in the seed) and a later one (4 applicants, 1 hired)."""
    earlier = _campaign(town, community_a, dt.date(2025, 3, 1), 112, hired=8, title="城关镇公开招考（一）")
    later = _campaign(town, community_a, dt.date(2025, 9, 1), 4, hired=1, title="城关镇公开招考（二）")
    return earlier, later


def _figures(response) -> dict:
    return {ind.key: ind for sec, inds in response.context["sections"] if sec.key == "staffing" for ind in inds}


def _page(client, community, **params):
    return client.get(reverse("dashboard:index"), {"scope": "community", "id": community.pk, **YEAR, **params})


def test_the_latest_campaign_by_default_and_the_picked_one_on_request(client, official, community_a, campaigns):
    earlier, later = campaigns
    client.force_login(official)
    figures = _figures(_page(client, community_a))
    assert (figures["recruitment_applicants"].value, figures["recruitment_hired"].value) == (4, 1)  # never 116 / 9
    picked = _page(client, community_a, campaign=earlier.pk)
    figures = _figures(picked)
    assert (figures["recruitment_applicants"].value, figures["recruitment_hired"].value) == (112, 8)
    assert figures["recruitment_hired"].note == str(earlier)
    assert figures["recruitment_hired"].when(Period.parse("year", "2025")).startswith("2025-03-01")
    # the hired figure's link lists exactly the 8 hired of that campaign
    assert client.get(figures["recruitment_hired"].link).context["cl"].result_count == 8
    assert client.get(figures["recruitment_applicants"].link).context["cl"].result_count == 112


def test_the_picker_sits_in_the_period_form_and_every_link_keeps_the_choice(
    client, official, town, community_a, community_b, campaigns
):
    earlier, later = campaigns
    client.force_login(official)
    body = _page(client, community_a, campaign=earlier.pk).content.decode()
    form = body[body.index('class="period-picker"') : body.index("</form>", body.index('class="period-picker"'))]
    assert 'name="campaign"' in form
    assert f'<option value="{earlier.pk}" selected>' in form
    assert f'<option value="{later.pk}" >' in form
    assert form.index(str(later)) < form.index(str(earlier))  # latest first
    keep = f"campaign={earlier.pk}"
    assert body.count(keep) >= 3  # the wall-screen switch, "compute now" / breadcrumbs
    town_page = client.get(
        reverse("dashboard:index"), {"scope": "town", "id": town.pk, **YEAR, "campaign": earlier.pk}
    ).content.decode()
    drill = town_page[town_page.index('class="drill"') : town_page.index("</nav>", town_page.index('class="drill"'))]
    assert drill.count(keep) == 2  # both communities' drill-down links


def test_a_campaign_of_another_unit_or_garbage_is_refused_without_a_500_or_a_leak(
    client, official, county, community_a, campaigns
):
    earlier, later = campaigns
    other_county = f.CountyFactory(name="邻县", code="330998")
    stranger = f.CommunityFactory(town=f.TownFactory(county=other_county))
    secret = _campaign(stranger.town, stranger, dt.date(2025, 10, 1), 3, title="邻县机密招考")
    client.force_login(official)
    for value in (secret.pk, 10**12, "abc", "-1", "1 OR 1=1", "\x00", "²"):
        response = _page(client, community_a, campaign=value)
        assert response.status_code == 200, value
        assert _figures(response)["recruitment_applicants"].value == 4  # the latest of this unit, not the stranger's
        body = response.content.decode()
        assert "邻县机密招考" not in body
        assert body.count('<li class="warning">') == 1  # said once, whatever was sent
        api = client.get("/api/v1/dashboard/", {"scope": "community", "id": community_a.pk, **YEAR, "campaign": value})
        assert api.status_code == 400, value
        assert "邻县机密招考" not in api.content.decode()
    # the refusal reads the same whether the campaign exists elsewhere or not at all: nothing leaks
    existing = _page(client, community_a, campaign=secret.pk).content.decode().replace(str(secret.pk), "N")
    missing = _page(client, community_a, campaign=10**12).content.decode().replace(str(10**12), "N")
    assert existing.count('class="warning"') == missing.count('class="warning"') == 1
    # a town cadre of the other county cannot pick this county's campaign either
    cadre = f.town_cadre_of(stranger.town)
    client.force_login(cadre)
    response = client.get(
        reverse("dashboard:index"),
        {"scope": "community", "id": stranger.pk, **YEAR, "campaign": earlier.pk},
    )
    assert response.status_code == 200
    assert _figures(response)["recruitment_applicants"].value == 3
    assert str(earlier) not in response.content.decode()


def test_the_api_names_the_campaigns_and_the_picked_one(client, official, community_a, campaigns):
    earlier, later = campaigns
    client.force_login(official)
    body = client.get(
        "/api/v1/dashboard/", {"scope": "community", "id": community_a.pk, **YEAR, "campaign": earlier.pk}
    ).json()
    pickers = {p["kind"]: p for p in body["campaigns"]}
    assert pickers[CampaignKind.RECRUITMENT]["selected"] == earlier.pk
    assert [o["id"] for o in pickers[CampaignKind.RECRUITMENT]["options"]] == [later.pk, earlier.pk]
    staffing = next(s for s in body["sections"] if s["key"] == "staffing")
    figures = {i["key"]: i for i in staffing["indicators"]}
    assert figures["recruitment_applicants"]["value"] == 112
    assert figures["recruitment_hired"]["value"] == 8
    assert figures["recruitment_applicants"]["since"] == "2025-03-01"


def test_a_picked_campaign_is_computed_live_over_the_precomputed_payload(
    client, official, town, community_a, campaigns
):
    earlier, later = campaigns
    target = Target("town", town)
    period = Period.parse("year", "2025")
    reporting.dashboard_payload_store(target=target, period=period, language="zh-hans")
    default = reporting.dashboard_read(target=target, period=period, choice=campaign_choice(target.scope(), period))
    assert default.as_of is not None  # the payload holds each kind's latest campaign
    choice = campaign_choice(target.scope(), period, [str(earlier.pk)])
    picked = reporting.dashboard_read(target=target, period=period, choice=choice)
    assert picked.as_of is None
    figures = {i.key: i.value for sec, inds in picked.collected if sec.key == "staffing" for i in inds}
    assert figures["recruitment_hired"] == 8
    # naming the latest campaign is the default: the payload still serves it
    assert not campaign_choice(target.scope(), period, [str(later.pk)]).picked


def test_a_campaign_announced_after_the_period_is_no_choice_for_it(official, town, community_a, campaigns):
    earlier, later = campaigns
    scope = Target("community", community_a).scope()
    spring = Period.parse("month", "2025-04")
    choice = campaign_choice(scope, spring, [str(later.pk)])
    assert choice.refused == [str(later.pk)]
    (recruitment,) = [p for p in choice.pickers if p.kind == CampaignKind.RECRUITMENT]
    assert recruitment.selected == earlier.pk and [pk for pk, _label in recruitment.options] == [earlier.pk]


def test_the_picker_keeps_a_flat_query_count(client, official, town, community_a, count_queries):
    client.force_login(official)
    first = _campaign(town, community_a, dt.date(2025, 1, 1), 2)
    _page(client, community_a, campaign=first.pk)  # warm caches
    with count_queries() as few:
        assert _page(client, community_a, campaign=first.pk).status_code == 200
    for month in range(2, 12):
        _campaign(town, community_a, dt.date(2025, month, 1), 5, hired=1)
    with count_queries() as many:
        assert _page(client, community_a, campaign=first.pk).status_code == 200
    assert_flat(few, many)
