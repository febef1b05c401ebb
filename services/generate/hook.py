"""The hook ``generate_county`` calls, and ``clear`` for a generated county."""

from __future__ import annotations

from decimal import Decimal

from django.db import connections

from community.demo.bulk import deleting
from community.models import ResidentUnit, User

from ..models import (
    Activity,
    ActivityPhoto,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    FollowUp,
    Notification,
    RequestEvent,
    RequestPhoto,
    ServiceCategory,
    ServiceRequest,
)
from ..reference import CATALOGUE
from .data import GENERATOR_USERNAME, REQUESTS_PER_HOUSEHOLD
from .requests import write_requests
from .work import write_events, write_facilities, write_six_into

# --- the hook ------------------------------------------------------------------------------------


def generate(ctx) -> None:
    staff = _generator_user()
    categories = _catalogue(ctx)
    total = ctx.args.get("requests")
    if total is None:
        total = round(len(ctx.households) * REQUESTS_PER_HOUSEHOLD)
    total = max(0, int(total))
    with ctx.bulk_load(ServiceRequest, RequestEvent, FollowUp):
        written = write_requests(ctx, categories, staff, total)
    commitments, activities, evaluations = write_six_into(ctx)
    facilities, bookings = write_facilities(ctx)
    events = write_events(ctx)
    _analyze(ctx)
    ctx.say(
        f"services: {len(categories)} categories, {written:,} requests, {commitments:,} commitments, "
        f"{activities:,} activities, {evaluations:,} evaluations, {facilities:,} facilities, "
        f"{bookings:,} bookings, {events:,} community events"
    )


def clear(county) -> None:
    """Delete the services rows that point into ``county`` (before the core deletes the county)."""
    connection = connections[ServiceRequest.objects.db]
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    communities = (
        "SELECT c.id FROM community_community c JOIN community_town t ON t.id = c.town_id WHERE t.county_id = %s"
    )
    requests = f"SELECT id FROM {table(ServiceRequest)} WHERE community_id IN ({communities})"
    units = f"SELECT id FROM {table(ResidentUnit)} WHERE community_id IN ({communities})"
    facilities = f"SELECT id FROM {table(Facility)} WHERE unit_id IN ({units})"
    activities = f"SELECT id FROM {table(Activity)} WHERE community_id IN ({communities})"
    departments = "SELECT id FROM community_department WHERE county_id = %s"

    statements = [
        f"DELETE FROM {table(FollowUp)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(RequestEvent)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(RequestPhoto)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(Notification)} WHERE request_id IN ({requests})",
        f"DELETE FROM {table(ServiceRequest.history.model)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(ServiceRequest)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(ActivityPhoto)} WHERE activity_id IN ({activities})",
        f"DELETE FROM {table(Activity)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Commitment)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(Evaluation)} WHERE community_id IN ({communities})",
        f"DELETE FROM {table(FacilityBooking)} WHERE facility_id IN ({facilities})",
        f"DELETE FROM {table(Facility)} WHERE unit_id IN ({units})",
        f"DELETE FROM {table(CommunityEvent)} WHERE community_id IN ({communities})",
        # the catalogue is shared: it stays, without the county's departments
        f"UPDATE {table(ServiceCategory)} SET department_id = NULL WHERE department_id IN ({departments})",
    ]
    with deleting(ServiceRequest), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [county.pk] * sql.count("%s"))


def _generator_user() -> User:
    user, created = User.objects.get_or_create(
        username=GENERATOR_USERNAME, defaults={"first_name": "规模数据", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _catalogue(ctx) -> list[ServiceCategory]:
    """The active catalogue; made from the reference catalogue (with this county's departments) when empty."""
    if not ServiceCategory.objects.exists():
        for order, (code, name, group, department, hours, days, paid, price, questions) in enumerate(CATALOGUE, 1):
            ServiceCategory.objects.create(
                code=code,
                name=name,
                group=group,
                department=ctx.departments.get(department) if department else None,
                accept_within_hours=hours,
                resolve_within_days=days,
                paid=paid,
                price=Decimal(price),
                questions=questions,
                order=order * 10,
                description=f"{name}：社区受理，{days}天内办结。",
            )
    return list(ServiceCategory.objects.filter(active=True).select_related("department").order_by("order", "code"))


def _analyze(ctx) -> None:
    connection = connections[ctx.using]
    with connection.cursor() as cursor:
        for model in (  # requests, their events and follow-ups: on leaving ctx.bulk_load
            ServiceCategory,
            Commitment,
            Activity,
            Evaluation,
            Facility,
            FacilityBooking,
            CommunityEvent,
        ):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
