"""Ranking and the public score lists cost a fixed number of queries whatever the campaign's size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from staffing import actions, selectors
from staffing.choices import Stage
from tests.conftest import assert_flat
from tests.staffing.conftest import Builder

pytestmark = pytest.mark.django_db


def _interviewed(cadre, community, n):
    b = Builder(cadre, community, n=n, places=n, interview_ratio=1).review().written()
    for k, app in enumerate(b.refresh()):
        actions.interview_panel_record(
            by=cadre, application_id=app.pk, scores={e.pk: Decimal(80 - k % 5 + j) for j, e in enumerate(b.examiners)}
        )
    actions.interview_publish(by=cadre, campaign_id=b.campaign.pk, on=dt.date(2024, 3, 15))
    b.campaign.refresh_from_db()
    return b


def test_ranking_query_count_is_flat(cadre, community_a, community_b, count_queries):
    small = _interviewed(cadre, community_a, 3)
    big = _interviewed(cadre, community_b, 15)
    with count_queries() as few:
        actions.campaign_rank(by=cadre, campaign_id=small.campaign.pk)
    with count_queries() as many:
        ranked = actions.campaign_rank(by=cadre, campaign_id=big.campaign.pk)
    assert ranked == 15
    assert {a.stage for a in big.refresh()} == {Stage.RANKED}
    assert sorted(a.rank for a in big.apps) == list(range(1, 16))
    assert_flat(few, many)
    with count_queries() as few:
        selectors.public_scores(small.campaign)
    with count_queries() as many:
        rows = selectors.public_scores(big.campaign)
    assert len(rows["interview"]) == 15
    assert_flat(few, many)


def test_public_score_page_query_count_is_flat(client, cadre, community_a, community_b, count_queries):
    small = _interviewed(cadre, community_a, 2)
    big = _interviewed(cadre, community_b, 12)
    client.get(reverse("staffing:scores", args=[small.campaign.pk]))
    with count_queries() as few:
        client.get(reverse("staffing:scores", args=[small.campaign.pk]))
    with count_queries() as many:
        page = client.get(reverse("staffing:scores", args=[big.campaign.pk])).content.decode()
    assert all(a.exam_number in page for a in big.apps)
    assert_flat(few, many)
