"""Recusal at any time (issue 20): a relation recorded after scoring voids the examiner's scores of the
related applicant, recomputes the panel score (highest and lowest dropped), the composite and the ranking,
and during publicity says so on the campaign's public record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from staffing import actions
from staffing.models import Application, CampaignNote, ExaminerRelation, InterviewScore

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def scored(build):
    def make():
        b = build(n=2).review()
        b.written({b.apps[0].exam_number: Decimal("80"), b.apps[1].exam_number: Decimal("80")})
        b.refresh()
        first = [Decimal("100"), Decimal("100")] + [Decimal("80")] * 5
        second = [Decimal("82")] * 7
        for app, scores in zip(b.apps, (first, second), strict=True):
            actions.interview_panel_record(
                by=b.by, application_id=app.pk, scores={e.pk: s for e, s in zip(b.examiners, scores, strict=True)}
            )
        return b

    return make


def _publish(b):
    actions.interview_publish(by=b.by, campaign_id=b.campaign.pk, on=D(2024, 3, 15))
    actions.campaign_rank(by=b.by, campaign_id=b.campaign.pk, on=D(2024, 3, 15))
    return b.refresh()


def test_a_late_recusal_voids_the_score_and_recomputes_panel_composite_and_ranking(scored):
    b = scored()
    first, second = _publish(b)
    assert (first.interview_score, first.composite_score, first.rank) == (Decimal("84.00"), Decimal("82.40"), 1)
    assert (second.composite_score, second.rank) == (Decimal("81.20"), 2)
    actions.relation_declare(
        by=b.by, examiner_id=b.examiners[1].pk, applicant_id=first.applicant_id, relation="表兄弟", on=D(2024, 3, 16)
    )
    first, second = b.refresh()
    assert not InterviewScore.objects.filter(application=first, examiner=b.examiners[1]).exists()
    assert InterviewScore.objects.filter(application=first).count() == 6
    assert InterviewScore.objects.filter(application=second).count() == 7  # the other applicant's are untouched
    assert (first.interview_score, first.composite_score, first.rank) == (Decimal("80.00"), Decimal("80.00"), 2)
    assert (second.composite_score, second.rank) == (Decimal("81.20"), 1)
    assert ExaminerRelation.objects.filter(examiner=b.examiners[1], applicant=first.applicant).exists()
    assert not CampaignNote.objects.filter(campaign=b.campaign).exists()  # publicity has not started
    voided = InterviewScore.history.filter(application_id=first.pk, examiner_id=b.examiners[1].pk).first()
    assert voided.history_type == "-" and "Recusal" in voided.history_change_reason


def test_during_publicity_the_recusal_is_noted_on_the_public_record(client, scored):
    b = scored()
    _publish(b)
    b.inspect().publicise()
    first = Application.objects.get(pk=b.apps[0].pk)
    actions.relation_declare(
        by=b.by, examiner_id=b.examiners[0].pk, applicant_id=first.applicant_id, relation="同学", on=D(2024, 3, 26)
    )
    note = CampaignNote.objects.get(campaign=b.campaign)
    assert first.exam_number in note.text and "84.00 → 80.00" in note.text and "1 → 2" in note.text
    for name in ("staffing:publicity", "staffing:announcement"):
        page = client.get(reverse(name, args=[b.campaign.pk])).content.decode()
        assert first.exam_number in page and "84.00 → 80.00" in page


def test_before_publication_the_score_is_only_voided(scored):
    b = scored()
    first = b.apps[0]
    actions.relation_declare(by=b.by, examiner_id=b.examiners[1].pk, applicant_id=first.applicant_id, relation="邻居")
    first.refresh_from_db()
    assert first.interview_score is None and InterviewScore.objects.filter(application=first).count() == 6
    with pytest.raises(ValidationError, match="Recusal"):  # and the related examiner cannot score again
        actions.interview_panel_record(by=b.by, application_id=first.pk, scores={b.examiners[1].pk: "90"})
    _publish(b)
    first.refresh_from_db()
    assert first.interview_score == Decimal("80.00")


def test_a_recusal_that_would_leave_fewer_than_three_scores_is_refused_whole(build):
    b = build(n=1).review().written()
    app = b.refresh()[0]
    actions.interview_panel_record(by=b.by, application_id=app.pk, scores={e.pk: "80" for e in b.examiners[:3]})
    _publish(b)
    with pytest.raises(ValidationError, match="at least three"):
        actions.relation_declare(by=b.by, examiner_id=b.examiners[0].pk, applicant_id=app.applicant_id, relation="亲属")
    assert InterviewScore.objects.filter(application=app).count() == 3
    assert not ExaminerRelation.objects.filter(applicant=app.applicant).exists()
