"""Staff handle a request: accept, hand over, start, resolve, close, reject, merge, note, call back, escalate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import personal_data_log
from community.choices import ScopeLevel
from community.models import Department, PersonalDataAccess, User
from community.scoping import CHANGE, ensure_allowed, reaches, scope_of
from funding.actions import own_income_post
from partybuild.selectors import coverer_of_household

from ..choices import (
    OPEN_STATUSES,
    EventKind,
    Rating,
    Status,
)
from ..models import (
    FollowUp,
    RequestEvent,
    ServiceRequest,
)
from .common import TRANSITIONS, log
from .notifications import _notification


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
    """The party member covering the request's household (partybuild's coverage), if any."""
    if request.household_id is None:
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
        # the resolution stands even when the ledger refuses the posting now (a closed month, say): the fee
        # stays recorded on the request, and staff post it later (request_post_fee) with the ledger's reason
        try:
            with transaction.atomic():
                _post_fee(req, by=by)
        except ValidationError as exc:
            log.info("fee of request %s kept unposted: %s", req.pk, "; ".join(exc.messages))
    return req


def _post_fee(req: ServiceRequest, *, by) -> None:
    """Post a paid service's fee to the funding ledger as the community's own income (once)."""
    if req.fee_posted or not req.fee:
        return
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


@transaction.atomic
def request_post_fee(*, by, request_id) -> ServiceRequest:
    """Post a recorded fee that the ledger refused at resolution; the ledger's reason if it refuses again."""
    req = _lock(request_id)
    ensure_allowed(by, req, "triage")
    if not req.fee:
        raise ValidationError(_("This request has no fee to post."))
    _post_fee(req, by=by)
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
