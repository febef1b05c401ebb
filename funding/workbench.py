"""The bookkeeping part of the admin home's to-do (``utilities.workbench``): vouchers to approve and to post.

Registered from ``FundingConfig.ready``; each figure counts ``JournalEntry.objects.restrict(user, "view")``
and links to the voucher list filtered to exactly those rows, the oldest voucher first.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils.translation import gettext as _

from community.scoping import permitted
from utilities.workbench import Item, contributes, link

from .choices import EntryStatus
from .models import JournalEntry

VOUCHERS_ADMIN = "/admin/funding/journalentry/"
#: the changelist's column that sorts by date (``JournalEntryAdmin.list_display``, 1-based): oldest first
VOUCHER_DATE_COLUMN = 3


@contributes("funding", order=40)
def workbench_vouchers(user, now: dt.datetime) -> list[Item]:
    if not permitted(user, JournalEntry, "view"):
        return []
    mine = JournalEntry.objects.restrict(user, "view")
    items = []
    for perm, status, key, label in (
        ("approve", EntryStatus.DRAFT, "vouchers_to_approve", _("Vouchers waiting for approval")),
        ("post", EntryStatus.APPROVED, "vouchers_to_post", _("Approved vouchers waiting to be posted")),
    ):
        if not permitted(user, JournalEntry, perm):
            continue
        rows = mine.filter(status=status)
        items.append(
            Item(
                key,
                label,
                rows.count(),
                link(VOUCHERS_ADMIN, status__exact=status, o=VOUCHER_DATE_COLUMN),
                due=rows.aggregate(first=Min("date"))["first"],
            )
        )
    return items
