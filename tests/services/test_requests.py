"""Service requests: the transition table, the resident's form, tracking, rating, and their bad input."""

import io
import re
import types
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from services import actions
from services.actions import handling
from services.choices import EventKind, NotificationStatus, Rating, Status
from services.models import Notification, RequestEvent, RequestPhoto, ServiceRequest
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


def jpeg_with_exif(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x0131] = "SecretSoftware 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submit_data(community, category, **extra):
    data = {
        "community": community.pk,
        "category": category.pk,
        "address": "东风路18号3号楼",
        "description": "楼道的灯坏了一个星期",
        "contact_name": "王先生",
        "contact_phone": "13912345678",
        "consent": "on",
        "answer_location": "stair",
        "website": "",
    }
    data.update(extra)
    return data


# --- the transition table ------------------------------------------------------------------------


def test_full_life_of_a_request(community_a, category, staff_a, nomail):
    req = actions.request_submit(
        community=community_a,
        category=category,
        description="楼道的灯坏了",
        contact_name="王先生",
        contact_phone="139 1234 5678",
        address="3号楼",
        answers={"location": "stair"},
    )
    assert req.status == Status.SUBMITTED and req.contact_phone == "13912345678"
    assert len(req.tracking_code) == 12 and req.accept_due > req.submitted_at
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.ACCEPTED)
    actions.request_assign(by=staff_a, request_id=req.pk, user=staff_a, note="请王师傅处理")
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.IN_PROGRESS)
    actions.request_resolve(by=staff_a, request_id=req.pk, note="已更换灯泡")
    req = actions.request_rate(request_id=req.pk, rating=Rating.DISSATISFIED, comment="又坏了")
    assert req.status == Status.REOPENED and req.resolved_at is None
    transitions = list(
        RequestEvent.objects.filter(request=req, kind=EventKind.TRANSITION).values_list("new_status", "by")
    )
    assert [t[0] for t in transitions] == ["submitted", "accepted", "assigned", "in_progress", "resolved", "reopened"]
    assert transitions[1][1] == staff_a.pk and transitions[-1][1] is None
    actions.request_assign(by=staff_a, request_id=req.pk, user=staff_a)
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.IN_PROGRESS)
    actions.request_resolve(by=staff_a, request_id=req.pk, note="更换了线路")
    req = actions.request_rate(request_id=req.pk, rating=Rating.SATISFIED)
    assert req.status == Status.CLOSED and req.closed_at is not None


