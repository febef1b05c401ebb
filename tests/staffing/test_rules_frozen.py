"""Rules frozen at the announcement (issue 20): only a county correction approved by a second person, before
any score; every version public; the database refuses UPDATE and DELETE of a frozen version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from staffing import actions
from staffing.choices import RulesStatus
from staffing.models import CampaignRules
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_official(county):
    return f.official_of(county)


def _versions(campaign):
    return list(CampaignRules.objects.filter(campaign=campaign).order_by("version").values_list("version", "status"))


def test_a_town_cadre_cannot_change_announced_rules_even_with_a_reason(build, cadre):
    b = build(n=1)
    for reason in ("", "领导要求"):
        with pytest.raises(ValidationError, match="second person at county level") as exc:
            actions.rules_update(by=cadre, campaign_id=b.campaign.pk, reason=reason, written_weight=Decimal("0.5"))
        assert exc.value.code == "rules_frozen"
    assert _versions(b.campaign) == [(1, RulesStatus.ADOPTED)]


def test_a_correction_needs_a_reason_and_a_second_county_official(build, official, second_official):
    b = build(n=1)
    with pytest.raises(ValidationError, match="reason"):
        actions.rules_update(by=official, campaign_id=b.campaign.pk, interview_pass_mark=Decimal("65"))
    proposal = actions.rules_update(
        by=official, campaign_id=b.campaign.pk, reason="市里统一要求", interview_pass_mark=Decimal("65")
    )
    assert (proposal.version, proposal.status, proposal.frozen) == (2, RulesStatus.PROPOSED, False)
    assert actions.current_rules(b.campaign).version == 1  # not in force until approved
    with pytest.raises(ValidationError, match="second person"):
        actions.rules_correction_approve(by=official, rules_id=proposal.pk)
    with pytest.raises(ValidationError, match="already awaiting"):
        actions.rules_update(by=second_official, campaign_id=b.campaign.pk, reason="再改", bonus_cap=Decimal("3"))
    approved = actions.rules_correction_approve(by=second_official, rules_id=proposal.pk)
    assert (approved.status, approved.frozen, approved.approved_by) == (RulesStatus.ADOPTED, True, second_official)
    current = actions.current_rules(b.campaign)
    assert current.version == 2 and current.interview_pass_mark == Decimal("65")
    v1 = CampaignRules.objects.get(campaign=b.campaign, version=1)
    assert v1.interview_pass_mark == Decimal("60")  # the announced version is kept as it was


def test_a_rejected_correction_stays_on_the_record_and_never_applies(build, official, second_official):
    b = build(n=1)
    proposal = actions.rules_update(by=official, campaign_id=b.campaign.pk, reason="调整", bonus_cap=Decimal("3"))
    actions.rules_correction_reject(by=second_official, rules_id=proposal.pk)
    assert _versions(b.campaign) == [(1, RulesStatus.ADOPTED), (2, RulesStatus.REJECTED)]
    assert actions.current_rules(b.campaign).bonus_cap == Decimal("5")
    with pytest.raises(ValidationError, match="not a correction awaiting"):
        actions.rules_correction_approve(by=second_official, rules_id=proposal.pk)


def test_no_correction_once_a_score_is_entered(build, official, second_official):
    b = build(n=3)
    proposal = actions.rules_update(by=official, campaign_id=b.campaign.pk, reason="调整", bonus_cap=Decimal("3"))
    b.review()
    actions.written_scores_record(by=b.by, campaign_id=b.campaign.pk, scores={b.apps[0].exam_number: "80"})
    with pytest.raises(ValidationError, match="Scores have been entered"):
        actions.rules_correction_approve(by=second_official, rules_id=proposal.pk)
    actions.rules_correction_reject(by=second_official, rules_id=proposal.pk)
    with pytest.raises(ValidationError, match="Scores have been entered"):
        actions.rules_update(by=official, campaign_id=b.campaign.pk, reason="领导要求", written_weight=Decimal("0.5"))
    assert actions.current_rules(b.campaign).version == 1


def test_every_version_is_on_the_public_announcement_page(client, build, official, second_official):
    b = build(n=1)
    proposal = actions.rules_update(
        by=official, campaign_id=b.campaign.pk, reason="更正笔误", interview_pass_mark=Decimal("65")
    )
    actions.rules_correction_approve(by=second_official, rules_id=proposal.pk)
    page = client.get(reverse("staffing:announcement", args=[b.campaign.pk])).content.decode()
    assert 'id="rules-heading-1"' in page and 'id="rules-heading-2"' in page
    assert "更正笔误" in page and "65" in page


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_update_or_delete_of_a_frozen_version(build, official):
    assert connection.vendor == "postgresql"
    b = build(n=1)
    rules = actions.current_rules(b.campaign)
    with pytest.raises(IntegrityError, match="frozen"):
        _raw("UPDATE staffing_campaignrules SET written_weight = 0.5, interview_weight = 0.5 WHERE id = %s", [rules.pk])
    with pytest.raises(IntegrityError, match="frozen"):
        _raw("DELETE FROM staffing_campaignrules WHERE id = %s", [rules.pk])
    with pytest.raises(IntegrityError, match="frozen"):
        _raw("UPDATE staffing_campaignrules SET frozen = false, status = 'draft' WHERE id = %s", [rules.pk])
    rules.refresh_from_db()
    assert rules.written_weight == Decimal("0.40") and rules.frozen
    # a draft (not frozen) may still change, and a proposal may be decided
    proposal = actions.rules_update(by=official, campaign_id=b.campaign.pk, reason="x", bonus_cap=Decimal("3"))
    _raw("UPDATE staffing_campaignrules SET bonus_cap = 4 WHERE id = %s", [proposal.pk])
    proposal.refresh_from_db()
    assert proposal.bonus_cap == Decimal("4")


def test_a_town_cadre_is_refused_in_the_admin_and_nothing_is_written(client, cadre, build):
    b = build(n=1)
    client.force_login(cadre)
    data = {
        "campaign": b.campaign.pk,
        "reason": "领导要求",
        "opening_ratio": "1",
        "written_pass_line": "60",
        "interview_ratio": "3",
        "interview_pass_mark": "60",
        "interview_pass_mark_uncontested": "70",
        "written_weight": "0.5",
        "interview_weight": "0.5",
        "bonus_cap": "5",
        "tie_break": '["interview", "written"]',
        "refill_policy": "next_ranked",
        "publicity_working_days": "7",
        "probation_months": "3",
        "panel_size": "7",
    }
    page = client.post(reverse("admin:staffing_campaignrules_add"), data)
    assert page.status_code == 200 and "second person at county level" in page.content.decode()
    assert _versions(b.campaign) == [(1, RulesStatus.ADOPTED)]
    v1 = CampaignRules.objects.get(campaign=b.campaign, version=1)
    change = client.post(reverse("admin:staffing_campaignrules_change", args=[v1.pk]), data)
    v1.refresh_from_db()
    assert change.status_code in (200, 403) and v1.written_weight == Decimal("0.40")


def test_county_officials_propose_and_approve_in_the_admin(client, build, official, second_official):
    b = build(n=1)
    client.force_login(official)
    data = {
        "campaign": b.campaign.pk,
        "reason": "上级文件调整",
        "opening_ratio": "1",
        "written_pass_line": "60",
        "interview_ratio": "3",
        "interview_pass_mark": "60",
        "interview_pass_mark_uncontested": "70",
        "written_weight": "0.5",
        "interview_weight": "0.5",
        "bonus_cap": "5",
        "tie_break": '["interview", "written"]',
        "refill_policy": "next_ranked",
        "publicity_working_days": "5",
        "probation_months": "3",
        "panel_size": "7",
    }
    assert client.post(reverse("admin:staffing_campaignrules_add"), data).status_code == 302
    proposal = CampaignRules.objects.get(campaign=b.campaign, version=2)
    assert proposal.status == RulesStatus.PROPOSED
    changelist = reverse("admin:staffing_campaignrules_changelist")
    client.post(changelist, {"action": "approve", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == RulesStatus.PROPOSED  # the proposer cannot approve
    client.force_login(second_official)
    client.post(changelist, {"action": "approve", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == RulesStatus.ADOPTED and actions.current_rules(b.campaign).written_weight == Decimal("0.5")
