"""Funds: opening, releasing a restricted fund, and the year-end lapse."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import record_save
from community.choices import ScopeLevel
from community.models import County, User
from community.scoping import ensure_in_scope

from ..choices import (
    BALANCE_TYPES,
    EntryKind,
    EntryStatus,
    Restriction,
    Side,
    Use,
)
from ..models import (
    Fund,
    FundBalance,
    JournalEntry,
    JournalLine,
)
from .common import CASH_BANK, DUE_TO_PAYERS, NET_RESTRICTED, NET_UNRESTRICTED, account, expense_account, money
from .postings import existing_entry, post_by_rule
from .vouchers import LineSpec, entry_create


@transaction.atomic
def fund_save(*, by, fund: Fund) -> Fund:
    """Save a fund (admin and API) and make sure its balance row exists."""

    if fund.restriction == Restriction.PURPOSE and not fund.uses:
        raise ValidationError({"uses": _("A fund restricted to a purpose needs the uses it may pay for.")})
    unknown = [u for u in fund.uses or [] if u not in Use.values]
    if unknown:
        raise ValidationError({"uses": _("Unknown use %(use)s.") % {"use": ", ".join(unknown)}})
    if fund.restriction == Restriction.TIME and not fund.valid_until:
        raise ValidationError({"valid_until": _("A fund restricted to a time window needs its end date.")})
    if fund.pk:
        has_lines = JournalLine.objects.filter(fund_id=fund.pk).exists()
        before = Fund.objects.filter(pk=fund.pk).values("community_id", "source_id").first()
        if (
            has_lines
            and before
            and (before["community_id"] != fund.community_id or before["source_id"] != fund.source_id)
        ):
            raise ValidationError(_("A fund with vouchers keeps its community and source."))
    record_save(by=by, instance=fund)
    FundBalance.objects.get_or_create(fund=fund)
    return fund


@transaction.atomic
def fund_release(*, by, fund_id: int, to_fund_id: int, amount: Decimal, date: dt.date, memo: str) -> JournalEntry:
    """Release money from a restriction into an unrestricted fund of the same community (draft voucher)."""
    fund = Fund.objects.select_related("community").get(pk=fund_id)
    to_fund = Fund.objects.filter(pk=to_fund_id).first()
    ensure_in_scope(by, fund.community)
    if to_fund is None:
        raise ValidationError({"to_fund": _("Choose the unrestricted fund that receives the money.")})
    if not fund.is_restricted or to_fund.is_restricted:
        raise ValidationError(_("A release moves money from a restricted fund to an unrestricted one."))
    if to_fund.community_id != fund.community_id:
        raise ValidationError(
            {
                "to_fund": _("A release stays in the community: choose an unrestricted fund of %(community)s.")
                % {"community": fund.community}
            }
        )
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Give the reason for the release (e.g. the donor's written consent).")})
    amount = money(amount)
    held = FundBalance.objects.filter(fund=fund).values_list("balance", flat=True).first() or Decimal("0.00")
    if amount > held:
        raise ValidationError(
            {
                "amount": _("Fund %(fund)s holds %(balance)s yuan; no more than that can be released.")
                % {"fund": fund, "balance": held}
            }
        )
    bank = account(CASH_BANK)
    return entry_create(
        by=by,
        community=fund.community,
        date=date,
        memo=memo,
        kind=EntryKind.RELEASE,
        lines=[
            LineSpec(account(NET_RESTRICTED), fund, Side.DEBIT, amount),
            LineSpec(bank, fund, Side.CREDIT, amount),
            LineSpec(bank, to_fund, Side.DEBIT, amount),
            LineSpec(account(NET_UNRESTRICTED), to_fund, Side.CREDIT, amount),
        ],
    )


@transaction.atomic
def fund_lapse(*, by, fund_id: int, year: int) -> JournalEntry | None:
    """Year-end lapse: what is left of a lapsing fund goes back to its payer (posted by rule; idempotent)."""
    fund = Fund.objects.select_related("community").get(pk=fund_id)
    ensure_in_scope(by, fund.community)
    if not fund.lapses_at_year_end:
        raise ValidationError(_("Fund %(fund)s does not lapse at year end.") % {"fund": fund})
    reference = lapse_reference(fund.pk, year)
    existing = existing_entry(fund.community, reference)
    if existing is not None:
        return existing
    FundBalance.objects.get_or_create(fund=fund)
    left = FundBalance.objects.select_for_update().get(fund=fund).balance
    # what was left on 31 December (money received since belongs to the new year and stays)
    at_year_end = JournalLine.objects.filter(
        fund=fund,
        entry__status=EntryStatus.POSTED,
        entry__date__lte=dt.date(year, 12, 31),
        account__type__in=BALANCE_TYPES,
    ).aggregate(total=Sum(Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"))))["total"]
    left = min(left, at_year_end or Decimal("0.00"))
    if left <= 0:
        return None
    return post_by_rule(
        by=by,
        community=fund.community,
        date=dt.date(year, 12, 31),
        memo=_("Year-end lapse of %(fund)s") % {"fund": fund},
        lines=[
            LineSpec(expense_account(Use.REFUND), fund, Side.DEBIT, left),
            LineSpec(account(DUE_TO_PAYERS), fund, Side.CREDIT, left),
        ],
        kind=EntryKind.LAPSE,
        reference=reference,
        rule=_("year-end lapse rule"),
    )


def lapse_reference(fund_id: int, year: int) -> str:
    return f"lapse:{fund_id}:{year}"


def system_user(county):
    """The county's account for scheduled jobs (county scope, no password: it cannot sign in)."""

    user, created = User.objects.get_or_create(
        username=f"system_funding_{county.code}",
        defaults={"first_name": _("Scheduled jobs (funding)"), "scope_level": ScopeLevel.COUNTY, "county": county},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def funds_lapse_year(*, year: int | None = None, by=None) -> list[JournalEntry]:
    """Year-end lapse of every lapsing fund (in ``by``'s scope; without ``by``: every county's, each
    county's lapses made by its scheduled-jobs account).  ``year`` defaults to the year just ended.

    Idempotent per year: a fund already lapsed for ``year`` is skipped, so running it again (a
    retried task, a second beat) posts nothing more.  Returns the vouchers posted by this run; a
    fund that cannot lapse (e.g. December already closed) is logged and the others still lapse.
    """

    year = int(year or timezone.localdate().year - 1)
    funds = Fund.objects.filter(lapses_at_year_end=True).select_related("community__town")
    if by is not None:
        funds = funds.for_user(by)
    funds = list(funds.order_by("pk"))
    done = set(
        JournalEntry.objects.filter(reference__in=[lapse_reference(f.pk, year) for f in funds]).values_list(
            "reference", flat=True
        )
    )
    users = {}
    posted = []
    for fund in funds:
        if lapse_reference(fund.pk, year) in done:
            continue
        county_id = fund.community.town.county_id
        if by is None and county_id not in users:
            users[county_id] = system_user(County.objects.get(pk=county_id))
        try:
            entry = fund_lapse(by=by or users[county_id], fund_id=fund.pk, year=year)
        except ValidationError as exc:
            logging.getLogger(__name__).warning("fund %s did not lapse for %s: %s", fund.pk, year, exc.messages)
            continue
        if entry is not None:
            posted.append(entry)
    return posted
