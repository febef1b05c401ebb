"""Every write of the services app with rules in it.  Admin, API, public pages and tasks call these."""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community import jobs, validators
from community.actions import personal_data_log
from community.choices import ScopeLevel
from community.models import Building, Community, Department, Household, PersonalDataAccess, User
from community.scoping import CHANGE, ensure_allowed, ensure_in_scope, reaches, scope_of
from community.transitions import Transitions

from .choices import (
    OPEN_STATUSES,
    BookingStatus,
    Channel,
    CommunityEventStatus,
    EventKind,
    NotificationStatus,
    QuestionType,
    Rating,
    Status,
)
from .models import (
    CommunityEvent,
    FacilityBooking,
    FollowUp,
    Notification,
    RequestEvent,
    RequestPhoto,
    ServiceCategory,
    ServiceRequest,
    new_tracking_code,
)

log = logging.getLogger(__name__)

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

# The one transition table of a service request (who may use it is checked at the edge).
TRANSITIONS = Transitions(
    Status,
    {
        Status.SUBMITTED: {Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED},
        Status.ACCEPTED: {Status.ASSIGNED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED},
        Status.ASSIGNED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.RESOLVED, Status.ASSIGNED},
        Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
        Status.REOPENED: {Status.ASSIGNED, Status.IN_PROGRESS},
        Status.CLOSED: set(),
        Status.REJECTED: set(),
        Status.DUPLICATE: set(),
        Status.CANCELLED: set(),
    },
)
RESIDENT_CANCELLABLE = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED)


# --- catalogue ------------------------------------------------------------------------------


@transaction.atomic
def category_save(*, by, category: ServiceCategory) -> ServiceCategory:
    """The county-wide catalogue is kept by the county (or a superuser); its department must be the county's."""
    scope = scope_of(by)
    if scope is None or not reaches(scope, category, CHANGE):
        raise PermissionDenied(_("Only the county may change the service catalogue."))
    if category.department_id and not scope.is_all and category.department.county_id != scope.county_id:
        raise ValidationError({"department": _("Choose a department of this county.")})
    category.full_clean()
    category.save()
    return category


def question_values(question) -> list[tuple[str, str]]:
    values = []
    for value in question.get("values") or []:
        if isinstance(value, dict):
            values.append((str(value.get("key")), str(value.get("name", value.get("key")))))
        else:
            values.append((str(value), str(value)))
    return values


def clean_answers(category: ServiceCategory, answers: dict | None, *, require: bool = True) -> dict:
    """Check the answers to a category's extra questions; unknown keys are dropped.

    Staff taking a request by phone may leave required questions open (``require=False``).
    """
    answers = answers or {}
    cleaned, errors = {}, {}
    for question in category.questions or []:
        code, label = question["code"], question["label"]
        kind = question.get("type", QuestionType.STRING)
        raw = answers.get(code)
        empty = raw in (None, "", [])
        if empty:
            if question.get("required") and require:
                errors[f"answer_{code}"] = _("Please answer: %(label)s") % {"label": label}
            continue
        keys = {k for k, _name in question_values(question)}
        if kind == QuestionType.NUMBER:
            try:
                number = Decimal(str(raw))
                validators.validate_finite_number(number)
                if abs(number) >= Decimal("1e15"):  # no count or measure a resident gives is this large
                    raise ValueError(raw)
                cleaned[code] = str(number)
            except (InvalidOperation, ValueError, ValidationError):
                errors[f"answer_{code}"] = _("%(label)s must be a number.") % {"label": label}
        elif kind == QuestionType.SINGLE:
            if str(raw) not in keys:
                errors[f"answer_{code}"] = _("Choose one of the offered answers for %(label)s.") % {"label": label}
            else:
                cleaned[code] = str(raw)
        elif kind == QuestionType.MULTI:
            chosen = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw])]
            if not set(chosen) <= keys:
                errors[f"answer_{code}"] = _("Choose among the offered answers for %(label)s.") % {"label": label}
            else:
                cleaned[code] = chosen
        elif kind == QuestionType.DATETIME:
            value = raw if isinstance(raw, dt.datetime) else None
            if value is None:
                try:
                    value = dt.datetime.fromisoformat(str(raw))
                except ValueError:
                    errors[f"answer_{code}"] = _("%(label)s must be a date and time.") % {"label": label}
                    continue
            try:
                validators.validate_date_in_range(value)
            except ValidationError as exc:
                errors[f"answer_{code}"] = exc.messages[0]
                continue
            cleaned[code] = value.isoformat()
        else:
            text = str(raw).strip()
            if len(text) > 1000:
                errors[f"answer_{code}"] = _("%(label)s is too long.") % {"label": label}
            elif validators.CONTROL_CHARACTERS.search(text):
                errors[f"answer_{code}"] = _("Remove the control characters from this text.")
            else:
                cleaned[code] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- photos ---------------------------------------------------------------------------------


