"""A small campaign built through the actions, stopped at the stage a test needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from staffing import actions
from staffing.choices import Education, Stage
from staffing.models import Application, Examiner
from tests import factories as f

D = dt.date


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English (the msgids); one test checks the Chinese catalogue."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def cadre(town):
    return f.town_cadre_of(town)


class Builder:
    """Campaign with one post of ``places`` in community A and ``n`` applicants (scores falling with k)."""

    def __init__(self, by, community, *, n=5, places=1, **rules):
        self.by = by
        self.community = community
        rules.setdefault("opening_ratio", Decimal("1"))
        self.campaign = actions.campaign_create(
            by=by, town=community.town, title=f"测试招考{community.pk}-{n}", announcement="公告正文", **rules
        )
        self.post = actions.post_add(
            by=by, campaign_id=self.campaign.pk, community=community, title="专职工作者", headcount=places, max_age=40
        )
        actions.campaign_announce(by=by, campaign_id=self.campaign.pk, on=D(2024, 3, 1))
        self.apps = [
            actions.applicant_register(
                by=by,
                post_id=self.post.pk,
                name=f"张{'三四五六七八九十'[k % 8]}{k}",
                id_number=f.next_id_number(birth=D(1990, 1, 1 + k)),
                phone="13812345678",
                education=Education.COLLEGE,
                on=D(2024, 3, 2),
            )
            for k in range(n)
        ]
        self.examiners = [actions.examiner_add(by=by, campaign=self.campaign, name=f"考官{j}") for j in range(7)]

    def refresh(self) -> list[Application]:
        self.apps = [Application.objects.get(pk=a.pk) for a in self.apps]
        return self.apps

    def review(self):
        actions.eligibility_review(by=self.by, campaign_id=self.campaign.pk, on=D(2024, 3, 5))
        return self

    def written(self, scores=None):
        scores = scores or {a.exam_number: Decimal(90 - 2 * k) for k, a in enumerate(self.apps)}
        actions.written_scores_record(by=self.by, campaign_id=self.campaign.pk, scores=scores, on=D(2024, 3, 9))
        actions.written_scores_publish(by=self.by, campaign_id=self.campaign.pk, on=D(2024, 3, 10))
        return self

    def interview(self, centre=80, skip=()):
        for k, app in enumerate(self.refresh()):
            if app.stage == Stage.SHORTLISTED and k not in skip:
                actions.interview_panel_record(
                    by=self.by,
                    application_id=app.pk,
                    scores={e.pk: Decimal(centre - k + j - 3) for j, e in enumerate(self.examiners)},
                )
        actions.interview_publish(by=self.by, campaign_id=self.campaign.pk, on=D(2024, 3, 15))
        actions.campaign_rank(by=self.by, campaign_id=self.campaign.pk, on=D(2024, 3, 15))
        return self

    def inspect(self):
        actions.inspection_start(by=self.by, campaign_id=self.campaign.pk, on=D(2024, 3, 18))
        return self

    def publicise(self, on=None):
        actions.publicity_start(by=self.by, campaign_id=self.campaign.pk, on=on or D(2024, 3, 25))
        return self

    def upto(self, stage):
        steps = ["review", "written", "interview", "inspect", "publicise"]
        for step in steps[: steps.index(stage) + 1]:
            getattr(self, step)()
        self.refresh()
        return self


@pytest.fixture
def build(cadre, community_a):
    def make(**kwargs):
        return Builder(cadre, community_a, **kwargs)

    return make


__all__ = ["Builder", "Examiner"]
