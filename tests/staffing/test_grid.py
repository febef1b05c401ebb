"""The interview panel's grid in the admin: examiners × applicants of one post, entered at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from staffing import actions
from staffing.choices import Stage
from staffing.models import InterviewScore
from tests import factories as f
from tests.conftest import assert_flat

pytestmark = pytest.mark.django_db


def _url(b):
    return reverse("admin:staffing_campaign_interview_grid", args=[b.campaign.pk]) + f"?post={b.post.pk}"


def _shortlisted(b):
    return [a for a in b.refresh() if a.stage == Stage.SHORTLISTED]


def _grid(apps, examiners, value=lambda k, j: 80 - k + j):
    return {f"s-{a.pk}-{e.pk}": str(value(k, j)) for k, a in enumerate(apps) for j, e in enumerate(examiners)}


def test_grid_scores_a_post_at_once(client, cadre, build):
    b = build(n=4).upto("written")
    apps = _shortlisted(b)
    assert len(apps) == 3
    actions.relation_declare(
        by=cadre, examiner_id=b.examiners[0].pk, applicant_id=apps[0].applicant_id, relation="亲属"
    )
    client.force_login(cadre)
    page = client.get(_url(b))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(a.exam_number in html for a in apps) and all(e.name in html for e in b.examiners)
    assert f'name="s-{apps[0].pk}-{b.examiners[0].pk}"' not in html  # the relative's cell is not offered
    assert f'name="s-{apps[1].pk}-{b.examiners[0].pk}"' in html
    data = {"post": b.post.pk, **_grid(apps, b.examiners)}
    del data[f"s-{apps[0].pk}-{b.examiners[0].pk}"]
    saved = client.post(_url(b), data)
    assert saved.status_code == 302
    assert InterviewScore.objects.filter(application__post=b.post).count() == 3 * 7 - 1
    assert InterviewScore.objects.get(application=apps[2], examiner=b.examiners[6]).score == Decimal("84")
    # the grid shows what was saved; changing one cell and emptying another
    html = client.get(_url(b)).content.decode()
    assert 'value="84.00"' in html
    data[f"s-{apps[2].pk}-{b.examiners[6].pk}"] = "90.5"
    data[f"s-{apps[1].pk}-{b.examiners[5].pk}"] = ""
    assert client.post(_url(b), data).status_code == 302
    assert InterviewScore.objects.get(application=apps[2], examiner=b.examiners[6]).score == Decimal("90.5")
    assert not InterviewScore.objects.filter(application=apps[1], examiner=b.examiners[5]).exists()
    # the panel's scores go on to the published interview scores and the ranking
    actions.interview_publish(by=cadre, campaign_id=b.campaign.pk)
    assert {a.stage for a in _shortlisted(b)} == set()
    assert "published" in client.get(_url(b)).content.decode()


@pytest.mark.parametrize(
    ("bad", "message"),
    [("101", "between 0 and 100"), ("-1", "between 0 and 100"), ("80.125", "two decimals"), ("abc", "number")],
)
def test_grid_refuses_a_score_out_of_range_and_writes_nothing(client, cadre, build, bad, message):
    b = build(n=3).upto("written")
    apps = _shortlisted(b)
    client.force_login(cadre)
    data = {"post": b.post.pk, **_grid(apps, b.examiners)}
    data[f"s-{apps[1].pk}-{b.examiners[2].pk}"] = bad
    page = client.post(_url(b), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html and apps[1].exam_number in html
    assert f'value="{bad}"' in html  # what was typed stays in the grid
    assert not InterviewScore.objects.exists()


def test_grid_refuses_a_related_examiner(client, cadre, build):
    b = build(n=3).upto("written")
    apps = _shortlisted(b)
    actions.relation_declare(
        by=cadre, examiner_id=b.examiners[3].pk, applicant_id=apps[2].applicant_id, relation="同学"
    )
    client.force_login(cadre)
    data = {"post": b.post.pk, **_grid(apps, b.examiners)}  # a score typed into the relative's cell anyway
    page = client.post(_url(b), data)
    assert page.status_code == 200
    assert "recusal" in page.content.decode() and b.examiners[3].name in page.content.decode()
    assert not InterviewScore.objects.exists()
    with pytest.raises(ValidationError, match="recusal"):
        actions.interview_grid_record(
            by=cadre, post_id=b.post.pk, scores={(apps[2].pk, b.examiners[3].pk): Decimal("80")}
        )


def test_grid_action_rules(cadre, build):
    b = build(n=4).upto("written")
    apps = _shortlisted(b)
    failed = next(a for a in b.apps if a.stage == Stage.FAILED)
    with pytest.raises(ValidationError, match="shortlisted"):
        actions.interview_grid_record(by=cadre, post_id=b.post.pk, scores={(failed.pk, b.examiners[0].pk): "80"})
    other = build(n=1)
    with pytest.raises(ValidationError, match="panel"):
        actions.interview_grid_record(by=cadre, post_id=b.post.pk, scores={(apps[0].pk, other.examiners[0].pk): "80"})
    with pytest.raises(ValidationError, match="not one of this post"):
        actions.interview_grid_record(by=cadre, post_id=b.post.pk, scores={(other.apps[0].pk, b.examiners[0].pk): "80"})
    eighth = actions.examiner_add(by=cadre, campaign=b.campaign, name="考官8")
    scores = {(apps[0].pk, e.pk): "80" for e in [*b.examiners, eighth]}
    with pytest.raises(ValidationError, match="7 examiners"):
        actions.interview_grid_record(by=cadre, post_id=b.post.pk, scores=scores)
    assert not InterviewScore.objects.exists()
    stranger = f.town_cadre_of(f.TownFactory(county=b.post.community.town.county))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.interview_grid_record(by=stranger, post_id=b.post.pk, scores={(apps[0].pk, b.examiners[0].pk): "80"})


def test_grid_is_for_the_town_office_only(client, official, build):
    b = build(n=3).upto("written")
    client.force_login(official)  # the county reads, does not score
    assert client.get(_url(b)).status_code == 403


def test_grid_query_count_is_flat(client, cadre, community_a, community_b, count_queries):
    from tests.staffing.conftest import Builder

    small = Builder(cadre, community_a, n=2, places=1).review().written()
    big = Builder(cadre, community_b, n=12, places=4).review().written()
    client.force_login(cadre)
    client.get(_url(small))
    with count_queries() as few:
        client.get(_url(small))
    with count_queries() as many:
        page = client.get(_url(big))
    assert all(a.exam_number in page.content.decode() for a in _shortlisted(big))
    assert_flat(few, many)
    big_grid = {"post": big.post.pk, **_grid(_shortlisted(big), big.examiners)}
    small_grid = {"post": small.post.pk, **_grid(_shortlisted(small), small.examiners)}
    with count_queries() as few:
        assert client.post(_url(small), small_grid).status_code == 302
    with count_queries() as many:
        assert client.post(_url(big), big_grid).status_code == 302
    assert_flat(few, many)
    assert InterviewScore.objects.filter(application__post=big.post).count() == 12 * 7
