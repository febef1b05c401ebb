"""Pay: the pay scale, the monthly payroll of a community and of every county, posted to the ledger."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.choices import ScopeLevel
from community.models import Community, County, User
from community.scoping import ensure_in_scope, scope_of

from .. import payroll
from ..choices import (
    PayrollStatus,
)
from ..models import (
    PayrollLine,
    PayrollRun,
    PayrollShare,
    PayScale,
    StaffMember,
)
from .common import day_or_today

# --- pay -----------------------------------------------------------------------------------------


def payscale_on(*, county_id: int, on: dt.date) -> PayScale | None:
    return PayScale.objects.filter(county_id=county_id, effective_from__lte=on).order_by("-effective_from").first()


def month_start(value) -> dt.date:
    if isinstance(value, str):
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return dt.date(year, month, 1)
        except (ValueError, TypeError):
            raise ValidationError(_("Give the month as YYYY-MM."))
    return value.replace(day=1)


@transaction.atomic
def payroll_run(*, by, community_id: int, month, post: bool = True) -> PayrollRun:
    """One month's pay of one community's roster and each payer's share; idempotent per (community, month).

    ``post=False`` leaves the run for the caller to post with the rest of its scope (``payroll.post_runs``).
    """
    month = month_start(month)
    community = Community.objects.select_for_update().select_related("town__county").get(pk=community_id)
    ensure_in_scope(by, community)
    existing = PayrollRun.objects.filter(community=community, month=month).first()
    if existing is not None:
        if post and existing.status != PayrollStatus.POSTED:
            payroll.post_run(by=by, run=existing)
        return existing
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    scale = payscale_on(county_id=community.town.county_id, on=last_day)
    if scale is None:
        raise ValidationError(_("No pay scale is in force for %(month)s.") % {"month": f"{month:%Y-%m}"})
    staff = list(
        StaffMember.objects.filter(community=community, start__lte=last_day).exclude(end__lt=month).order_by("pk")
    )
    split = payroll.split_for(county=community.town.county)
    run = PayrollRun.objects.create(
        community=community,
        month=month,
        created_by=by,
        ledger_reference=f"staffing-pay-{community.code}-{month:%Y%m}",
    )
    lines = []
    parts = {kind: amount for _label, kind, _bp, amount in payroll.allocate(split, scale.monthly_amount)}
    for member in staff:
        lines.append(
            PayrollLine(
                run=run,
                staff=member,
                amount=scale.monthly_amount,
                county_share=parts.get("county", Decimal("0")),
                town_share=parts.get("town", Decimal("0")),
            )
        )
    PayrollLine.objects.bulk_create(lines)
    run.total = sum((line.amount for line in lines), Decimal("0.00"))
    run.save(update_fields=["total"])
    PayrollShare.objects.bulk_create(
        PayrollShare(run=run, payer=label, payer_kind=kind, basis_points=bp, amount=amount)
        for label, kind, bp, amount in payroll.allocate(split, run.total)
    )
    if post:
        payroll.post_run(by=by, run=run)
    return run


def _make_runs(*, by, month, community_ids) -> list[PayrollRun]:
    """Every community's run, each made in its own transaction and left for its scope's batch to post."""
    runs = []
    for community_id in community_ids:
        try:
            runs.append(payroll_run(by=by, community_id=community_id, month=month, post=False))
        except IntegrityError:  # a concurrent run made it first: fetch it
            runs.append(PayrollRun.objects.get(community_id=community_id, month=month_start(month)))
    return runs


def payroll_run_scope(*, by, month, community_ids) -> list[PayrollRun]:
    """Every community of a scope: each run made in its own transaction, then all posted to the ledger in one.

    A retry redoes only what is missing.  Runs the ledger refuses stay unposted (the next run posts them)
    and are reported once the others are posted.
    """
    runs = _make_runs(by=by, month=month, community_ids=community_ids)
    refused = payroll.post_runs(by=by, runs=runs)
    if refused:
        raise ValidationError([error for _run, error in refused])
    return runs


PAYROLL_ACCOUNT = "staffing_payroll_{code}"


def payroll_system_user(county):
    """The account the scheduled payroll of a county acts as: county scope, no password (cannot sign in)."""

    user, created = User.objects.get_or_create(
        username=PAYROLL_ACCOUNT.format(code=county.code),
        defaults={
            "first_name": _("Monthly payroll (scheduled)")[:150],
            "scope_level": ScopeLevel.COUNTY,
            "county": county,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def previous_month(today: dt.date | None = None) -> dt.date:
    return (day_or_today(today).replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def payroll_run_counties(*, month=None, county_ids=None) -> dict:
    """The scheduled job (the 1st of each month): last month's payroll of every community of every county.

    Idempotent per (community, month): a second run, or a redelivered job, finds the runs already made
    and makes no second one (a run left unposted is posted).  A county with no pay scale in force is
    skipped; a community whose run is refused (e.g. its ledger period is closed) is reported and the
    others go on.  Each community's run is made in its own transaction; the county's runs are then
    posted to the ledger as one batch, in one transaction (``payroll.post_runs``).
    """

    month = month_start(month) if month is not None else previous_month()
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    counties = County.objects.order_by("pk")
    if county_ids is not None:
        counties = counties.filter(pk__in=list(county_ids))
    summary = {"month": f"{month:%Y-%m}", "runs": 0, "skipped_counties": [], "refused": []}
    for county in counties:
        if payscale_on(county_id=county.pk, on=last_day) is None:
            summary["skipped_counties"].append(county.code)
            continue
        by = payroll_system_user(county)
        community_ids = Community.objects.filter(town__county=county).order_by("pk").values_list("pk", flat=True)
        runs = []
        for community_id in community_ids:
            try:
                runs += _make_runs(by=by, month=month, community_ids=[community_id])
            except ValidationError as exc:
                summary["refused"].append((community_id, " ".join(exc.messages)))
        # the county's payroll posts to the ledger as one batch, in one transaction
        for run, exc in payroll.post_runs(by=by, runs=runs):
            summary["refused"].append((run.community_id, " ".join(exc.messages)))
            runs.remove(run)
        summary["runs"] += len(runs)
    return summary


@transaction.atomic
def payscale_save(*, by, scale: PayScale) -> PayScale:
    """Pay scales are set by the county (or a superuser) for its own county."""
    scope = scope_of(by)
    if scope is None or not (scope.is_all or (scope.level == ScopeLevel.COUNTY and scope.county_id == scale.county_id)):
        raise PermissionDenied(_("Only the county sets the pay scale."))
    scale.full_clean()
    scale.save()
    return scale