@pytest.mark.parametrize(
    "start,to",
    [
        (Status.SUBMITTED, Status.IN_PROGRESS),
        (Status.CLOSED, Status.ACCEPTED),
        (Status.REJECTED, Status.ACCEPTED),
        (Status.ACCEPTED, Status.CLOSED),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(community_a, staff_a, start, to):
    extra = {"reject_reason": "不属于社区"} if start == Status.REJECTED else {}
    req = sf.service_request(community_a, status=start, **extra)
    with pytest.raises(ValidationError, match="cannot become"):
        actions.request_move(by=staff_a, request_id=req.pk, to=to)
    req.refresh_from_db()
    assert req.status == start
    assert not RequestEvent.objects.filter(request=req).exists()


def test_reject_needs_reason_duplicate_needs_original(community_a, community_b, staff_a):
    req = sf.service_request(community_a)
    with pytest.raises(ValidationError):
        actions.request_reject(by=staff_a, request_id=req.pk, reason="  ")
    other = sf.service_request(community_b)
    with pytest.raises(ValidationError):
        actions.request_mark_duplicate(by=staff_a, request_id=req.pk, original_id=other.pk)
    with pytest.raises(ValidationError):
        actions.request_mark_duplicate(by=staff_a, request_id=req.pk, original_id=req.pk)
    original = sf.service_request(community_a)
    req = actions.request_mark_duplicate(by=staff_a, request_id=req.pk, original_id=original.pk)
    assert req.status == Status.DUPLICATE and req.duplicate_of == original
    second = actions.request_reject(by=staff_a, request_id=sf.service_request(community_a).pk, reason="不属于社区")
    assert second.reject_reason == "不属于社区"


def test_staff_of_another_community_cannot_move_a_request(community_a, staff_b):
    req = sf.service_request(community_a)
    with pytest.raises(PermissionDenied):
        actions.request_move(by=staff_b, request_id=req.pk, to=Status.ACCEPTED)


def test_assign_to_exactly_one_and_only_in_scope(community_a, community_b, staff_a, staff_b):
    req = sf.service_request(community_a, status=Status.ACCEPTED)
    with pytest.raises(ValidationError, match="exactly one"):
        actions.request_assign(by=staff_a, request_id=req.pk)
    with pytest.raises(ValidationError):
        actions.request_assign(by=staff_a, request_id=req.pk, user=staff_b)
    dep = sf.department(community_a)
    req = actions.request_assign(by=staff_a, request_id=req.pk, department=dep)
    assert req.assigned_department == dep and req.status == Status.ASSIGNED


def test_party_member_covering_the_household_is_suggested_and_assigned(community_a, staff_a, monkeypatch):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    req = sf.service_request(community_a, status=Status.ACCEPTED, household=household)
    member = types.SimpleNamespace(pk=77, __str__=lambda self: "党员甲")
    calls = []

    def coverer_of_household(*, household_id, on=None):
        calls.append(household_id)
        return member

    monkeypatch.setattr(handling, "coverer_of_household", coverer_of_household)
    assert actions.suggested_party_member(req) is member
    with pytest.raises(ValidationError):
        actions.request_assign(by=staff_a, request_id=req.pk, party_member=78)
    req = actions.request_assign(by=staff_a, request_id=req.pk, party_member=member)
    assert req.assigned_party_member_id == 77 and calls == [household.pk, household.pk, household.pk]


def test_no_party_member_suggested_for_a_household_nobody_covers(community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    req = sf.service_request(community_a, household=household)
    assert actions.suggested_party_member(req) is None


def test_paid_service_fee_is_posted_as_own_income(community_a, staff_a, monkeypatch):
    paid = sf.category(paid=True, price=Decimal("80.00"), name="管道疏通")
    req = sf.service_request(community_a, status=Status.IN_PROGRESS, cat=paid)
    posted = []
    monkeypatch.setattr(handling, "own_income_post", lambda **kw: posted.append(kw))
    req = actions.request_resolve(by=staff_a, request_id=req.pk, note="已疏通")
    assert req.fee == Decimal("80.00") and req.fee_posted
    assert posted[0]["amount"] == Decimal("80.00") and posted[0]["community"] == community_a
    assert posted[0]["reference"] == f"services.request:{req.pk}" and posted[0]["by"] == staff_a


def test_paid_fee_kept_unposted_while_the_ledger_refuses_then_posted(community_a, staff_a, monkeypatch):
    paid = sf.category(paid=True, price=Decimal("50.00"))
    req = sf.service_request(community_a, status=Status.IN_PROGRESS, cat=paid)

    def refuse(**kw):
        raise ValidationError("本月已结账")

    monkeypatch.setattr(handling, "own_income_post", refuse)
    req = actions.request_resolve(by=staff_a, request_id=req.pk, note="已保洁", fee="60")
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.fee == Decimal("60.00") and not req.fee_posted
    with pytest.raises(ValidationError, match="本月已结账"):
        actions.request_post_fee(by=staff_a, request_id=req.pk)
    monkeypatch.setattr(handling, "own_income_post", lambda **kw: None)
    assert actions.request_post_fee(by=staff_a, request_id=req.pk).fee_posted


def test_free_service_refuses_a_fee_and_negative_fee_refused(community_a, staff_a):
    req = sf.service_request(community_a, status=Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        actions.request_resolve(by=staff_a, request_id=req.pk, note="好了", fee="10")
    paid = sf.category(paid=True, price=Decimal("50.00"))
    req2 = sf.service_request(community_a, status=Status.IN_PROGRESS, cat=paid)
    with pytest.raises(ValidationError):
        actions.request_resolve(by=staff_a, request_id=req2.pk, note="好了", fee="-1")
    req.refresh_from_db()
    req2.refresh_from_db()
    assert req.status == req2.status == Status.IN_PROGRESS


def test_follow_up_records_satisfaction_and_reopens_or_closes(community_a, staff_a):
    req = sf.service_request(community_a, status=Status.RESOLVED)
    with pytest.raises(ValidationError):
        actions.request_follow_up(by=staff_a, request_id=req.pk, reached=True, satisfaction="")
    actions.request_follow_up(by=staff_a, request_id=req.pk, reached=True, satisfaction=Rating.DISSATISFIED)
    req.refresh_from_db()
    assert req.status == Status.REOPENED
    other = sf.service_request(community_a, status=Status.RESOLVED)
    actions.request_follow_up(by=staff_a, request_id=other.pk, reached=True, satisfaction=Rating.SATISFIED)
    other.refresh_from_db()
    assert other.status == Status.CLOSED and other.follow_ups.count() == 1
    with pytest.raises(ValidationError):
        actions.request_follow_up(by=staff_a, request_id=sf.service_request(community_a).pk, reached=False)


def test_escalation_notifies_the_town_once(community_a, staff_a, town, nomail):
    cadre = f.town_cadre_of(town, email="cadre@example.org")
    req = sf.service_request(community_a, status=Status.ASSIGNED)
    actions.request_escalate(by=staff_a, request_id=req.pk, note="超期未办")
    assert Notification.objects.filter(request=req, recipient=cadre).count() == 1
    with pytest.raises(ValidationError, match="already"):
        actions.request_escalate(by=staff_a, request_id=req.pk, note="再次督办")


def test_overdue_marking_is_idempotent_and_notifies(community_a, nomail, settings):
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    staff = f.staff_of(community_a, email="staff@example.org")
    past = timezone.now() - dt.timedelta(days=10)
    late = sf.service_request(community_a, submitted_at=past, accept_due=past, resolve_due=past)
    sf.service_request(community_a)  # on time
    done = sf.service_request(community_a, status=Status.CLOSED, resolve_due=past)
    with mock.patch("services.tasks.send_notification.delay") as delay:
        assert actions.requests_mark_overdue() == 1
        assert actions.requests_mark_overdue() == 0
    late.refresh_from_db()
    done.refresh_from_db()
    assert late.overdue and not done.overdue
    note = Notification.objects.get(request=late, recipient=staff)
    assert note.status == NotificationStatus.PENDING
    assert actions.notifications_sweep() == 1
    assert mail.outbox and mail.outbox[0].to == ["staff@example.org"]
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT
    assert actions.notifications_sweep() == 0  # sent once
    assert delay.call_count == 0  # on_commit callbacks do not run inside the test transaction


def test_overdue_task_runs_through_celery_task_function(community_a):
    import datetime as dt

    from django.utils import timezone

    from services import tasks

    past = timezone.now() - dt.timedelta(days=10)
    sf.service_request(community_a, submitted_at=past, accept_due=past, resolve_due=past)
    assert tasks.mark_overdue.run() == 1
    assert tasks.mark_overdue.run() == 0


# --- the public form -----------------------------------------------------------------------------


def test_public_pages_step_by_step_without_javascript(client, community_a, category):
    index = client.get(reverse("services:index"))
    assert index.status_code == 200 and community_a.name in index.content.decode()
    chosen = client.get(reverse("services:index"), {"community": community_a.pk}).content.decode()
    assert category.name in chosen
    form = client.get(reverse("services:submit"), {"community": community_a.pk, "category": category.pk})
    page = form.content.decode()
    assert form.status_code == 200
    assert "<script" not in page
    assert "损坏部位" in page and 'name="website"' in page and 'name="consent"' in page


def test_public_submission_with_photo_strips_metadata(client, community_a, category, building_a, nomail):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client.post(
        reverse("services:submit"),
        submit_data(community_a, category, building=building_a.pk, door_number="2-301", photos=[photo]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    req = ServiceRequest.objects.get()
    assert req.building == building_a and req.answers == {"location": "stair"}
    done = client.get(response["Location"]).content.decode()
    assert req.display_code in done
    stored = RequestPhoto.objects.get(request=req)
    with Image.open(stored.image.path) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    with open(stored.image.path, "rb") as stored_file:
        assert b"SecretCamera" not in stored_file.read()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"description": ""}, "description"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"consent": ""}, "consent"),
        ({"answer_location": "basement"}, "answer_location"),
        ({"answer_location": ""}, "answer_location"),
        ({"address": ""}, "address"),
    ],
)
def test_public_form_bad_input_is_a_clear_400_and_saves_nothing(client, community_a, category, change, field):
    response = client.post(reverse("services:submit"), submit_data(community_a, category, **change))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


def test_oversized_fake_and_too_many_photos_are_refused(client, community_a, category):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), content_type="image/jpeg")
    response = client.post(reverse("services:submit"), submit_data(community_a, category, photos=[big]))
    assert response.status_code == 400 and "5 MB" in str(response.context["form"].errors)
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg")
    response = client.post(reverse("services:submit"), submit_data(community_a, category, photos=[fake]))
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    many = [SimpleUploadedFile(f"{i}.png", sf.png_bytes(), content_type="image/png") for i in range(4)]
    response = client.post(reverse("services:submit"), submit_data(community_a, category, photos=many))
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not ServiceRequest.objects.exists() and not RequestPhoto.objects.exists()


