"""A resident on a phone reads the community's notices, a meeting's resolutions and the election result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import no_horizontal_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def governed(db):
    """东风社区 with a published notice (and a draft), a held meeting with a published resolution, and a
    published election result — all made through the actions."""
    from governance import actions
    from governance.choices import MeetingKind, NoticeCategory
    from governance.models import BallotBox, Election, Notice
    from tests import factories as f

    county = f.CountyFactory(name="示范县", code="330999")
    community = f.CommunityFactory(town=f.TownFactory(county=county, name="城关镇"), name="东风社区")
    building = f.BuildingFactory(zone=f.ZoneFactory(community=community))
    residents = [
        f.ResidentFactory(
            household=f.HouseholdFactory(building=building),
            id_number=f.next_id_number(birth=dt.date(1960 + i, 1, 1)),
            name=f"张{'一二三四五六'[i]}明",
        )
        for i in range(6)
    ]
    staff = f.staff_of(community)
    notice = actions.notice_save(
        by=staff,
        notice=Notice(community=community, category=NoticeCategory.SERVICE, title="冬季供暖报修", body="请拨打热线。"),
    )
    actions.notice_publish(by=staff, notice_id=notice.pk)
    actions.notice_save(by=staff, notice=Notice(community=community, category="affairs", title="草稿", body="…"))

    meeting = actions.meeting_create(
        by=staff,
        community=community,
        kind=MeetingKind.RESIDENTS,
        title="居民会议：楼道照明",
        starts_at=timezone.now() - dt.timedelta(days=1),
        location="会议室",
    )
    for resident in residents[:5]:
        actions.attendee_add(by=staff, meeting_id=meeting.pk, household=resident.household)
    actions.meeting_record_held(by=staff, meeting_id=meeting.pk)
    resolution = actions.resolution_record(
        by=staff,
        meeting_id=meeting.pk,
        title="楼道照明改造",
        text="同意改造。",
        votes_for=4,
        votes_against=1,
        abstentions=0,
    )
    actions.resolution_publish(by=staff, resolution_id=resolution.pk)

    day = timezone.localdate() + dt.timedelta(days=10)
    election = actions.election_create(
        by=staff,
        election=Election(
            community=community,
            title="第七届换届选举",
            election_day=day,
            seats=2,
            term_start=day + dt.timedelta(days=5),
            term_end=day + dt.timedelta(days=1800),
        ),
    )
    actions.roll_generate(by=staff, election_id=election.pk)
    actions.roll_publish(by=staff, election_id=election.pk, objection_deadline=day - dt.timedelta(days=1))
    candidates = [
        actions.candidate_add(by=staff, election_id=election.pk, resident=r, post="member", education="college")
        for r in residents[:3]
    ]
    actions.voting_open(by=staff, election_id=election.pk)
    box = actions.box_save(by=staff, box=BallotBox(election=election, name="中心投票站", ballots_issued=5))
    actions.tally_record(
        by=staff,
        box_id=box.pk,
        ballots_returned=5,
        invalid_ballots=0,
        votes={candidates[0].pk: 5, candidates[1].pk: 4, candidates[2].pk: 1},
    )
    actions.election_count(by=staff, election_id=election.pk)
    actions.election_publish(by=staff, election_id=election.pk)
    return community, residents


def test_resident_reads_notices_resolutions_and_the_election_result(live_server, phone_page, governed):
    community, residents = governed
    page = phone_page
    page.goto(live_server.url + "/")
    card = page.locator(f"[data-community='{community.code}']")
    card.get_by_role("link", name="居务公开").click()
    page.wait_for_url("**/governance/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("东风社区")
    assert page.get_by_text("冬季供暖报修").is_visible()
    assert page.get_by_text("草稿").count() == 0
    assert no_horizontal_scroll(page)

    page.get_by_role("link", name="冬季供暖报修").click()
    assert page.get_by_text("请拨打热线。").is_visible()
    page.go_back()

    page.get_by_role("link", name="会议和决议").click()
    page.get_by_role("link", name="居民会议：楼道照明").click()
    resolution = page.locator("li.resolution")
    assert "楼道照明改造" in resolution.inner_text()
    assert "赞成：4" in resolution.inner_text() and "通过" in resolution.inner_text()
    assert no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/governance/{community.code}/elections/")
    page.get_by_role("link", name="第七届换届选举").click()
    table = page.locator("table.gov-table")
    assert table.locator("tr.elected").count() == 2
    text = page.content()
    assert "张*明" in text
    assert not any(r.name in text or r.id_number in text for r in residents)
    assert no_horizontal_scroll(page)
    assert not page.console_errors, page.console_errors