def photo_prepare(upload) -> ContentFile:
    """Accept only a real image of at most 5 MB; re-encode it so no metadata (EXIF, GPS) survives."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(upload, "name", "photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"photos": _("The photo %(name)s is larger than 5 MB.") % {"name": name}}, code="photo_too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in PHOTO_FORMATS:
            raise ValidationError(
                {"photos": _("%(name)s is not a JPEG, PNG, WebP or GIF photo.") % {"name": name}},
                code="photo_type",
            )
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise ValidationError({"photos": _("The photo %(name)s has too many pixels.") % {"name": name}})
        image.load()
        image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {"photos": _("%(name)s is not a photo we can read (use JPEG or PNG).") % {"name": name}},
            code="photo_invalid",
        )
    has_alpha = image.mode in ("RGBA", "LA", "P") and "transparency" in image.info or image.mode in ("RGBA", "LA")
    clean = Image.new("RGBA" if has_alpha else "RGB", image.size)
    clean.paste(image.convert(clean.mode))  # pixels only: no EXIF, no ICC, no text chunks
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"photo.{extension}")


# --- submission -----------------------------------------------------------------------------


def _deadlines(category: ServiceCategory, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return (
        start + dt.timedelta(hours=category.accept_within_hours),
        start + dt.timedelta(days=category.resolve_within_days),
    )


@transaction.atomic
def request_submit(
    *,
    community: Community,
    category: ServiceCategory,
    description: str,
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
    building: Building | None = None,
    door_number: str = "",
    address: str = "",
    answers: dict | None = None,
    photos=(),
    channel: str = Channel.WEB,
    lat=None,
    long=None,
    by: User | None = None,
    submitted_at: dt.datetime | None = None,
) -> ServiceRequest:
    """Save a resident's request (from the public form, Open311, or staff taking it by phone or at the counter)."""
    if by is not None:
        ensure_in_scope(by, community)
    errors = {}
    if not category.active:
        errors["category"] = _("This kind of request is not offered at the moment.")
    description = (description or "").strip()
    if len(description) < 4:
        errors["description"] = _("Describe what you need in a few words (at least 4 characters).")
    elif len(description) > 4000:
        errors["description"] = _("The description is too long (at most 4000 characters).")
    contact_name = (contact_name or "").strip()
    if not contact_name and channel != Channel.OPEN311:
        errors["contact_name"] = _("Tell us how to address you.")
    phone = validators.normalise_phone(contact_phone)
    if not phone and channel != Channel.OPEN311:
        errors["contact_phone"] = _("A phone number is needed so that we can reach you and you can follow the request.")
    elif phone:
        try:
            validators.validate_phone(phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages[0]
    if building is not None and building.zone.community_id != community.pk:
        errors["building"] = _("This building is not in the chosen community.")
    if not building and not (address or "").strip() and lat is None:
        errors["address"] = _("Choose your building or write the address.")
    for field, text in (
        ("description", description),
        ("contact_name", contact_name),
        ("contact_email", contact_email),
        ("door_number", door_number),
        ("address", address),
    ):
        try:
            validators.validate_no_control_characters(text)
        except ValidationError as exc:
            errors.setdefault(field, exc.messages[0])
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
    try:
        answers = clean_answers(category, answers, require=by is None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    prepared = []
    if "photos" not in errors:
        for upload in photos:
            try:
                prepared.append(photo_prepare(upload))
            except ValidationError as exc:
                errors.update(exc.message_dict)
                break
    if errors:
        raise ValidationError(errors)

    household = None
    door_number = (door_number or "").strip()
    if building is not None and door_number:
        household = Household.objects.filter(building=building, number=door_number).first()
    now = submitted_at or timezone.now()
    accept_due, resolve_due = _deadlines(category, now)
    full_address = " ".join(p for p in [str(building.name) if building else "", door_number, address.strip()] if p)
    request = ServiceRequest.objects.create(
        community=community,
        category=category,
        channel=channel,
        building=building,
        household=household,
        address=full_address[:200],
        lat=lat,
        long=long,
        description=description,
        answers=answers,
        contact_name=contact_name[:40],
        contact_phone=phone,
        contact_email=contact_email or "",
        submitted_at=now,
        accept_due=accept_due,
        resolve_due=resolve_due,
        created_by=by,
    )
    for content in prepared:
        RequestPhoto.objects.create(request=request, image=content)
    RequestEvent.objects.create(
        request=request,
        kind=EventKind.TRANSITION,
        new_status=Status.SUBMITTED,
        public=True,
        by=by,
        note=_("Request received."),
    )
    _notify_staff(
        request,
        subject=_("New service request %(code)s: %(category)s") % {"code": request.display_code, "category": category},
        body=_("A new request was submitted in %(community)s and must be accepted by %(due)s.")
        % {"community": community, "due": timezone.localtime(accept_due).strftime("%Y-%m-%d %H:%M")},
    )
    return request


# --- transitions ----------------------------------------------------------------------------


def _lock(request_id) -> ServiceRequest:
    try:
        return ServiceRequest.objects.select_for_update().select_related("category", "community").get(pk=request_id)
    except (ServiceRequest.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("No such service request."))


def _move(req: ServiceRequest, to: str, *, by, note: str = "", public: bool = False, extra_fields=()) -> ServiceRequest:
    TRANSITIONS.check(req.status, to, message=_("A request that is %(now)s cannot become %(to)s."))
    now = timezone.now()
    RequestEvent.objects.create(
        request=req, kind=EventKind.TRANSITION, old_status=req.status, new_status=to, by=by, note=note, public=public
    )
    req.status = to
    fields = ["status", "updated_at", *extra_fields]
    if to == Status.ACCEPTED:
        req.accepted_at = now
        fields.append("accepted_at")
    elif to == Status.RESOLVED:
        req.resolved_at = now
        fields.append("resolved_at")
    elif to in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE, Status.CANCELLED):
        req.closed_at = now
        fields.append("closed_at")
    elif to == Status.REOPENED:
        req.resolved_at = None
        req.closed_at = None
        fields += ["resolved_at", "closed_at"]
    req.save(update_fields=fields)
    return req


@transaction.atomic
def request_move(*, by, request_id, to: str, note: str = "", public: bool = False) -> ServiceRequest:
    """A plain transition (accept, start, close …); reject, duplicate, assign and resolve have their own."""
    if to in (Status.REJECTED, Status.DUPLICATE, Status.ASSIGNED, Status.RESOLVED, Status.REOPENED):
        names = {
            Status.REJECTED: "request_reject",
            Status.DUPLICATE: "request_mark_duplicate",
            Status.ASSIGNED: "request_assign",
            Status.RESOLVED: "request_resolve",
            Status.REOPENED: "request_rate",
        }
        raise ValidationError(
            _("Use %(action)s to make a request %(to)s.") % {"action": names[to], "to": Status(to).label}
        )
    req = _lock(request_id)
    ensure_allowed(by, req, "progress" if to == Status.IN_PROGRESS else "triage")
    return _move(req, to, by=by, note=note, public=public)


@transaction.atomic
def request_reject(*, by, request_id, reason: str) -> ServiceRequest:
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the request; the resident will see it.")})
    req.reject_reason = reason[:300]
    return _move(req, Status.REJECTED, by=by, note=reason, public=True, extra_fields=["reject_reason"])


@transaction.atomic
def request_mark_duplicate(*, by, request_id, original_id) -> ServiceRequest:
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    original = ServiceRequest.objects.filter(pk=original_id, community_id=req.community_id).first()
    if original is None or original.pk == req.pk:
        raise ValidationError({"duplicate_of": _("Choose another request of the same community as the original.")})
    if original.status == Status.DUPLICATE:
        raise ValidationError({"duplicate_of": _("The original cannot itself be a duplicate.")})
    req.duplicate_of = original
    return _move(
        req,
        Status.DUPLICATE,
        by=by,
        note=_("Handled together with request No. %(number)s.") % {"number": original.pk},
        public=True,
        extra_fields=["duplicate_of"],
    )


def suggested_party_member(request: ServiceRequest):
    """The party member covering the request's household (partybuild's coverage), if that app offers it."""
    if request.household_id is None:
        return None
    try:
        from partybuild.selectors import coverer_of_household
    except (ImportError, AttributeError):
        return None
    try:
        return coverer_of_household(household_id=request.household_id, on=timezone.localdate())
    except (LookupError, ValueError):
        return None


@transaction.atomic
def request_assign(
    *, by, request_id, user=None, department=None, party_member=None, note: str = "", public: bool = False
) -> ServiceRequest:
    """Assign to exactly one of: a staff member, a department, or the party member covering the household."""
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    chosen = [x for x in (user, department, party_member) if x]
    if len(chosen) != 1:
        raise ValidationError(_("Assign the request to exactly one staff member, department or party member."))
    if user is not None:
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).first()
        scope = scope_of(user) if user is not None else None
        if scope is None or scope.level == ScopeLevel.DEPARTMENT or not reaches(scope, req.community, CHANGE):
            raise ValidationError({"user": _("The staff member must work for this request's community.")})
    if department is not None:
        if not isinstance(department, Department):
            department = Department.objects.filter(pk=department).first()
        if department is None or department.county_id != req.community.town.county_id:
            raise ValidationError({"department": _("Choose a department of this county.")})
    member_id, member_name = None, ""
    if party_member is not None:
        suggested = suggested_party_member(req)
        if suggested is None or str(getattr(suggested, "pk", "")) != str(getattr(party_member, "pk", party_member)):
            raise ValidationError({"party_member": _("Only the party member covering this household can be assigned.")})
        member_id, member_name = suggested.pk, str(suggested)[:60]
    if req.status == Status.SUBMITTED:
        _move(req, Status.ACCEPTED, by=by)
    _move(req, Status.ASSIGNED, by=by, note=note, public=public)
    req.assigned_user = user
    req.assigned_department = department
    req.assigned_party_member_id = member_id
    req.assigned_party_member_name = member_name
    req.save(
        update_fields=[
            "assigned_user",
            "assigned_department",
            "assigned_party_member_id",
            "assigned_party_member_name",
            "updated_at",
        ]
    )
    if user is not None and user.email:
        _notification(
            req,
            recipient=user,
            subject=_("Service request %(code)s assigned to you") % {"code": req.display_code},
            body=_("Please handle it by %(due)s.")
            % {"due": timezone.localtime(req.resolve_due).strftime("%Y-%m-%d %H:%M")},
        )
    return req


