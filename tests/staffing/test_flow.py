"""The application stages, and every bad input of issue 5 refused with a clear message, nothing half-written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from staffing import actions
from staffing.choices import Stage
from staffing.models import (
    Applicant,
    Application,
    InterviewScore,
    Objection,
    ScoreCorrection,
    StaffMember,
    StageChange,
    WorkdayOverride,
)
from tests import factories as f

D = dt.date
pytestmark = pytest.mark.django_db


def test_full_recruitment_to_hire_records_every_transition(build, cadre):
    b = build(n=5).upto("publicise")
    first = b.apps[0]
    assert first.stage == Stage.PUBLICITY and first.rank == 1
    # 2024-03-25 (Mon) + 5 working days ends on Friday 2024-03-29
    assert first.publicity_end == D(2024, 3, 29)
    actions.publicity_conclude(by=cadre, campaign_id=b.campaign.pk, on=D(2024, 4, 1))
    actions.application_move(by=cadre, application_id=first.pk, to=Stage.ASSESSED, on=D(2024, 7, 1))
    actions.application_move(by=cadre, application_id=first.pk, to=Stage.HIRED, on=D(2024, 7, 2))
    member = StaffMember.objects.get(source_application=first)
    assert member.community == b.community and member.origin == "recruited" and member.start == D(2024, 4, 1)
    changes = list(StageChange.objects.filter(application=first).order_by("id"))
    assert [c.new for c in changes][-3:] == [Stage.PROBATION, Stage.ASSESSED, Stage.HIRED]
    assert all(c.by == cadre and c.at is not None for c in changes)
    actions.campaign_close(by=cadre, campaign_id=b.campaign.pk, on=D(2024, 7, 2))
    left = Application.objects.filter(post=b.post).exclude(pk=first.pk)
    assert set(left.values_list("stage", flat=True)) == {Stage.FAILED}


def test_out_of_order_transition_is_refused(build, cadre):
    b = build(n=3)
    app = b.apps[0]
    with pytest.raises(ValidationError, match="stages go in order"):
        actions.application_move(by=cadre, application_id=app.pk, to=Stage.HIRED)
    with pytest.raises(ValidationError, match="reason"):
        actions.application_move(by=cadre, application_id=app.pk, to=Stage.WITHDRAWN)
    app.refresh_from_db()
    assert app.stage == Stage.REGISTERED and not StageChange.objects.filter(application=app).exists()
    actions.application_move(by=cadre, application_id=app.pk, to=Stage.WITHDRAWN, reason="本人放弃")
    app.refresh_from_db()
    assert app.stage == Stage.WITHDRAWN and app.exit_reason == "本人放弃"


def test_duplicate_applicant_is_refused(build, cadre):
    b = build(n=2)
    number = b.apps[0].applicant.id_number
    before = (Applicant.objects.count(), Application.objects.count())
    with pytest.raises(ValidationError, match="one applicant per ID number"):
        actions.applicant_register(
            by=cadre, post_id=b.post.pk, name="重复", id_number=number.lower(), education="college"
        )
    assert (Applicant.objects.count(), Application.objects.count()) == before


def test_score_out_of_range_refuses_the_whole_batch(build, cadre):
    b = build(n=3).review()
    scores = {b.apps[0].exam_number: "88", b.apps[1].exam_number: "101", b.apps[2].exam_number: "-1"}
    with pytest.raises(ValidationError) as exc:
        actions.written_scores_record(by=cadre, campaign_id=b.campaign.pk, scores=scores)
    assert "between 0 and 100" in str(exc.value) and b.apps[1].exam_number in str(exc.value)
    assert not Application.objects.filter(written_score__isnull=False).exists()
    with pytest.raises(ValidationError, match="two decimals"):
        actions.written_scores_record(by=cadre, campaign_id=b.campaign.pk, scores={b.apps[0].exam_number: "80.123"})


def test_examiner_cannot_score_a_relative(build, cadre):
    b = build(n=3).review().written()
    app = b.refresh()[0]
    actions.relation_declare(by=cadre, examiner_id=b.examiners[0].pk, applicant_id=app.applicant_id, relation="舅舅")
    with pytest.raises(ValidationError, match="Recusal"):
        actions.interview_panel_record(
            by=cadre, application_id=app.pk, scores={e.pk: Decimal("80") for e in b.examiners}
        )
    assert not InterviewScore.objects.filter(application=app).exists()
    # the other six may score; the average drops the highest and lowest of them
    actions.interview_panel_record(
        by=cadre, application_id=app.pk, scores={e.pk: Decimal(70 + j) for j, e in enumerate(b.examiners[1:])}
    )
    assert InterviewScore.objects.filter(application=app).count() == 6  # a late relation: see test_recusal.py


def test_hiring_before_publicity_ends_or_with_an_open_objection_is_refused(build, cadre):
    b = build(n=4).upto("publicise")
    app = b.apps[0]
    with pytest.raises(ValidationError, match="publicity period has run out"):
        actions.application_move(by=cadre, application_id=app.pk, to=Stage.PROBATION, on=D(2024, 3, 29))
    with pytest.raises(ValidationError, match="publicity period"):
        actions.publicity_conclude(by=cadre, campaign_id=b.campaign.pk, on=D(2024, 3, 27))
    objection = actions.objection_lodge(campaign_id=b.campaign.pk, exam_number=app.exam_number, text="学历存疑")
    with pytest.raises(ValidationError, match="objection"):
        actions.application_move(by=cadre, application_id=app.pk, to=Stage.PROBATION, on=D(2024, 4, 1))
    app.refresh_from_db()
    assert app.stage == Stage.PUBLICITY
    actions.objection_resolve(by=cadre, objection_id=objection.pk, upheld=False, resolution="经核实学历真实")
    actions.application_move(by=cadre, application_id=app.pk, to=Stage.PROBATION, on=D(2024, 4, 1))
    app.refresh_from_db()
    assert app.stage == Stage.PROBATION
    with pytest.raises(ValidationError, match="probation of 3 months"):
        actions.application_move(by=cadre, application_id=app.pk, to=Stage.ASSESSED, on=D(2024, 5, 1))


def test_upheld_objection_removes_and_refills(build, cadre):
    b = build(n=4).upto("publicise")
    first, second = b.apps[0], b.apps[1]
    assert second.stage == Stage.RANKED and second.rank == 2
    objection = actions.objection_lodge(campaign_id=b.campaign.pk, exam_number=first.exam_number, text="不符合条件")
    actions.objection_resolve(by=cadre, objection_id=objection.pk, upheld=True, resolution="户籍不符")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stage == Stage.FAILED and "户籍不符" in first.exit_reason
    assert second.stage == Stage.INSPECTION  # 递补
    assert Objection.objects.get(pk=objection.pk).status == "upheld"


def test_working_day_overrides_extend_publicity(build, cadre):
    WorkdayOverride.objects.create(date=D(2024, 3, 27), is_workday=False, note="本地停工")
    b = build(n=2).upto("publicise")
    assert b.apps[0].publicity_end == D(2024, 4, 1)  # one day later: Monday after the weekend


def test_shortlist_keeps_everyone_tied_at_the_cut_off(build, cadre):
    b = build(n=6).review()
    # one place, ratio 1:3: the third score 80 is shared by three people → five go through
    scores = dict(zip([a.exam_number for a in b.apps], ["90", "85", "80", "80", "80", "70"], strict=True))
    b.written(scores)
    stages = [a.stage for a in b.refresh()]
    assert stages == [Stage.SHORTLISTED] * 5 + [Stage.FAILED]
    assert "interview entry ratio" in b.apps[5].exit_reason


def test_uncontested_post_needs_seventy(build, cadre):
    b = build(n=1).review().written()
    b.interview(centre=65)  # the only interviewee: the pass mark is 70, not 60
    app = b.refresh()[0]
    assert app.stage == Stage.FAILED and "70" in app.exit_reason


def test_published_scores_are_corrected_only_with_a_reason(build, cadre):
    b = build(n=3).upto("interview")
    app = b.apps[0]
    with pytest.raises(ValidationError, match="published"):
        actions.written_scores_record(by=cadre, campaign_id=b.campaign.pk, scores={app.exam_number: "99"})
    with pytest.raises(ValidationError, match="reason"):
        actions.score_correct(by=cadre, application_id=app.pk, kind="written", new="89", reason=" ")
    old_composite = app.composite_score
    actions.score_correct(by=cadre, application_id=app.pk, kind="written", new="80", reason="复核发现登分错误")
    app.refresh_from_db()
    assert app.written_score == Decimal("80") and app.composite_score == old_composite - Decimal("4.00")
    correction = ScoreCorrection.objects.get(application=app)
    assert correction.old == Decimal("90") and correction.by == cadre
    assert app.history.first().history_change_reason == "复核发现登分错误"
    examiner = b.examiners[0]
    actions.score_correct(
        by=cadre, application_id=app.pk, kind="interview", new="100", reason="考官笔误", examiner_id=examiner.pk
    )
    score = InterviewScore.objects.get(application=app, examiner=examiner)
    assert score.score == Decimal("100") and score.history.count() == 2


def test_scope_is_checked(build, community_b, town):
    b = build(n=1)
    staff_b = f.staff_of(community_b)
    with pytest.raises(PermissionDenied):
        actions.eligibility_review(by=staff_b, campaign_id=b.campaign.pk)
    with pytest.raises(PermissionDenied):
        actions.application_move(by=staff_b, application_id=b.apps[0].pk, to=Stage.REVIEWED)
    other_town = f.TownFactory(county=town.county)
    with pytest.raises(PermissionDenied):
        actions.campaign_create(by=f.town_cadre_of(other_town), town=town, title="越权")


def test_competitive_placement_places_and_retires(cadre, community_a):
    incumbents = [f.SCOPED_FACTORIES["staffing.StaffMember"](community_a) for _ in range(4)]
    campaign = actions.campaign_create(
        by=cadre, town=community_a.town, title="竞争上岗", kind="placement", announcement="竞争上岗公告"
    )
    post = actions.post_add(by=cadre, campaign_id=campaign.pk, community=community_a, title="委员", headcount=2)
    actions.campaign_announce(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 2))
    with pytest.raises(ValidationError, match="incumbent"):
        actions.applicant_register(
            by=cadre, post_id=post.pk, name="外人", id_number=f.next_id_number(), education="college"
        )
    apps = [
        actions.applicant_register(
            by=cadre, post_id=post.pk, name=m.name, id_number=m.id_number, education=m.education, incumbent=m
        )
        for m in incumbents
    ]
    actions.eligibility_review(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 5))
    actions.written_scores_record(
        by=cadre, campaign_id=campaign.pk, scores={a.exam_number: 90 - k for k, a in enumerate(apps)}
    )
    actions.written_scores_publish(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 8))
    examiners = [actions.examiner_add(by=cadre, campaign=campaign, name=f"评委{j}") for j in range(5)]
    for k, app in enumerate(apps):
        actions.interview_panel_record(
            by=cadre, application_id=app.pk, scores={e.pk: Decimal(85 - k) for e in examiners}
        )
    actions.interview_publish(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 10))
    actions.campaign_rank(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 10))
    actions.inspection_start(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 11))
    actions.publicity_start(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 15))
    actions.publicity_conclude(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 25))
    actions.campaign_close(by=cadre, campaign_id=campaign.pk, on=D(2024, 1, 25))
    current = StaffMember.objects.filter(community=community_a, end__isnull=True)
    assert current.count() == 2 and set(current.values_list("origin", flat=True)) == {"placed"}
    assert {m.id_number for m in current} == {incumbents[0].id_number, incumbents[1].id_number}
    assert StaffMember.objects.filter(community=community_a, end__isnull=False).count() == 4


def test_opening_ratio_cancels_a_post_without_enough_applicants(build, cadre):
    b = build(n=2, opening_ratio=Decimal("3")).review()
    b.post.refresh_from_db()
    assert b.post.cancelled
    assert {a.stage for a in b.refresh()} == {Stage.WITHDRAWN}
    assert "opening ratio" in b.apps[0].exit_reason


def test_messages_are_translated_into_chinese(build, cadre):
    from django.utils import translation

    b = build(n=1)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        actions.rules_update(by=cadre, campaign_id=b.campaign.pk, interview_pass_mark=Decimal("65"))
    assert "公告发布后规则已冻结" in str(exc.value)
