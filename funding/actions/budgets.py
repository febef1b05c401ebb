"""Closing a month, budgets and their adjustments, and projects (completed or cancelled with refunds)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    BudgetStatus,
    EntryKind,
    EntryStatus,
    ProjectStatus,
    Side,
    SourceKind,
    Use,
)
from ..models import (
    Budget,
    BudgetLine,
    FiscalPeriod,
    FundBalance,
    FundingSource,
    JournalEntry,
    Project,
)
from .common import CASH_BANK, account, expense_account, money
from .postings import post_by_rule
from .vouchers import LineSpec


@transaction.atomic
def period_close(*, by, community, year: int, month: int) -> FiscalPeriod:
    ensure_in_scope(by, community)
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("The month is between 1 and 12.")})
    pending = JournalEntry.objects.filter(
        community=community, year=year, date__month=month, status__in=[EntryStatus.DRAFT, EntryStatus.APPROVED]
    ).count()
    if pending:
        raise ValidationError(
            _("%(n)d vouchers of this month are not posted yet; post or discard them before closing.") % {"n": pending}
        )
    period, _created = FiscalPeriod.objects.get_or_create(community=community, year=year, month=month)
    period = FiscalPeriod.objects.select_for_update().get(pk=period.pk)
    if period.closed:
        raise ValidationError(_("This period is already closed."))
    period.closed, period.closed_by, period.closed_at = True, by, timezone.now()
    period.save(update_fields=["closed", "closed_by", "closed_at"])
    return period


@transaction.atomic
def budget_create(
    *, by, community, year: int, lines: list[tuple[FundingSource, str, Decimal]], reason: str = ""
) -> Budget:
    ensure_in_scope(by, community)
    if Budget.objects.filter(community=community, year=year).exists():
        raise ValidationError(
            _("This community already has a budget for %(year)s; adjust it instead.") % {"year": year}
        )
    budget = Budget.objects.create(community=community, year=year, version=1, reason=reason, prepared_by=by)
    _budget_lines(budget, lines)
    return budget


def _budget_lines(budget: Budget, lines) -> None:
    seen = set()
    rows = []
    for source, use, amount in lines:
        if use not in Use.values:
            raise ValidationError({"use": _("Unknown use %(use)s.") % {"use": use}})
        if (source.pk, use) in seen:
            raise ValidationError(_("Each source and use appears once in a budget."))
        seen.add((source.pk, use))
        rows.append(BudgetLine(budget=budget, source=source, use=use, amount=money(amount, allow_zero=True)))
    if not rows:
        raise ValidationError(_("A budget needs at least one line."))
    BudgetLine.objects.bulk_create(rows)


@transaction.atomic
def budget_adjust(*, by, budget_id: int, lines, reason: str) -> Budget:
    """A new draft version of an approved budget; it replaces the old one only once approved."""
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    ensure_in_scope(by, budget.community)
    if budget.status != BudgetStatus.APPROVED:
        raise ValidationError(_("Only the approved budget is adjusted; change the draft itself instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    if Budget.objects.filter(community=budget.community, year=budget.year, status=BudgetStatus.DRAFT).exists():
        raise ValidationError(_("An adjustment of this budget is already waiting for approval."))
    last = Budget.objects.filter(community=budget.community, year=budget.year).aggregate(v=Max("version"))["v"]
    new = Budget.objects.create(
        community=budget.community, year=budget.year, version=last + 1, reason=reason.strip(), prepared_by=by
    )
    _budget_lines(new, lines)
    return new


@transaction.atomic
def budget_approve(*, by, budget_id: int) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    ensure_in_scope(by, budget.community)
    if budget.status != BudgetStatus.DRAFT:
        raise ValidationError(_("Only a draft budget can be approved."))
    if budget.prepared_by_id == by.pk:
        raise ValidationError(_("The approver must not be the person who prepared the budget (four-eyes rule)."))
    Budget.objects.filter(community=budget.community, year=budget.year, status=BudgetStatus.APPROVED).update(
        status=BudgetStatus.SUPERSEDED
    )
    budget.status, budget.approved_by, budget.approved_at = BudgetStatus.APPROVED, by, timezone.now()
    budget.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return budget


@transaction.atomic
def project_complete(*, by, project_id: int, on: dt.date | None = None) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    ensure_in_scope(by, project.community)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(_("This project is already closed."))
    project.status, project.completed_on = ProjectStatus.COMPLETED, on or timezone.localdate()
    project.save(update_fields=["status", "completed_on", "updated_at"])
    return project


@transaction.atomic
def project_cancel(*, by, project_id: int, reason: str, on: dt.date | None = None) -> list[JournalEntry]:
    """Cancel a project and refund what is left of the residents' money (one posted voucher per fund)."""
    project = Project.objects.select_for_update().get(pk=project_id)
    ensure_in_scope(by, project.community)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(_("This project is already closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the project.")})
    refunds = []
    funds = project.funds.filter(source__kind=SourceKind.RESIDENT_FUNDRAISING).order_by("pk")
    for fund in funds:
        FundBalance.objects.get_or_create(fund=fund)
        left = FundBalance.objects.select_for_update().get(fund=fund).balance
        if left <= 0:
            continue
        refunds.append(
            post_by_rule(
                by=by,
                community=project.community,
                date=on or timezone.localdate(),
                memo=_("Refund to residents: project %(project)s cancelled") % {"project": project},
                lines=[
                    LineSpec(expense_account(Use.REFUND), fund, Side.DEBIT, left),
                    LineSpec(account(CASH_BANK), fund, Side.CREDIT, left),
                ],
                kind=EntryKind.REFUND,
                reference=f"refund:{project.pk}:{fund.pk}",
                rule=_("refund on project cancellation"),
            )
        )
    project.status, project.cancelled_reason = ProjectStatus.CANCELLED, reason.strip()[:200]
    project.save(update_fields=["status", "cancelled_reason", "updated_at"])
    return refunds