@transaction.atomic
def request_resolve(*, by, request_id, note: str, fee=None) -> ServiceRequest:
    """Resolve; for a paid service the fee is recorded and posted to the funding ledger as own income."""
    req = _lock(request_id)
    ensure_allowed(by, req, "progress")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Tell the resident what was done (a public note).")})
    if req.category.paid:
        if fee in (None, ""):
            fee = req.category.price
        try:
            fee = Decimal(str(fee)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"fee": _("The fee must be an amount in yuan.")})
        if fee < 0:
            raise ValidationError({"fee": _("The fee cannot be negative.")})
    elif fee not in (None, "", 0, Decimal("0")):
        raise ValidationError({"fee": _("This service is free: no fee may be charged.")})
    else:
        fee = None
    _move(req, Status.RESOLVED, by=by, note=note, public=True)
    req.fee = fee
    req.save(update_fields=["fee", "updated_at"])
    if fee:
        _post_fee(req, by=by)
    return req


def _post_fee(req: ServiceRequest, *, by) -> bool:
    """Post a paid service's fee to the funding ledger (if the funding app offers it); True when posted."""
    if req.fee_posted or not req.fee:
        return req.fee_posted
    try:
        from funding.actions import own_income_post
    except (ImportError, AttributeError):
        log.info("funding.actions.own_income_post not available; fee of request %s kept unposted", req.pk)
        return False
    own_income_post(
        by=by,
        community=req.community,
        amount=req.fee,
        use=str(req.category),
        memo=_("Paid service %(category)s, request No. %(number)s") % {"category": req.category, "number": req.pk},
        reference=f"services.request:{req.pk}",
    )
    req.fee_posted = True
    req.save(update_fields=["fee_posted", "updated_at"])
    return True


