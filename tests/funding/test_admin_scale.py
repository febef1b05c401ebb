"""The big lists' admin pages read only the rows they show: the vouchers' totals per page row, a date drill-down
that probes its links on an index instead of scanning the scope, the fiscal years from the year index."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from community import admin_dates
from funding import selectors
from funding.models import JournalEntry
from tests import factories as f
from tests.funding.factories import make_fund, receive

pytestmark = pytest.mark.django_db

# what a query over every row of the scope looks like on these pages: a date range, a DISTINCT of its values
# or a GROUP BY of the lines under the vouchers (the fiscal years' first and last are read on the year index)
WHOLE_SCOPE = re.compile(r'M(?:IN|AX)\((?!"funding_journalentry"\."year"\))|DISTINCT|GROUP BY "funding_journalentry"')


def _vouchers(community, staff, approver):
    fund = make_fund(community)
    return [
        receive(fund, amount, preparer=staff, approver=approver, date=day)
        for amount, day in ((Decimal("12.50"), dt.date(2024, 3, 1)), (Decimal("300"), dt.date(2026, 5, 6)))
    ]


def test_the_voucher_list_shows_each_total_from_its_own_lines(client, community_a, staff_a, approver_a):
    first, second = _vouchers(community_a, staff_a, approver_a)
    client.force_login(staff_a)
    response = client.get(reverse("admin:funding_journalentry_changelist"))
    totals = {entry.pk: entry.debit_total for entry in response.context["cl"].result_list}
    assert totals == {first.pk: Decimal("12.50"), second.pk: Decimal("300.00")}
    listed = selectors.entry_list(user=staff_a).get(pk=second.pk)
    assert (listed.debit_total, listed.credit_total) == (Decimal("300.00"), Decimal("300.00"))
    # sorting by the amount still works (the column sorts on the same per-row total)
    ordered = client.get(reverse("admin:funding_journalentry_changelist"), {"o": "-7"}).context["cl"].result_list
    assert [entry.pk for entry in ordered] == [second.pk, first.pk]


def test_a_voucher_without_lines_totals_zero(staff_a, community_a):
    entry = JournalEntry.objects.create(
        community=community_a, date=dt.date(2026, 1, 2), year=2026, memo="空", prepared_by=staff_a
    )
    assert selectors.entry_list(user=staff_a).get(pk=entry.pk).debit_total == Decimal("0")


@pytest.mark.parametrize(
    "url_name", ["funding_journalentry_changelist", "funding_journalline_changelist", "partybuild_visit_changelist"]
)
def test_the_big_lists_read_no_query_over_every_row_of_the_scope(
    url_name, client, community_a, staff_a, approver_a, count_queries, monkeypatch
):
    monkeypatch.setattr(admin_dates, "EXACT_BELOW", 0)  # as big as a county's: the drill-down is probed
    _vouchers(community_a, staff_a, approver_a)
    visit = f.SCOPED_FACTORIES["partybuild.Visit"](community_a)
    type(visit).objects.filter(pk=visit.pk).update(date=dt.date(2024, 3, 5))
    client.force_login(staff_a)
    url = reverse(f"admin:{url_name}")
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    whole = [q["sql"] for q in queries.ctx.captured_queries if WHOLE_SCOPE.search(q["sql"])]
    assert whole == [], "\n".join(whole)
    # the date drill-down is there, its years found by probes (community.admin_dates)
    assert re.search(r'href="\?(?:[a-z_]+__)?date__year=2024"', response.content.decode())


def test_the_fiscal_year_filter_lists_first_to_last_year_and_keeps_that_year(client, community_a, staff_a, approver_a):
    first, second = _vouchers(community_a, staff_a, approver_a)
    client.force_login(staff_a)
    url = reverse("admin:funding_journalentry_changelist")
    page = client.get(url).content.decode()
    assert all(f"?year={year}" in page for year in (2024, 2025, 2026)) and "?year=2023" not in page
    kept = client.get(url, {"year": "2024"}).context["cl"].result_list
    assert [entry.pk for entry in kept] == [first.pk]
    for odd in ("20x4", "99999", ""):
        assert client.get(url, {"year": odd}).status_code == 200
