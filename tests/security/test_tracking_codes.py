"""Issue 16, item 3: tracking codes are never published, lock after a few wrong tries, and can be re-issued.

The attacks first: anonymous Open311 showed "与诉求 25RU-FB9G-RBZ3 合并办理。" in ``status_notes``; the public
财务公开 page showed "家政保洁（有偿），诉求 H5KK-YTHU-4S5W"; with a code in hand, 101 last-4 guesses from
rotating ``X-Real-IP`` headers found the phone's digits.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services import actions
from services.choices import Status
from services.models import Notification, RequestEvent, ServiceRequest
from tests.services import factories as sf

pytestmark = pytest.mark.django_db

LEAKED = "25RU-FB9G-RBZ3"


def test_a_duplicate_note_names_the_original_by_number_not_by_code(client, community_a, staff_a):
    original = sf.service_request(community_a)
    duplicate = sf.service_request(community_a)
    actions.request_mark_duplicate(by=staff_a, request_id=duplicate.pk, original_id=original.pk)
    note = RequestEvent.objects.filter(request=duplicate, public=True).latest("id").note
    assert original.tracking_code[:4] not in note and f"No. {original.pk}" in note
    body = client.get("/open311/v2/requests.json", {"status": "closed"}).content.decode()
    assert original.display_code not in body and original.tracking_code not in body


def test_open311_and_the_tracking_page_scrub_a_code_typed_into_a_public_note(client, community_a, staff_a):
    req = sf.service_request(community_a, phone="13900001111")
    RequestEvent.objects.create(
        request=req, kind="note", note=f"与诉求 {LEAKED} 合并办理，电话13424241234", public=True
    )
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests.{fmt}").content.decode()
        assert LEAKED not in body and "13424241234" not in body and "****-****-****" in body
    page = client.post(reverse("services:track"), {"code": req.tracking_code, "last4": "1111"}).content.decode()
    assert LEAKED not in page and "13424241234" not in page


def test_the_fee_memo_names_no_tracking_code(community_a, staff_a, monkeypatch):
    from services.actions import handling

    posted = []
    monkeypatch.setattr(handling, "own_income_post", lambda **kw: posted.append(kw))
    cat = sf.category(paid=True, price="80.00")
    req = sf.service_request(community_a, cat=cat, status=Status.RESOLVED, fee="80.00")
    actions.request_post_fee(by=staff_a, request_id=req.pk)
    assert posted and req.tracking_code[:4] not in posted[0]["memo"] and f"No. {req.pk}" in posted[0]["memo"]


def test_the_disclosure_page_scrubs_a_code_in_a_published_memo(client, community_a, staff_a):
    from funding.models import Disclosure

    line = {
        "n": 1,
        "date": "2026-01-05",
        "voucher": "1",
        "summary": f"家政保洁（有偿），诉求 {LEAKED}",
        "direction": "income",
        "amount": "80.00",
        "source": "自有",
        "use": "",
        "fund": "自有",
    }
    Disclosure.objects.create(
        community=community_a,
        year=2026,
        quarter=1,
        published_by=staff_a,
        sha256="0" * 64,
        content={
            "community": community_a.name,
            "year": 2026,
            "quarter": 1,
            "start": "2026-01-01",
            "end": "2026-03-31",
            "income": "80.00",
            "expense": "0.00",
            "lines": [line],
        },
    )
    page = client.get(reverse("funding:disclosure", args=[community_a.code, 2026, 1]))
    assert page.status_code == 200
    html = page.content.decode()
    assert LEAKED not in html and "家政保洁（有偿），诉求 ****-****-****" in html


def test_the_disclosure_content_scrubs_memos_at_the_source():
    from community.masking import scrub_public_text

    assert scrub_public_text(f"家政保洁（有偿），诉求 {LEAKED}") == "家政保洁（有偿），诉求 ****-****-****"
    assert scrub_public_text("诉求 25RUFB9GRBZ3。") == "诉求 ****-****-****。"
    assert scrub_public_text("身份证110105198005173216") == "身份证110105********3216"
    assert scrub_public_text("办公电话 13800001111", phones=False) == "办公电话 13800001111"
    assert (
        scrub_public_text("2026年第1季度 共12345元，凭证 PO-2026-0001") == "2026年第1季度 共12345元，凭证 PO-2026-0001"
    )


def test_a_governance_notice_never_shows_a_tracking_code(client, community_a):
    from governance.models import Notice

    notice = Notice.objects.create(
        community=community_a,
        category="affairs",
        title=f"关于诉求 {LEAKED} 的答复",
        body=f"诉求 {LEAKED} 已办结。咨询电话 13800001111。",
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )
    page = client.get(reverse("governance:notice", args=[community_a.code, notice.pk])).content.decode()
    assert LEAKED not in page and "13800001111" in page  # the office's phone stays: it is there to be called


# --- the lock, counted per code ---------------------------------------------------------------------------


def _try(client, code, last4, ip):
    return client.post(reverse("services:track"), {"code": code, "last4": last4}, HTTP_X_REAL_IP=ip)


def test_a_code_locks_after_five_wrong_tries_from_rotating_addresses(client, community_a, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    req = sf.service_request(community_a, phone="13900004321")
    for n in range(actions.TRACK_MAX_FAILURES):
        assert _try(client, req.display_code, f"{n:04d}", f"10.0.0.{n}").status_code == 404
    locked = _try(client, req.display_code, "4321", "10.9.9.9")  # the right digits, a fresh address
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "locked" in html and req.description not in html
    # another code is untouched: the count is per code, not per address
    other = sf.service_request(community_a, phone="13900005555")
    assert _try(client, other.tracking_code, "5555", "10.0.0.1").status_code == 200
    assert ServiceRequest.objects.get(pk=req.pk).status == Status.SUBMITTED


def test_an_unknown_code_locks_the_same_way(client):
    for n in range(actions.TRACK_MAX_FAILURES):
        assert _try(client, "ABCD-EFGH-JKMN", f"{n:04d}", f"10.1.0.{n}").status_code == 404
    assert _try(client, "ABCD-EFGH-JKMN", "9999", "10.1.1.1").status_code == 429


def test_a_right_answer_resets_the_count(client, community_a):
    req = sf.service_request(community_a, phone="13900004321")
    for n in range(actions.TRACK_MAX_FAILURES - 1):
        _try(client, req.tracking_code, f"{n:04d}", "10.0.0.1")
    assert _try(client, req.tracking_code, "4321", "10.0.0.1").status_code == 200
    assert _try(client, req.tracking_code, "0000", "10.0.0.1").status_code == 404
    assert _try(client, req.tracking_code, "4321", "10.0.0.1").status_code == 200


def test_staff_reissue_a_locked_code_and_the_resident_is_told(client, community_a, staff_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    req = sf.service_request(community_a, phone="13900004321", contact_email="resident@example.org")
    old = req.tracking_code
    for n in range(actions.TRACK_MAX_FAILURES):
        _try(client, old, f"{n:04d}", "10.0.0.1")
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:services_servicerequest_changelist"),
        {"action": "reissue_code", "_selected_action": [req.pk]},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.tracking_code != old
    note = Notification.objects.get(request=req, email="resident@example.org")
    assert req.display_code in note.body and old not in note.body
    client.logout()
    assert _try(client, req.tracking_code, "4321", "10.0.0.1").status_code == 200
    assert _try(client, old, "4321", "10.0.0.1").status_code == 429


def test_a_party_worker_cannot_reissue_a_code(community_a):
    from django.core.exceptions import PermissionDenied

    from community.choices import Role, ScopeLevel
    from tests import factories as f

    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    req = sf.service_request(community_a)
    with pytest.raises(PermissionDenied):
        actions.request_reissue_code(by=worker, request_id=req.pk)
    assert ServiceRequest.objects.get(pk=req.pk).tracking_code == req.tracking_code