def test_honeypot_saves_nothing(client, community_a, category):
    response = client.post(reverse("services:submit"), submit_data(community_a, category, website="http://spam"))
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()


def test_script_in_description_is_shown_escaped(client, community_a, category):
    client.post(
        reverse("services:submit"), submit_data(community_a, category, description="<script>alert(1)</script>坏了")
    )
    req = ServiceRequest.objects.get()
    page = client.post(reverse("services:track"), {"code": req.tracking_code, "last4": "5678"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_flood_from_one_ip_gets_429_saying_when(client, community_a, category, settings):
    settings.SERVICES_SUBMIT_RATE_IP = "2/h"
    for n in range(2):
        client.post(reverse("services:submit"), submit_data(community_a, category, contact_phone=f"1391234567{n}"))
    response = client.post(reverse("services:submit"), submit_data(community_a, category, contact_phone="13912345670"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "try again" in response.content.decode().lower() or "再试" in response.content.decode()
    assert ServiceRequest.objects.count() == 2


def test_flood_from_one_phone_across_ips_gets_429(client, community_a, category, settings):
    settings.SERVICES_SUBMIT_RATE_PHONE = "2/h"
    for n in range(2):
        client.post(reverse("services:submit"), submit_data(community_a, category), REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = client.post(reverse("services:submit"), submit_data(community_a, category), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert ServiceRequest.objects.count() == 2


def test_redis_down_the_request_is_saved_and_notified_later(
    client, community_a, category, settings, django_capture_on_commit_callbacks, nomail
):
    from django.core import mail
    from kombu.exceptions import OperationalError

    f.staff_of(community_a, email="staff@example.org")
    settings.CACHES = {
        **settings.CACHES,  # the workers' own memory (the fragments the form keeps) stays
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    down = mock.patch("services.tasks.send_notification.delay", side_effect=OperationalError("down"))
    with down as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("services:submit"), submit_data(community_a, category))
    assert response.status_code == 302
    assert delay.called
    req = ServiceRequest.objects.get()
    note = Notification.objects.get(request=req)
    assert note.status == NotificationStatus.PENDING and not mail.outbox
    # Redis is back: the periodic sweep sends it, once
    assert actions.notifications_sweep() == 1
    assert len(mail.outbox) == 1 and req.display_code in mail.outbox[0].subject
    assert actions.notifications_sweep() == 0


# --- tracking ------------------------------------------------------------------------------------


def _strip_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_wrong_phone_answers_exactly_like_an_unknown_code(client, community_a):
    req = sf.service_request(community_a)
    wrong_phone = client.post(reverse("services:track"), {"code": req.tracking_code, "last4": "0000"})
    unknown = client.post(reverse("services:track"), {"code": "ABCDEFGHJKMN", "last4": "0000"})
    assert wrong_phone.status_code == unknown.status_code == 404
    first = _strip_csrf(wrong_phone.content.decode()).replace(req.tracking_code, "CODE")
    second = _strip_csrf(unknown.content.decode()).replace("ABCDEFGHJKMN", "CODE")
    assert first == second
    assert "No request matches" in first or "没有" in first
    malformed = client.post(reverse("services:track"), {"code": "", "last4": "12"})
    assert malformed.status_code == 400


def test_tracking_shows_timeline_without_names_or_phone(client, community_a, staff_a):
    staff_a.first_name, staff_a.last_name = "李", "办事员"
    staff_a.save()
    req = sf.service_request(community_a, contact_name="赵大妈", phone="13955556666")
    actions.request_move(by=staff_a, request_id=req.pk, to=Status.ACCEPTED, note="内部：找李办事员", public=False)
    actions.request_note(by=staff_a, request_id=req.pk, note="明天上门查看", public=True)
    response = client.post(reverse("services:track"), {"code": req.display_code.lower(), "last4": "6666"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "明天上门查看" in page and "内部" not in page
    for secret in ["赵大妈", "13955556666", "6666</", staff_a.username, "办事员"]:
        assert secret not in page


def test_resident_adds_information_cancels_and_rates(client, community_a, staff_a):
    req = sf.service_request(community_a, phone="13900001234")
    base = {"code": req.tracking_code, "last4": "1234"}
    response = client.post(reverse("services:track"), {**base, "op": "info", "text": "灯在三楼"})
    assert response.status_code == 200 and "灯在三楼" in response.content.decode()
    response = client.post(reverse("services:track"), {**base, "op": "info", "text": ""})
    assert response.status_code == 400
    response = client.post(reverse("services:track"), {**base, "op": "rate", "rating": "satisfied"})
    assert response.status_code == 400  # not resolved yet
    response = client.post(reverse("services:track"), {**base, "op": "cancel", "reason": "已修好"})
    assert response.status_code == 400  # not confirmed: nothing happens
    req.refresh_from_db()
    assert req.status != Status.CANCELLED
    response = client.post(reverse("services:track"), {**base, "op": "cancel", "reason": "已修好", "confirm": "on"})
    req.refresh_from_db()
    assert req.status == Status.CANCELLED
    resolved = sf.service_request(community_a, status=Status.RESOLVED, phone="13900004321")
    response = client.post(
        reverse("services:track"),
        {"code": resolved.tracking_code, "last4": "4321", "op": "rate", "rating": "dissatisfied", "comment": "没修好"},
    )
    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED and resolved.rating == Rating.DISSATISFIED
    assert "没修好" in response.content.decode()
    bad = client.post(
        reverse("services:track"), {"code": resolved.tracking_code, "last4": "4321", "op": "rate", "rating": "meh"}
    )
    assert bad.status_code == 400


def test_tracking_lookups_are_rate_limited(client, community_a, settings):
    settings.SERVICES_TRACK_RATE_IP = "3/h"
    for _ in range(3):
        client.post(reverse("services:track"), {"code": "ABCDEFGHJKMN", "last4": "0000"})
    assert client.post(reverse("services:track"), {"code": "ABCDEFGHJKMN", "last4": "0000"}).status_code == 429


def test_tracking_codes_are_unguessable():
    from services.models import TRACKING_ALPHABET, new_tracking_code

    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 12 and set(c) <= set(TRACKING_ALPHABET) for c in codes)


def test_chinese_pages_use_the_catalogue(client, community_a, category, staff_a):
    from django.utils import translation

    with translation.override("zh-hans"):
        page = client.get(
            reverse("services:submit"),
            {"community": community_a.pk, "category": category.pk},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
        assert "提交诉求" in page and "关于您的个人信息" in page
        with pytest.raises(ValidationError, match="不能变为"):
            actions.request_move(by=staff_a, request_id=sf.service_request(community_a).pk, to=Status.IN_PROGRESS)
