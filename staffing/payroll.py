"""Pay's cost split and its posting to the ledger: the one place staffing touches the funding app.

The funding app owns the money split (``funding.actions.costsplit_allocate``, largest remainder to the
cent), the cost-split rule staff pay follows (``funding.selectors.staff_pay_split``, seeded
"县80%/镇20%") and the ledger (``funding.actions.obligations_post``: a county's pay runs post as one batch,
in one transaction).  Staffing keeps no copy of any.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.models import Community
from funding.actions import Obligation, VoucherRefused, costsplit_allocate, obligations_post
from funding.selectors import staff_pay_split

from .choices import Payer, PayrollStatus
from .models import PayrollRun

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


def _obligation(run: PayrollRun, community: Community) -> Obligation:
    month = f"{run.month:%Y-%m}"
    return Obligation(
        community=community,
        amount=run.total,
        period_label=month,
        memo=_("Community workers' pay %(month)s") % {"month": month},
        reference=run.ledger_reference,
    )


def post_runs(*, by, runs: list[PayrollRun]) -> list[tuple[PayrollRun, ValidationError]]:
    """Post pay runs to the ledger as one batch, in one transaction: each run its payers' obligation.

    Idempotent per run's reference; a run already posted, or with nothing to pay, is left as it is.  A
    run the ledger refuses (e.g. its month is closed) is left unposted and returned with the reason; the
    batch is posted again without it, so the other runs are posted and nothing of the refused try stays.
    """
    pending = [run for run in runs if run.status != PayrollStatus.POSTED and run.total > 0]
    if not pending:
        return []
    split = split_for()
    communities = Community.objects.select_related("town").in_bulk({run.community_id for run in pending})
    refused = []
    while pending:
        try:
            _post_batch(by=by, split=split, runs=pending, communities=communities)
            break
        except VoucherRefused as refusal:  # one run of the batch, named: the others go on without it
            refused.append((pending.pop(refusal.position - 1), refusal.error))
        except ValidationError as error:
            if len(pending) > 1:  # not about one run (e.g. the split): nothing can be posted
                raise
            refused.append((pending.pop(), error))
    return refused


@transaction.atomic
def _post_batch(*, by, split, runs: list[PayrollRun], communities) -> None:
    obligations = [_obligation(run, communities[run.community_id]) for run in runs]
    entries = obligations_post(by=by, split=split, use="staff_pay", obligations=obligations)
    for run, entry in zip(runs, entries, strict=True):
        run.journal_entry_id, run.status = entry.pk, PayrollStatus.POSTED
    PayrollRun.objects.bulk_update(runs, ["journal_entry_id", "status"])


def post_run(*, by, run: PayrollRun) -> None:
    """Post one community's pay run to the ledger (a batch of one); refused with the ledger's reason."""
    refused = post_runs(by=by, runs=[run])
    if refused:
        raise refused[0][1]
