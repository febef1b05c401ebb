"""Pay's cost split and its posting to the ledger: the one place staffing touches the funding app.

The funding app owns the money split (``funding.actions.costsplit_allocate``, largest remainder to the
cent), the cost-split rule staff pay follows (``funding.selectors.staff_pay_split``, seeded
"县80%/镇20%") and the ledger (``funding.actions.obligation_post``).  Staffing keeps no copy of any.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from funding.actions import costsplit_allocate, obligation_post
from funding.selectors import staff_pay_split

from .choices import Payer, PayrollStatus

SOURCE_KIND_TO_PAYER = {"county_budget": Payer.COUNTY, "town_budget": Payer.TOWN}


def split_for(*, county=None):
    """The cost split staff pay follows; refused with a message where the county has not set it up."""
    split = staff_pay_split()
    if split is None:
        raise ValidationError(
            _("No cost split for community workers' pay is set up; the funding office enters it first.")
        )
    return split


def allocate(split, amount: Decimal) -> list[tuple[str, str, int, Decimal]]:
    """(payer name, payer level, basis points, amount) for each payer; the parts add up to ``amount``."""
    return [
        (share.source.name, SOURCE_KIND_TO_PAYER.get(share.source.kind, Payer.OTHER), share.basis_points, part)
        for share, part in costsplit_allocate(split=split, amount=amount)
    ]


def post_run(*, by, run) -> None:
    """Post a payroll run to the ledger as each payer's obligation (idempotent per the run's reference)."""
    if run.total <= 0:
        return
    entry = obligation_post(
        by=by,
        community=run.community,
        split=split_for(),
        amount=run.total,
        use="staff_pay",
        period_label=f"{run.month:%Y-%m}",
        memo=_("Community workers' pay %(month)s") % {"month": f"{run.month:%Y-%m}"},
        reference=run.ledger_reference,
    )
    run.journal_entry_id = entry.pk
    run.status = PayrollStatus.POSTED
    run.save(update_fields=["journal_entry_id", "status"])
