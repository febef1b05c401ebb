"""Public pages: only published notices, the board merged with 财务公开 and recruitment publicity, the Atom feed,
meetings' published resolutions and election results — and never a case record or a resident's personal data."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from governance.choices import ElectionStatus, NoticeCategory
from tests import factories as f
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def notices(community_a):
    now = timezone.now()
    return {
        "live": gf.notice(community_a, title="环境整治通知"),
        "pinned": gf.notice(community_a, title="置顶：停水通知", pinned=True, publish_at=now - dt.timedelta(days=9)),
        "draft": gf.notice(community_a, title="草稿通知", published=False),
        "future": gf.notice(community_a, title="未来通知", publish_at=now + dt.timedelta(days=2)),
        "down": gf.notice(
            community_a,
            title="已撤下通知",
            publish_at=now - dt.timedelta(days=5),
            unpublish_at=now - dt.timedelta(days=1),
        ),
    }


def test_board_shows_only_published_notices_pinned_first(client, community_a, notices):
    page = client.get(reverse("governance:board", kwargs={"code": community_a.code}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "环境整治通知" in html and "置顶：停水通知" in html
    assert not any(title in html for title in ("草稿通知", "未来通知", "已撤下通知"))
    assert html.index("置顶：停水通知") < html.index("环境整治通知")
    for key in ("draft", "future", "down"):
        url = reverse("governance:notice", kwargs={"code": community_a.code, "pk": notices[key].pk})
        assert client.get(url).status_code == 404


def test_board_filters_by_category(client, community_a, notices):
    gf.notice(community_a, title="党员大会通知", category=NoticeCategory.PARTY)
    html = client.get(reverse("governance:board", kwargs={"code": community_a.code}), {"category": "party"})
    assert "党员大会通知" in html.content.decode() and "环境整治通知" not in html.content.decode()


def test_board_merges_disclosures_and_recruitment_publicity(client, community_a, staff_a):
    from funding.models import Disclosure
    from staffing.models import Campaign, Post

    Disclosure.objects.create(
        community=community_a, year=2026, quarter=3, content={"lines": []}, sha256="0" * 64, published_by=staff_a
    )
    campaign = Campaign.objects.create(
        town=community_a.town,
        title="2026年社区工作者招考",
        publicity_start=dt.date(2026, 11, 1),
        publicity_end=dt.date(2026, 11, 8),
        status="announced",
    )
    Post.objects.create(campaign=campaign, community=community_a, title="社区工作者")
    html = client.get(reverse("governance:board", kwargs={"code": community_a.code})).content.decode()
    disclosure_url = reverse("funding:disclosure", kwargs={"code": community_a.code, "year": 2026, "quarter": 3})
    assert disclosure_url in html
    assert "2026年社区工作者招考" in html and reverse("staffing:publicity", kwargs={"pk": campaign.pk}) in html


def test_atom_feed_is_valid_and_lists_only_published(client, community_a, notices):
    response = client.get(reverse("governance:feed", kwargs={"code": community_a.code}))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text and root.find(f"{ATOM}id").text and root.find(f"{ATOM}updated").text
    entries = root.findall(f"{ATOM}entry")
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert any("环境整治通知" in t for t in titles) and not any("草稿" in t for t in titles)
    for entry in entries:
        assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}link").get("href")
        assert entry.find(f"{ATOM}updated").text


def test_attachment_served_only_for_a_published_notice(client, community_a, notices):
    live = gf.attachment(community_a, notice=notices["live"])
    hidden = gf.attachment(community_a, notice=notices["draft"])
    response = client.get(reverse("governance:attachment", kwargs={"pk": live.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("governance:attachment", kwargs={"pk": hidden.pk})).status_code == 404


def test_meeting_page_shows_published_resolutions_only(client, community_a):
    meeting = gf.held_meeting(community_a)
    published = gf.resolution(community_a, meeting=meeting, title="公开的决议", notice=gf.notice(community_a))
    gf.resolution(community_a, meeting=meeting, title="未公开的决议")
    html = client.get(reverse("governance:meeting", kwargs={"code": community_a.code, "pk": meeting.pk}))
    text = html.content.decode()
    assert "公开的决议" in text and "未公开的决议" not in text
    assert str(published.votes_for) in text


def test_election_result_is_public_with_masked_names(client, community_a):
    election = gf.election(community_a, status=ElectionStatus.PUBLISHED, voters=10, ballots_cast=8, valid=True)
    candidate = gf.candidate(community_a, voter=gf.voter(community_a, election=election), votes=7, elected=True)
    gf.election(community_a, title="未公布的选举", status=ElectionStatus.COUNTED)
    listing = client.get(reverse("governance:elections", kwargs={"code": community_a.code})).content.decode()
    assert election.title in listing and "未公布的选举" not in listing
    page = client.get(reverse("governance:election", kwargs={"code": community_a.code, "pk": election.pk}))
    text = page.content.decode()
    name = candidate.resident.name
    assert name not in text and name[0] in text and candidate.resident.id_number not in text


def test_public_pages_never_show_cases_or_personal_data(client, community_a):
    case = gf.mediation(community_a)
    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    meeting = gf.held_meeting(community_a)
    gf.resolution(community_a, meeting=meeting, notice=gf.notice(community_a))
    urls = [
        reverse("governance:index"),
        reverse("governance:board", kwargs={"code": community_a.code}),
        reverse("governance:feed", kwargs={"code": community_a.code}),
        reverse("governance:meetings", kwargs={"code": community_a.code}),
        reverse("governance:meeting", kwargs={"code": community_a.code, "pk": meeting.pk}),
        reverse("governance:elections", kwargs={"code": community_a.code}),
        "/",
    ]
    secrets = [
        case.applicant_name,
        case.applicant_phone,
        case.summary,
        resident.name,
        resident.id_number,
        resident.phone,
    ]
    for url in urls:
        body = client.get(url).content.decode()
        leaked = [s for s in secrets if s and s in body]
        assert not leaked, f"{url} shows {leaked}"
    assert client.get("/api/v1/governance/mediation/").status_code in (401, 403)


def test_latest_notices_include_renders_across_communities(community_a, community_b, notices, count_queries):
    gf.notice(community_b, title="西湖通知")
    request = RequestFactory().get("/")
    with count_queries() as few:
        html = render_to_string("governance/_latest_notices.html", request=request)
    assert "西湖通知" in html and community_b.name in html and "草稿通知" not in html
    for _ in range(5):
        gf.notice(community_b)
    with count_queries() as many:
        render_to_string("governance/_latest_notices.html", request=request)
    assert len(many) == len(few)


def test_unknown_community_is_a_404(client):
    assert client.get(reverse("governance:board", kwargs={"code": "nope"})).status_code == 404
    assert client.get(reverse("governance:feed", kwargs={"code": "nope"})).status_code == 404