@transaction.atomic
def request_post_fee(*, by, request_id) -> ServiceRequest:
    """Post a recorded fee that could not be posted at resolution (e.g. before the funding app existed)."""
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    if not req.fee:
        raise ValidationError(_("This request has no fee to post."))
    if not _post_fee(req, by=by):
        raise ValidationError(_("The funding ledger is not available; the fee stays recorded on the request."))
    return req


@transaction.atomic
def request_note(*, by, request_id, note: str, public: bool = False) -> RequestEvent:
    """A note on the request; a public one is the reply the resident reads on the tracking page."""
    req = _lock(request_id)
    ensure_allowed(by, req, "progress")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("The note is empty.")})
    req.save(update_fields=["updated_at"])
    return RequestEvent.objects.create(request=req, kind=EventKind.NOTE, note=note, public=public, by=by)


CALL_WINDOW = dt.timedelta(hours=24)


@transaction.atomic
def request_reveal_phone(*, by, request_id, reason: str) -> str:
    """Show the requester's full phone to someone who will call them, with a reason, logged (PIPL).

    Staff of the community may call at any stage (回访 comes after resolution); a department liaison only
    while the request is open and assigned to their department.
    """
    req = _lock(request_id)
    ensure_allowed(by, req, "call")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why you need the phone number (e.g. a follow-up call).")})
    scope = scope_of(by)
    if scope is not None and scope.level == ScopeLevel.DEPARTMENT and req.status not in OPEN_STATUSES:
        raise PermissionDenied(_("A department sees the phone only while the request is open and assigned to it."))
    if not req.contact_phone:
        raise ValidationError(_("The resident left no phone number."))
    personal_data_log(by=by, kind=PersonalDataAccess.Kind.REVEAL, obj=req, fields="contact_phone", reason=reason[:200])
    note = _("Phone revealed to call the resident: %(reason)s") % {"reason": reason[:200]}
    RequestEvent.objects.create(request=req, kind=EventKind.NOTE, note=note, public=False, by=by)
    return req.contact_phone


