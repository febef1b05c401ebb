"""Writes of the funding app.  Admin actions, API views, forms, tasks and other apps call these only.

Interface for other apps (kept stable):

* ``costsplit_allocate(*, split, amount) -> list[tuple[CostSplitShare, Decimal]]``
* ``obligation_post(*, by, community, split, amount, use, period_label, memo, reference) -> JournalEntry``
* ``obligations_post(*, by, split, use, obligations: list[Obligation]) -> list[JournalEntry]`` (a batch, e.g. a
  county's payroll, in one transaction)
* ``own_income_post(*, by, community, amount, use, memo, reference, source_kind=OWN_SERVICES) -> JournalEntry``
* ``post_batch(*, by, vouchers: list[Voucher]) -> list[JournalEntry]``; a refused voucher refuses the batch and
  is named by ``VoucherRefused`` (a ``ValidationError`` with its ``position``, ``reference`` and ``community_id``)

Approval.  A voucher typed by a bookkeeper is approved by someone else (approver ≠ preparer, also a
database constraint).  Vouchers that other apps post from records already approved there (the payroll
of ``staffing``, a fee collected in ``services``) and the refunds of a cancelled project take the
*system approval path*: ``approved_by`` stays empty and ``approval_rule`` names the rule that approved
them (the constraint accepts either).  They still pass every posting rule below.

Posting rules (every database; PostgreSQL triggers repeat the first two):
posted vouchers are immutable (corrected only by a reversal, which cannot itself be reversed); nothing
posts into a closed month; every voucher balances per fund; a line needs a fund of the voucher's
community; a restricted fund pays only for its uses and within its time window; no fund goes below
zero — the fund balance rows are locked (``select_for_update``, in fund order) while posting, and
the monthly totals per fund and account (``FundMonth``, read by the reports) are added to in the same
transaction.  One voucher or a batch, every posting goes through the same checks (``check_voucher``,
``check_lines``) and the same posting core (``ledger.post_approved``), one query per step and batch.
"""

from .budgets import budget_adjust, budget_approve, budget_create, period_close, project_cancel, project_complete
from .common import (
    BASIS,
    CASH_BANK,
    CENT,
    DUE_TO_PAYERS,
    EXEMPT_FROM_PURPOSE,
    GRANTS_RECEIVABLE,
    INCOME_FOR_SOURCE,
    NET_RESTRICTED,
    NET_UNRESTRICTED,
    OTHER_PAYABLE,
    OWN_INCOME_KINDS,
    PAYABLE_FOR_USE,
    SALARIES_PAYABLE,
    account,
    accounts,
    allocate_shares,
    check_split_shares,
    costsplit_allocate,
    costsplit_define,
    expense_account,
    money,
    reference_save,
    split_shares,
)
from .disclosure import disclosure_publish, disclosure_verify, question_answer, question_ask
from .funds import fund_lapse, fund_release, fund_save, funds_lapse_year, lapse_reference, system_user
from .ledger import VoucherRefused
from .postings import (
    Obligation,
    Voucher,
    existing_entries,
    existing_entry,
    fund_for,
    funds_for,
    obligation_post,
    obligations_post,
    own_income_post,
    post_batch,
    post_by_rule,
    post_once,
)
from .vouchers import (
    MAX_LINES,
    LineSpec,
    check_lines,
    check_voucher,
    entry_approve,
    entry_create,
    entry_discard,
    entry_post,
    entry_reverse,
    entry_update,
)

__all__ = [
    "BASIS",
    "CASH_BANK",
    "CENT",
    "DUE_TO_PAYERS",
    "EXEMPT_FROM_PURPOSE",
    "GRANTS_RECEIVABLE",
    "INCOME_FOR_SOURCE",
    "LineSpec",
    "MAX_LINES",
    "NET_RESTRICTED",
    "NET_UNRESTRICTED",
    "OTHER_PAYABLE",
    "Obligation",
    "OWN_INCOME_KINDS",
    "PAYABLE_FOR_USE",
    "SALARIES_PAYABLE",
    "Voucher",
    "VoucherRefused",
    "account",
    "accounts",
    "allocate_shares",
    "budget_adjust",
    "budget_approve",
    "budget_create",
    "check_lines",
    "check_split_shares",
    "check_voucher",
    "costsplit_allocate",
    "costsplit_define",
    "disclosure_publish",
    "disclosure_verify",
    "entry_approve",
    "entry_create",
    "entry_discard",
    "entry_post",
    "entry_reverse",
    "entry_update",
    "existing_entries",
    "existing_entry",
    "expense_account",
    "fund_for",
    "fund_lapse",
    "fund_release",
    "fund_save",
    "funds_for",
    "funds_lapse_year",
    "lapse_reference",
    "money",
    "obligation_post",
    "obligations_post",
    "own_income_post",
    "period_close",
    "post_batch",
    "post_by_rule",
    "post_once",
    "project_cancel",
    "project_complete",
    "question_answer",
    "question_ask",
    "reference_save",
    "split_shares",
    "system_user",
]
