"""XLSX exports of the financial reports (openpyxl): Chinese headers, numbers stored as numbers."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import selectors

MONEY_FORMAT = "#,##0.00"


def _sheet(wb, title, headers, rows, money_columns=()):
    ws = wb.create_sheet(title=title[:31])
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for index in money_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = MONEY_FORMAT
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 16
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb) -> bytes:
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1:
        del wb["Sheet"]
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fund_balances_xlsx(*, scope, start=None, end=None) -> bytes:
    rows = selectors.fund_balances(scope=scope, start=start, end=end)
    wb = Workbook()
    _sheet(
        wb,
        _("Fund balances"),
        [
            _("Town"),
            _("Community"),
            _("Source"),
            _("Fund"),
            _("Restriction"),
            _("Opening"),
            _("Received"),
            _("Spent"),
            _("Released"),
            _("Lapsed or returned"),
            _("Closing"),
        ],
        [
            (
                r.town,
                r.community,
                r.source,
                r.fund,
                r.restriction,
                r.opening,
                r.received,
                r.spent,
                r.released,
                r.lapsed,
                r.closing,
            )
            for r in rows
        ],
        money_columns=range(5, 11),
    )
    return _bytes(wb)


def source_and_use_xlsx(*, scope, start, end) -> bytes:
    statement = selectors.source_and_use(scope=scope, start=start, end=end)
    headers = [_("Item"), _("Restricted"), _("Unrestricted"), _("Total")]
    rows = [(_("Income by source"), None, None, None)]
    rows += [(r.label, r.restricted, r.unrestricted, r.total) for r in statement.income]
    total = statement.income_total
    rows.append((_("Total income"), total.restricted, total.unrestricted, total.total))
    rows.append((_("Expense by use"), None, None, None))
    rows += [(r.label, r.restricted, r.unrestricted, r.total) for r in statement.expense]
    total = statement.expense_total
    rows.append((_("Total expense"), total.restricted, total.unrestricted, total.total))
    surplus = statement.surplus
    rows.append((_("Surplus"), surplus.restricted, surplus.unrestricted, surplus.total))
    wb = Workbook()
    _sheet(wb, _("Source and use"), headers, rows, money_columns=(1, 2, 3))
    return _bytes(wb)


def trial_balance_xlsx(*, scope, end) -> bytes:
    rows = selectors.trial_balance(scope=scope, end=end)
    wb = Workbook()
    _sheet(
        wb,
        _("Trial balance"),
        [_("Account code"), _("Account"), _("Type"), _("Debit"), _("Credit"), _("Balance")],
        [(r.code, r.name, r.type, r.debit, r.credit, r.balance) for r in rows],
        money_columns=(3, 4, 5),
    )
    return _bytes(wb)


def budget_xlsx(*, scope, year) -> bytes:
    rows = selectors.budget_vs_actual(scope=scope, year=year)
    wb = Workbook()
    _sheet(
        wb,
        _("Budget vs actual"),
        [_("Source"), _("Use"), _("Budget"), _("Actual"), _("Variance")],
        [(r.source, r.use, r.budget, r.actual, r.variance) for r in rows],
        money_columns=(2, 3, 4),
    )
    return _bytes(wb)


def projects_xlsx(*, scope) -> bytes:
    rows = selectors.project_accounts(scope=scope)
    wb = Workbook()
    _sheet(
        wb,
        _("Project final accounts"),
        [_("Community"), _("Project"), _("Status"), _("Target"), _("Raised"), _("Spent"), _("Refunded"), _("Balance")],
        [(r.community, r.name, r.status, r.target, r.raised_total, r.spent, r.refunded, r.balance) for r in rows],
        money_columns=(3, 4, 5, 6, 7),
    )
    return _bytes(wb)


def vouchers_xlsx(*, scope, start, end) -> bytes:
    entries = selectors.voucher_register(scope=scope, start=start, end=end)
    wb = Workbook()
    _sheet(
        wb,
        _("Voucher register"),
        [
            _("Community"),
            _("Voucher number"),
            _("Date"),
            _("Summary"),
            _("Kind"),
            _("Amount"),
            _("Prepared by"),
            _("Approved by"),
        ],
        [
            (
                e.community.name,
                e.voucher_no,
                e.date,
                e.memo,
                e.get_kind_display(),
                e.total,
                e.prepared_by.get_full_name() or e.prepared_by.username,
                (e.approved_by.get_full_name() or e.approved_by.username) if e.approved_by else e.approval_rule,
            )
            for e in entries
        ],
        money_columns=(5,),
    )
    return _bytes(wb)