@transaction.atomic
def request_follow_up(*, by, request_id, reached: bool, satisfaction: str = "", note: str = "") -> FollowUp:
    """回访: record the call; a reached, dissatisfied resident reopens a resolved request, a satisfied one closes it."""
    req = _lock(request_id)
    ensure_allowed(by, req, "progress")
    if req.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("Only a resolved or closed request can be followed up."))
    if reached and satisfaction not in Rating.values:
        raise ValidationError({"satisfaction": _("Record how satisfied the resident is.")})
    if not reached:
        satisfaction = ""
    call = (  # the reveal that gave this caller the number, if they called through the platform today
        PersonalDataAccess.objects.filter(
            user=by, model=ServiceRequest._meta.label, object_id=str(req.pk), at__gte=timezone.now() - CALL_WINDOW
        )
        .order_by("-at")
        .first()
    )
    follow_up = FollowUp.objects.create(
        request=req, by=by, reached=reached, satisfaction=satisfaction, note=note, call=call
    )
    RequestEvent.objects.create(
        request=req,
        kind=EventKind.FOLLOW_UP,
        note=Rating(satisfaction).label if satisfaction else _("Resident not reached."),
        public=False,
        by=by,
    )
    if req.status == Status.RESOLVED and satisfaction == Rating.DISSATISFIED:
        _move(req, Status.REOPENED, by=by, note=_("Reopened after the follow-up call."), public=True)
    elif req.status == Status.RESOLVED and satisfaction in (Rating.SATISFIED, Rating.BASICALLY):
        _move(req, Status.CLOSED, by=by, note=_("Closed after the follow-up call."), public=True)
    return follow_up


