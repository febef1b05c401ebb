"""The API runs the same actions: bad input is a 400 with a clear message and nothing is written."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance.models import Notice, NoticeAttachment, Resolution
from tests.governance import factories as gf

pytestmark = pytest.mark.django_db


def test_notice_is_written_then_published(client, staff_a, community_a):
    client.force_login(staff_a)
    created = client.post(
        reverse("governance-notice-list"),
        {"community": community_a.pk, "category": "service", "title": "停水通知", "body": "周六停水。"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    notice = Notice.objects.get(pk=created.json()["id"])
    assert notice.publish_at is None and notice.created_by == staff_a
    published = client.post(reverse("governance-notice-publish", args=[notice.pk]), {}, content_type="application/json")
    assert published.status_code == 200 and published.json()["is_published"]
    early = timezone.now() - dt.timedelta(days=1)
    refused = client.post(
        reverse("governance-notice-publish", args=[notice.pk]),
        {"until": early.isoformat()},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "unpublish_at" in refused.json()


def test_attachment_type_and_content_are_checked(client, staff_a, community_a):
    notice = gf.notice(community_a)
    client.force_login(staff_a)
    url = reverse("governance-notice-attach", args=[notice.pk])
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert client.post(url, {"file": fake}).status_code == 400
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    assert client.post(url, {"file": script}).status_code == 400
    assert not NoticeAttachment.objects.exists()
    real = SimpleUploadedFile("公示.pdf", gf.PDF, content_type="application/pdf")
    response = client.post(url, {"file": real, "title": "公示名单"})
    assert response.status_code == 201
    assert NoticeAttachment.objects.get().content_type == "application/pdf"


def test_votes_above_the_attendees_are_a_400(client, staff_a, community_a):
    meeting = gf.held_meeting(community_a)  # 8 attendees, quorate
    client.force_login(staff_a)
    response = client.post(
        reverse("governance-resolution-list"),
        {"meeting": meeting.pk, "title": "决议", "text": "…", "votes_for": 7, "votes_against": 2, "abstentions": 0},
        content_type="application/json",
    )
    assert response.status_code == 400 and "8" in str(response.json())
    assert not Resolution.objects.exists()


def test_tally_above_the_ballots_issued_is_a_400(client, staff_a, community_a):
    election = gf.election(community_a, status="voting", voters=50)
    box = gf.box(community_a, election=election, ballots_issued=10)
    client.force_login(staff_a)
    response = client.post(
        reverse("governance-box-tally", args=[box.pk]),
        {"ballots_returned": 11, "invalid_ballots": 0, "votes": {}},
        content_type="application/json",
    )
    assert response.status_code == 400 and "ballots_returned" in response.json()
    box.refresh_from_db()
    assert not box.counted
