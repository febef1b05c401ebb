"""Public pages: exam numbers, masked names and scores — never ID numbers, phones or full names."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from staffing.models import Objection

pytestmark = pytest.mark.django_db


def test_public_pages_show_what_the_rules_require_and_nothing_more(client, build):
    b = build(n=4).upto("publicise")
    pages = [
        client.get(reverse("staffing:list")),
        client.get(reverse("staffing:announcement", args=[b.campaign.pk])),
        client.get(reverse("staffing:scores", args=[b.campaign.pk])),
        client.get(reverse("staffing:publicity", args=[b.campaign.pk])),
    ]
    assert all(p.status_code == 200 for p in pages)
    scores, publicity = pages[2].content.decode(), pages[3].content.decode()
    for app in b.apps:
        assert app.exam_number in scores
        for html in (scores, publicity, pages[1].content.decode()):
            assert app.applicant.id_number not in html
            assert app.applicant.phone not in html
            assert app.applicant.name not in html
    assert "张*0" in publicity and b.apps[0].exam_number in publicity
    assert "<script" not in publicity


def test_draft_campaign_is_not_public(client, cadre, community_a):
    from staffing import actions

    campaign = actions.campaign_create(by=cadre, town=community_a.town, title="草稿", announcement="x")
    assert client.get(reverse("staffing:announcement", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("staffing:scores", args=[campaign.pk])).status_code == 404


def test_scores_are_not_shown_before_publication(client, build):
    b = build(n=3).review()
    from staffing import actions

    actions.written_scores_record(by=b.by, campaign_id=b.campaign.pk, scores={a.exam_number: "77.5" for a in b.apps})
    page = client.get(reverse("staffing:scores", args=[b.campaign.pk])).content.decode()
    assert "77.50" not in page and "77.5" not in page


def test_objection_form_validates_and_is_rate_limited(client, build):
    cache.clear()
    b = build(n=3).upto("publicise")
    url = reverse("staffing:publicity", args=[b.campaign.pk])
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and not Objection.objects.exists()
    unknown = client.post(url, {"text": "有问题", "exam_number": "99999999"})
    assert unknown.status_code == 400 and not Objection.objects.exists()
    ok = client.post(url, {"text": "对第一名的学历有疑问", "exam_number": b.apps[0].exam_number})
    assert ok.status_code == 302 and Objection.objects.count() == 1
    statuses = [client.post(url, {"text": f"第{i}条"}).status_code for i in range(6)]
    assert 429 in statuses
    assert Objection.objects.count() <= 5


def test_score_list_by_post_and_a_long_campaign_asks_for_a_post(client, build, community_b, monkeypatch):
    from staffing import selectors
    from staffing.models import Post

    b = build(n=4).upto("written")
    url = reverse("staffing:scores", args=[b.campaign.pk])
    page = client.get(url).content.decode()
    assert all(a.exam_number in page for a in b.apps)
    assert "?post=" not in page  # one post: no picker

    other = Post.objects.create(campaign=b.campaign, community=community_b, title="网格员", headcount=1)
    monkeypatch.setattr(selectors, "PUBLIC_SCORES_AT_ONCE", 3)
    page = client.get(url).content.decode()
    assert not any(a.exam_number in page for a in b.apps)
    assert f"?post={b.post.pk}" in page and f"?post={other.pk}" in page
    by_post = client.get(url, {"post": b.post.pk}).content.decode()
    assert all(a.exam_number in by_post for a in b.apps)
    assert not any(a.exam_number in client.get(url, {"post": other.pk}).content.decode() for a in b.apps)
    assert client.get(url, {"post": 999999}).status_code == 404
    assert client.get(url, {"post": "abc"}).status_code == 404