@transaction.atomic
def request_escalate(*, by, request_id, note: str) -> ServiceRequest:
    """督办: hand an open request up to the town, which is notified."""
    req = _lock(request_id)
    ensure_allowed(by, req, "escalate")
    if req.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be escalated."))
    if req.escalated_at is not None:
        raise ValidationError(_("This request has already been escalated to the town."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the request is escalated.")})
    req.escalated_at = timezone.now()
    req.save(update_fields=["escalated_at", "updated_at"])
    RequestEvent.objects.create(request=req, kind=EventKind.ESCALATION, note=note, by=by)
    cadres = User.objects.filter(is_active=True, scope_level=ScopeLevel.TOWN, town_id=req.community.town_id).exclude(
        email=""
    )
    for cadre in cadres:
        _notification(
            req,
            recipient=cadre,
            subject=_("Escalated (督办): request %(code)s in %(community)s")
            % {"code": req.display_code, "community": req.community},
            body=note,
        )
    return req


# --- the resident's own actions (by tracking code + phone) ---------------------------------------


# a tracking code locks after this many wrong last-4 tries, counted per code (not per IP: rotating
# X-Real-IP headers bought an attacker 10⁴ guesses); staff re-issue a locked code from the admin
TRACK_MAX_FAILURES = 5
TRACK_LOCK_SECONDS = 90 * 24 * 3600


def _track_failures_key(code: str) -> str:
    return f"services:track-failures:{code}"


def _track_failures(code: str) -> int:
    from django.core.cache import cache

    try:
        return int(cache.get(_track_failures_key(code)) or 0)
    except Exception as exc:  # the cache (Redis) is down: the per-IP rate limit still holds
        log.warning("tracking-code failures unreadable: %s", exc)
        return 0


def _track_failed(code: str) -> None:
    from django.core.cache import cache

    key = _track_failures_key(code)
    try:
        cache.add(key, 0, TRACK_LOCK_SECONDS)
        cache.incr(key)
        cache.touch(key, TRACK_LOCK_SECONDS)
    except Exception as exc:
        log.warning("tracking-code failure not counted: %s", exc)


def _track_reset(code: str) -> None:
    from django.core.cache import cache

    try:
        cache.delete(_track_failures_key(code))
    except Exception as exc:
        log.warning("tracking-code failures not reset: %s", exc)


def request_find_for_resident(*, code: str, phone_last4: str) -> ServiceRequest | None:
    """The request if the code and the phone's last four digits match; None otherwise (the same for both).

    Every wrong pair counts against the code (known or not, so a count tells nothing); at
    ``TRACK_MAX_FAILURES`` the code is locked, even to the right digits, and this raises ValidationError."""
    import hmac

    from .models import normalise_tracking_code

    code = normalise_tracking_code(code)
    last4 = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if len(code) != 12 or len(last4) != 4:
        return None
    if _track_failures(code) >= TRACK_MAX_FAILURES:
        raise ValidationError(
            _("This tracking code is locked after too many wrong tries. Ask your community office for a new one."),
            code="locked",
        )
    req = ServiceRequest.objects.select_related("category", "community").filter(tracking_code=code).first()
    expected = req.contact_phone[-4:] if req is not None and req.contact_phone else ""
    same = hmac.compare_digest(expected or "0000", last4)  # the same work whether the code is known or not
    if not (expected and same):
        _track_failed(code)
        return None
    _track_reset(code)  # the resident knew both: earlier typos no longer count
    return req


@transaction.atomic
def request_reissue_code(*, by, request_id) -> ServiceRequest:
    """A new tracking code (the old one, locked or leaked, stops working); the resident is e-mailed it."""
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    req.tracking_code = new_tracking_code()
    req.save(update_fields=["tracking_code", "updated_at"])
    RequestEvent.objects.create(request=req, kind=EventKind.NOTE, note=_("Tracking code re-issued."), by=by)
    if req.contact_email:
        notification = Notification.objects.create(
            request=req,
            email=req.contact_email,
            subject=str(_("Your new tracking code for request No. %(number)s") % {"number": req.pk})[:200],
            body=_("Your request has a new tracking code: %(code)s. The old one no longer works.")
            % {"code": req.display_code},
        )
        transaction.on_commit(lambda: enqueue_notification(notification.pk))
    return req


@transaction.atomic
def request_add_info(*, request_id, text: str) -> RequestEvent:
    req = _lock(request_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the information you want to add.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("At most 2000 characters.")})
    if req.status not in OPEN_STATUSES and req.status != Status.RESOLVED:
        raise ValidationError(_("This request is finished; submit a new one if you need more help."))
    req.save(update_fields=["updated_at"])
    event = RequestEvent.objects.create(request=req, kind=EventKind.RESIDENT_INFO, note=text, public=True)
    _notify_staff(
        req,
        subject=_("The resident added information to request %(code)s") % {"code": req.display_code},
        body=text,
    )
    return event


@transaction.atomic
def request_cancel(*, request_id, reason: str = "") -> ServiceRequest:
    req = _lock(request_id)
    if req.status not in RESIDENT_CANCELLABLE:
        raise ValidationError(_("This request can no longer be cancelled."))
    return _move(req, Status.CANCELLED, by=None, note=(reason or "").strip()[:500], public=True)


@transaction.atomic
def request_rate(*, request_id, rating: str, comment: str = "") -> ServiceRequest:
    """The resident's verdict on a resolved request: 不满意 reopens it, otherwise it is closed."""
    req = _lock(request_id)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if req.status != Status.RESOLVED:
        raise ValidationError(_("Only a resolved request can be rated."))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("At most 500 characters.")})
    req.rating, req.rating_comment, req.rated_at = rating, comment, timezone.now()
    req.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    RequestEvent.objects.create(
        request=req, kind=EventKind.RATING, note=f"{Rating(rating).label} {comment}".strip(), public=True
    )
    if rating == Rating.DISSATISFIED:
        _move(req, Status.REOPENED, by=None, note=_("Reopened: the resident is not satisfied."), public=True)
        _notify_staff(
            req,
            subject=_("Request %(code)s reopened: the resident is not satisfied") % {"code": req.display_code},
            body=comment,
        )
    else:
        _move(req, Status.CLOSED, by=None, note=_("Closed after the resident's rating."), public=True)
    return req


