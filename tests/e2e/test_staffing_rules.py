"""A town cadre tries to change an announced campaign's rules in the admin and is refused (issue 20)."""

from decimal import Decimal

import pytest

from staffing.choices import RulesStatus
from staffing.models import CampaignRules
from tests import factories as f
from tests.staffing.conftest import Builder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_town_cadre_cannot_change_announced_rules(live_server, desktop_page, admin_login, screenshot):
    community = f.CommunityFactory(name="东风社区")
    cadre = f.town_cadre_of(community.town)
    b = Builder(cadre, community, n=1)
    announced = CampaignRules.objects.get(campaign=b.campaign)

    page = desktop_page
    admin_login(page, cadre)
    # the announced version itself is read-only: no save button
    page.goto(f"{live_server.url}/admin/staffing/campaignrules/{announced.pk}/change/")
    assert page.locator("input[name=_save]").count() == 0

    # a new version for the announced campaign, with a reason, from the add form
    page.goto(f"{live_server.url}/admin/staffing/campaignrules/add/?campaign={b.campaign.pk}")
    page.fill("#id_reason", "领导要求")
    page.fill("#id_written_weight", "0.5")
    page.fill("#id_interview_weight", "0.5")
    with page.expect_navigation():
        page.click("input[name=_save]")
    error = page.locator(".errorlist, .errornote").all_inner_texts()
    text = " ".join(error)
    assert "冻结" in text and "县级" in text, text  # frozen; only a county correction, approved by a second person
    screenshot(page, "staffing-rules-frozen-refused")
    assert not page.console_errors, page.console_errors

    assert list(CampaignRules.objects.filter(campaign=b.campaign).values_list("version", "status")) == [
        (1, RulesStatus.ADOPTED)
    ]
    announced.refresh_from_db()
    assert announced.written_weight == Decimal("0.40")
