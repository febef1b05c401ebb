"""The ledger's constants, amounts (``money``), the chart's accounts and the cost splits (``costsplit_allocate``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    AccountType,
    EntryKind,
    SourceKind,
    Use,
)
from ..models import (
    Account,
    CostSplit,
    CostSplitShare,
    FundingSource,
)

CENT = Decimal("0.01")


BASIS = 10000


# the default chart's accounts the actions post to (loaded by migration 0003)
CASH_BANK = "1002"


GRANTS_RECEIVABLE = "1121"


SALARIES_PAYABLE = "2201"


DUE_TO_PAYERS = "2209"


NET_UNRESTRICTED = "3101"


NET_RESTRICTED = "3102"


INCOME_FOR_SOURCE = {
    SourceKind.COUNTY_BUDGET: "4101",
    SourceKind.TOWN_BUDGET: "4101",
    SourceKind.ENTERPRISE_DONATION: "4201",
    SourceKind.SOCIAL_DONATION: "4201",
    SourceKind.RESIDENT_FUNDRAISING: "4301",
    SourceKind.OWN_SERVICES: "4401",
    SourceKind.OWN_PROPERTY: "4402",
    SourceKind.OWN_REFERRAL: "4403",
    SourceKind.DEPARTMENT: "4101",
    SourceKind.OTHER: "4901",
}


PAYABLE_FOR_USE = {Use.STAFF_PAY: SALARIES_PAYABLE}


OTHER_PAYABLE = "2202"


OWN_INCOME_KINDS = (SourceKind.OWN_SERVICES, SourceKind.OWN_PROPERTY, SourceKind.OWN_REFERRAL)


EXEMPT_FROM_PURPOSE = (EntryKind.LAPSE, EntryKind.REFUND, EntryKind.RELEASE)


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A yuan amount with at most two decimals, refused with a clear message otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Give the amount as a number of yuan, e.g. 1200.50.")})
    if not amount.is_finite():
        raise ValidationError({field: _("Give the amount as a number of yuan, e.g. 1200.50.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts are in yuan with at most two decimals (to the cent).")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount >= Decimal("1000000000000"):
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(CENT)


def account(code: str) -> Account:
    return Account.objects.get(code=code)


def accounts(*codes: str) -> dict[str, Account]:
    """The chart's accounts of ``codes`` in one query (a missing one is a broken chart, as ``account``)."""
    found = Account.objects.in_bulk(set(codes), field_name="code")
    missing = sorted(set(codes) - set(found))
    if missing:
        raise Account.DoesNotExist(f"no account {', '.join(missing)} in the chart")
    return found


def expense_account(use: str) -> Account:
    found = Account.objects.filter(type=AccountType.EXPENSE, use=use, active=True).order_by("code").first()
    if found is None:
        raise ValidationError({"use": _("There is no expense account for the use %(use)s.") % {"use": use}})
    return found


def check_split_shares(basis_points: list[int]) -> None:
    """The rule of a cost split: at least one payer, every share positive, all summing to 100%."""
    if not basis_points:
        raise ValidationError(_("A cost split needs at least one payer."))
    if any(bp is None or bp <= 0 for bp in basis_points):
        raise ValidationError(_("Every payer's share must be greater than zero."))
    total = sum(basis_points)
    if total != BASIS:
        raise ValidationError(
            _("The shares of a cost split must sum to 100%% (10000 basis points); these sum to %(pct)s%%.")
            % {"pct": f"{total / 100:g}"}
        )


def split_shares(split: CostSplit) -> list[CostSplitShare]:
    """A split's shares (their payers loaded), largest first, checked to sum to 100%."""
    shares = list(split.shares.select_related("source").order_by("-basis_points", "id"))
    check_split_shares([s.basis_points for s in shares])
    return shares


def allocate_shares(shares: list[CostSplitShare], amount: Decimal) -> list[tuple[CostSplitShare, Decimal]]:
    """Split ``amount`` (already checked by ``money``) between ``shares`` (from ``split_shares``), to the cent."""
    cents = int(amount * 100)
    exact = [cents * s.basis_points for s in shares]
    base = [e // BASIS for e in exact]
    leftover = cents - sum(base)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] % BASIS), -shares[i].basis_points, i))
    for i in order[:leftover]:
        base[i] += 1
    return [(share, (Decimal(part) / 100).quantize(CENT)) for share, part in zip(shares, base, strict=True)]


def costsplit_allocate(*, split: CostSplit, amount: Decimal) -> list[tuple[CostSplitShare, Decimal]]:
    """Split ``amount`` between the split's payers, to the cent, with largest-remainder rounding.

    The parts always add up to ``amount``; a leftover cent goes to the share with the largest
    remainder (ties: the larger share first, then the earlier one).
    """
    amount = money(amount, allow_zero=True)
    return allocate_shares(split_shares(split), amount)


@transaction.atomic
def costsplit_define(*, by, name: str, shares: list[tuple[FundingSource, int]], description: str = "") -> CostSplit:
    """Create or redefine a cost split (county-wide rule: only county-level users and superusers)."""
    ensure_in_scope(by, None)
    check_split_shares([bp for _source, bp in shares])
    sources = [source.pk for source, _bp in shares]
    if len(set(sources)) != len(sources):
        raise ValidationError(_("Each payer may appear only once in a cost split."))
    split, _created = CostSplit.objects.select_for_update().get_or_create(
        name=name, defaults={"description": description}
    )
    split.shares.all().delete()
    CostSplitShare.objects.bulk_create(
        CostSplitShare(split=split, source=source, basis_points=bp) for source, bp in shares
    )
    return split


@transaction.atomic
def reference_save(*, by, instance):
    """Save a county-wide reference row (account, source, cost split, checklist item): county users only."""
    ensure_in_scope(by, None)
    instance.full_clean()
    instance.save()
    return instance