# --- deadlines --------------------------------------------------------------------------------


def overdue_q(now: dt.datetime) -> Q:
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(status__in=OPEN_STATUSES, resolve_due__lt=now)


@transaction.atomic
def requests_mark_overdue(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Flag requests past their deadline and notify the community's staff (idempotent: each is flagged once)."""
    now = now or timezone.now()
    due = list(
        ServiceRequest.objects.select_for_update(skip_locked=True)
        .filter(overdue_q(now), overdue=False)
        .select_related("community")
        .order_by("id")[:limit]
    )
    if not due:
        return 0
    ServiceRequest.objects.filter(pk__in=[r.pk for r in due]).update(overdue=True, updated_at=now)
    RequestEvent.objects.bulk_create(
        RequestEvent(request=r, kind=EventKind.OVERDUE, note=_("Deadline missed."), public=False) for r in due
    )
    for req in due:
        req.overdue = True
        _notify_staff(
            req,
            subject=_("Overdue: request %(code)s in %(community)s")
            % {"code": req.display_code, "community": req.community},
            body=_("The request %(code)s (%(status)s) has missed its deadline.")
            % {"code": req.display_code, "status": req.get_status_display()},
        )
    return len(due)


# --- notifications ----------------------------------------------------------------------------


def _notification(req: ServiceRequest, *, recipient, subject: str, body: str) -> Notification:
    notification = Notification.objects.create(
        request=req, recipient=recipient, email=recipient.email, subject=str(subject)[:200], body=str(body)
    )
    transaction.on_commit(lambda: enqueue_notification(notification.pk))
    return notification


def _notify_staff(req: ServiceRequest, *, subject, body) -> list[Notification]:
    """Notify the community's staff with an e-mail address; the row stays in the admin list either way."""
    staff = User.objects.filter(
        is_active=True, scope_level=ScopeLevel.COMMUNITY, community_id=req.community_id
    ).exclude(email="")
    made = [_notification(req, recipient=user, subject=subject, body=body) for user in staff]
    if not made:  # nobody to e-mail: keep the notice in the admin's list
        made.append(
            Notification.objects.create(
                request=req,
                subject=str(subject)[:200],
                body=str(body),
                status=NotificationStatus.SENT,
                sent_at=timezone.now(),
            )
        )
    return made


def enqueue_notification(notification_id: int) -> bool:
    """Hand a notification to Celery; with the broker down it stays pending for the periodic sweep."""
    return jobs.send("services.tasks.send_notification", notification_id)


@transaction.atomic
def notification_send(*, notification_id: int) -> Notification | None:
    """Send one pending notification by e-mail (idempotent: a sent one is not sent again)."""
    notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
    if notification is None or notification.status == NotificationStatus.SENT:
        return notification
    notification.attempts += 1
    try:
        send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email])
    except Exception as exc:  # SMTP errors of every kind: retried by the sweep, up to 5 attempts
        notification.last_error = str(exc)[:300]
        if notification.attempts >= 5:
            notification.status = NotificationStatus.FAILED
        notification.save(update_fields=["attempts", "last_error", "status"])
        return notification
    notification.status = NotificationStatus.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["attempts", "status", "sent_at"])
    return notification


