"""Pay's cost split and its posting to the ledger: the one place staffing touches the funding app.

The funding app owns the cost-split rule (``funding.models.CostSplit``, seeded "县80%/镇20%") and
the ledger; staffing calls only ``funding.actions.costsplit_allocate`` and
``funding.actions.obligation_post``.  Where the funding app is not installed, the same
county 80% / town 20% rule is applied here with the same largest-remainder rounding, and the
runs stay "computed" (nothing to post to).
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.utils.translation import gettext as _

from .choices import Payer, PayrollStatus

DEFAULT_SPLIT_NAME = "县80%/镇20%"
BASIS = 10000
FALLBACK_SHARES = [("县级财政", Payer.COUNTY, 8000), ("镇级财政", Payer.TOWN, 2000)]
SOURCE_KIND_TO_PAYER = {"county_budget": Payer.COUNTY, "town_budget": Payer.TOWN}


def funding_available() -> bool:
    if not apps.is_installed("funding"):
        return False
    try:
        from funding import actions
    except ImportError:
        return False
    return hasattr(actions, "costsplit_allocate") and hasattr(actions, "obligation_post")


def split_for(*, county=None):
    """The cost split staff pay follows (the funding app's seeded county/town rule), or None."""
    if not funding_available():
        return None
    from funding.models import CostSplit

    return CostSplit.objects.filter(name=DEFAULT_SPLIT_NAME).first()


def largest_remainder(amount: Decimal, basis_points: list[int]) -> list[Decimal]:
    """Split to the cent; leftover cents go to the largest remainders (ties: larger share, then earlier)."""
    cents = int((Decimal(amount) * 100).to_integral_value())
    exact = [cents * bp for bp in basis_points]
    base = [e // BASIS for e in exact]
    leftover = cents - sum(base)
    order = sorted(range(len(basis_points)), key=lambda i: (-(exact[i] % BASIS), -basis_points[i], i))
    for i in order[:leftover]:
        base[i] += 1
    return [(Decimal(part) / 100).quantize(Decimal("0.01")) for part in base]


def allocate(split, amount: Decimal) -> list[tuple[str, str, int, Decimal]]:
    """(payer name, payer level, basis points, amount) for each payer; the parts add up to ``amount``."""
    if split is not None:
        from funding.actions import costsplit_allocate

        return [
            (share.source.name, SOURCE_KIND_TO_PAYER.get(share.source.kind, Payer.OTHER), share.basis_points, part)
            for share, part in costsplit_allocate(split=split, amount=amount)
        ]
    parts = largest_remainder(amount, [bp for _n, _k, bp in FALLBACK_SHARES])
    return [(name, kind, bp, part) for (name, kind, bp), part in zip(FALLBACK_SHARES, parts, strict=True)]


def post_run(*, by, run) -> None:
    """Post a payroll run to the ledger as each payer's obligation (idempotent per the run's reference)."""
    split = split_for(county=None)
    if split is None or run.total <= 0:
        return
    from funding.actions import obligation_post

    entry = obligation_post(
        by=by,
        community=run.community,
        split=split,
        amount=run.total,
        use="staff_pay",
        period_label=f"{run.month:%Y-%m}",
        memo=_("Community workers' pay %(month)s") % {"month": f"{run.month:%Y-%m}"},
        reference=run.ledger_reference,
    )
    run.journal_entry_id = entry.pk
    run.status = PayrollStatus.POSTED
    run.save(update_fields=["journal_entry_id", "status"])
