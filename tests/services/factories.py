"""Factories of the services app; every community-owned model registers one in SCOPED_FACTORIES."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from community.choices import DepartmentCode
from services.choices import ActivityKind, CommunityEventKind, FacilityKind, Status
from services.models import (
    Activity,
    ActivityPhoto,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    FollowUp,
    Notification,
    Open311Client,
    RequestEvent,
    RequestPhoto,
    ServiceCategory,
    ServiceRequest,
)
from tests import factories as f

_n = itertools.count(1)


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def category(**extra) -> ServiceCategory:
    n = next(_n)
    defaults = {"code": f"cat{n}", "name": f"报修{n}", "accept_within_hours": 24, "resolve_within_days": 5}
    defaults.update(extra)
    return ServiceCategory.objects.create(**defaults)


def department(community, code=DepartmentCode.CIVIL_AFFAIRS):
    return f.DepartmentFactory(county=community.town.county, code=code)


def service_request(community, *, status=Status.SUBMITTED, cat=None, phone="13912345678", **extra) -> ServiceRequest:
    now = timezone.now()
    values = {
        "community": community,
        "category": cat or category(),
        "status": status,
        "description": "楼道灯坏了",
        "contact_name": "王先生",
        "contact_phone": phone,
        "address": "1号楼",
        "submitted_at": now,
        "accept_due": now + dt.timedelta(hours=24),
        "resolve_due": now + dt.timedelta(days=5),
    }
    values.update(extra)
    return ServiceRequest.objects.create(**values)


def commitment(community, **extra) -> Commitment:
    dep = extra.pop("department", None) or department(community, DepartmentCode.JUSTICE)
    return Commitment.objects.create(
        community=community,
        department=dep,
        year=extra.pop("year", 2026),
        kind=extra.pop("kind", ActivityKind.LAW),
        title=extra.pop("title", f"每月两次法律咨询{next(_n)}"),
        times=extra.pop("times", 2),
        **extra,
    )


def activity(community, **extra) -> Activity:
    dep = extra.pop("department", None) or department(community, DepartmentCode.JUSTICE)
    return Activity.objects.create(
        community=community,
        department=dep,
        kind=extra.pop("kind", ActivityKind.LAW),
        date=extra.pop("date", dt.date(2026, 11, 5)),
        title=extra.pop("title", "法律咨询进社区"),
        participants=extra.pop("participants", 30),
        **extra,
    )


def evaluation(community, **extra) -> Evaluation:
    return Evaluation.objects.create(
        community=community,
        department=extra.pop("department", None) or department(community, DepartmentCode.JUSTICE),
        year=extra.pop("year", 2000 + next(_n) % 100),
        score=extra.pop("score", 90),
        grade=extra.pop("grade", "excellent"),
        **extra,
    )


def facility(community, **extra) -> Facility:
    unit = extra.pop("unit", None) or f.ResidentUnitFactory(community=community)
    return Facility.objects.create(
        unit=unit,
        name=extra.pop("name", f"操场{next(_n)}"),
        kind=extra.pop("kind", FacilityKind.GYM),
        opening_hours=extra.pop("opening_hours", "周末 8:00–18:00"),
        **extra,
    )


def booking(community, **extra) -> FacilityBooking:
    n = next(_n)
    return FacilityBooking.objects.create(
        facility=extra.pop("facility", None) or facility(community),
        date=extra.pop("date", dt.date(2026, 1, 1) + dt.timedelta(days=n)),
        start=extra.pop("start", dt.time(9)),
        end=extra.pop("end", dt.time(11)),
        organiser="社区老年活动队",
        purpose="练太极",
        **extra,
    )


def event(community, **extra) -> CommunityEvent:
    starts = extra.pop("starts_at", timezone.now() + dt.timedelta(days=3))
    return CommunityEvent.objects.create(
        community=community,
        kind=extra.pop("kind", CommunityEventKind.RESIDENT_MEETING),
        title=extra.pop("title", "居民会议"),
        location="居委会会议室",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        **extra,
    )


f.SCOPED_FACTORIES.update(
    {
        "services.ServiceRequest": service_request,
        "services.RequestPhoto": lambda c: RequestPhoto.objects.create(
            request=service_request(c), image=ContentFile(png_bytes(), name="p.png")
        ),
        "services.RequestEvent": lambda c: RequestEvent.objects.create(
            request=service_request(c), kind="note", note="已电话联系"
        ),
        "services.FollowUp": lambda c: FollowUp.objects.create(
            request=service_request(c, status=Status.CLOSED),
            by=f.staff_of(c),
            reached=True,
            satisfaction="satisfied",
        ),
        "services.Notification": lambda c: Notification.objects.create(
            request=service_request(c), subject="新诉求", body="请处理"
        ),
        "services.Commitment": commitment,
        "services.Activity": activity,
        "services.ActivityPhoto": lambda c: ActivityPhoto.objects.create(
            activity=activity(c), image=ContentFile(png_bytes(), name="a.png")
        ),
        "services.Evaluation": evaluation,
        "services.Facility": facility,
        "services.FacilityBooking": booking,
        "services.CommunityEvent": event,
    }
)


# --- a department's rows in a community, and the county's service data (the role matrix) ---


def _for(dept):
    return {"department": dept} if dept is not None else {}


f.PLACED_FACTORIES.update(
    {
        "services.Activity": lambda c, dept: activity(c, **_for(dept)),
        "services.Commitment": lambda c, dept: commitment(c, **_for(dept)),
        "services.Evaluation": lambda c, dept: evaluation(c, **_for(dept)),
        "services.ActivityPhoto": lambda c, dept: ActivityPhoto.objects.create(
            activity=activity(c, **_for(dept)), image=ContentFile(png_bytes(), name="a.png")
        ),
        "services.ServiceRequest": lambda c, dept: service_request(c, assigned_department=dept),
        "services.Notification": lambda c, dept: Notification.objects.create(
            request=service_request(c, assigned_department=dept), subject="新诉求", body="请处理"
        ),
        "services.ServiceCategory": lambda c, dept: category(),
        "services.Open311Client": lambda c, dept: Open311Client.objects.create(name=f"市民热线{next(_n)}"),
    }
)


# --- resident units' obligations (gov21) ---------------------------------------------------------------

from services.models import ObligationFulfilment, UnitObligation  # noqa: E402


def obligation(community, **extra) -> UnitObligation:
    return UnitObligation.objects.create(
        unit=extra.pop("unit", None) or f.ResidentUnitFactory(community=community),
        category=extra.pop("category", "facilities"),
        duty=extra.pop("duty", "周末向居民开放操场"),
        agreed_on=extra.pop("agreed_on", dt.date(2024, 1, 15)),
        **extra,
    )


def fulfilment(community, **extra) -> ObligationFulfilment:
    return ObligationFulfilment.objects.create(
        obligation=extra.pop("obligation", None) or obligation(community),
        year=extra.pop("year", 2025),
        status=extra.pop("status", "fulfilled"),
        **extra,
    )


f.SCOPED_FACTORIES.update({"services.UnitObligation": obligation, "services.ObligationFulfilment": fulfilment})