def notifications_sweep(*, limit: int = 500) -> int:
    """Send every pending notification (the periodic job; also recovers those queued while Redis was down)."""
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in ids:
        result = notification_send(notification_id=pk)
        sent += bool(result and result.status == NotificationStatus.SENT)
    return sent


# --- department-owned rows (六进社区) and facility/event rows ---------------------------------------


@transaction.atomic
def record_save(*, by, instance):
    """Validate and save a services row within the writer's scope (checked where it is and where it goes)."""
    model = type(instance)
    if instance.pk:
        current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        if current is not None:
            ensure_in_scope(by, current)
    ensure_in_scope(by, instance)
    instance.full_clean()
    if isinstance(instance, FacilityBooking):
        return booking_save(by=by, booking=instance)
    instance.save()
    return instance


@transaction.atomic
def booking_save(*, by, booking: FacilityBooking) -> FacilityBooking:
    """A facility cannot be booked twice for overlapping times (checked under the facility's row lock)."""
    from .models import Facility

    facility = Facility.objects.select_for_update().select_related("unit__community").get(pk=booking.facility_id)
    ensure_in_scope(by, facility.unit.community)
    if booking.end <= booking.start:
        raise ValidationError({"end": _("The booking must end after it starts.")})
    if booking.status != BookingStatus.CANCELLED:
        clash = (
            FacilityBooking.objects.filter(
                facility=facility, date=booking.date, start__lt=booking.end, end__gt=booking.start
            )
            .exclude(status=BookingStatus.CANCELLED)
            .exclude(pk=booking.pk)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start": _("The facility is already booked from %(start)s to %(end)s that day.")
                    % {"start": clash.start.strftime("%H:%M"), "end": clash.end.strftime("%H:%M")}
                }
            )
    if booking.status != BookingStatus.USED and booking.attendees:
        raise ValidationError({"attendees": _("Record attendees only once the facility has been used.")})
    booking.save()
    return booking


@transaction.atomic
def booking_record_use(*, by, booking_id, attendees: int) -> FacilityBooking:
    booking = FacilityBooking.objects.select_for_update().select_related("facility__unit__community").get(pk=booking_id)
    ensure_in_scope(by, booking.facility.unit.community)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("A cancelled booking cannot be recorded as used."))
    if attendees is None or int(attendees) < 0:
        raise ValidationError({"attendees": _("Give the number of people who came.")})
    booking.status = BookingStatus.USED
    booking.attendees = int(attendees)
    booking.save(update_fields=["status", "attendees", "updated_at"])
    return booking


@transaction.atomic
def event_record_attendance(*, by, event_id, attendance: int, minutes: str = "") -> CommunityEvent:
    event = CommunityEvent.objects.select_for_update().select_related("community").get(pk=event_id)
    ensure_in_scope(by, event.community)
    if event.status == CommunityEventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event has no attendance."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the event has started."))
    try:
        attendance = int(attendance)
    except (TypeError, ValueError):
        raise ValidationError({"attendance": _("Give the number of people who attended.")})
    if attendance < 0 or (event.capacity and attendance > event.capacity * 2):
        raise ValidationError({"attendance": _("This attendance is not plausible for the event.")})
    event.status = CommunityEventStatus.HELD
    event.attendance = attendance
    if minutes:
        event.minutes = minutes
    event.save(update_fields=["status", "attendance", "minutes", "updated_at"])
    return event
