"""API and admin: bad input is a 400 / form error with nothing written; lists keep a flat query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import resolve, reverse

from funding import actions
from funding.choices import EntryStatus, Restriction, Use
from funding.models import FundBalance, JournalEntry, JournalLine
from tests import factories as f
from tests.conftest import assert_flat
from tests.funding.factories import acct, make_fund, receive

pytestmark = pytest.mark.django_db


def _lines_json(fund, amount=10, expense="5201"):
    return [
        {"account": acct(expense).pk, "fund": fund.pk, "side": "debit", "amount": str(amount)},
        {"account": acct("1002").pk, "fund": fund.pk, "side": "credit", "amount": str(amount)},
    ]


def _entry_payload(community, lines):
    return {"community": community.pk, "date": "2026-03-10", "memo": "API 凭证", "lines": lines}


def test_voucher_flow_through_the_api(client, community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    receive(fund, 100, preparer=staff_a, approver=approver_a)
    client.force_login(staff_a)
    created = client.post(
        reverse("journal-entry-list"), _entry_payload(community_a, _lines_json(fund)), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(reverse("journal-entry-approve", args=[pk])).status_code == 400  # four-eyes
    client.force_login(approver_a)
    assert client.post(reverse("journal-entry-approve", args=[pk])).json()["status"] == EntryStatus.APPROVED
    posted = client.post(reverse("journal-entry-post", args=[pk]))
    assert posted.status_code == 200 and posted.json()["voucher_no"] == "2026-0002"
    assert FundBalance.objects.get(fund=fund).balance == Decimal("90.00")
    # a posted voucher is not edited, nor deleted
    patch = client.patch(reverse("journal-entry-detail", args=[pk]), {"memo": "改"}, content_type="application/json")
    assert patch.status_code == 400 and "冲销" in str(patch.json())  # "correct it with a reversal"
    assert client.delete(reverse("journal-entry-detail", args=[pk])).status_code == 400
    reversed_ = client.post(reverse("journal-entry-reverse", args=[pk]), {}, content_type="application/json")
    assert reversed_.status_code == 200 and reversed_.json()["kind"] == "reversal"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda lines: lines[1].update(amount="9.99"), "借贷不平衡"),
        (lambda lines: lines[0].pop("fund"), "fund"),
        (lambda lines: lines[0].update(fund=None), "fund"),
        (lambda lines: lines[0].update(amount="-1"), "amount"),
        (lambda lines: lines[0].update(amount="1.001"), "amount"),
        (lambda lines: lines[0].update(side="sideways"), "side"),
        (lambda lines: lines.pop(), "两条分录"),
    ],
)
def test_bad_vouchers_are_400_and_write_nothing(client, community_a, staff_a, mutate, field):
    fund = make_fund(community_a)
    lines = _lines_json(fund)
    mutate(lines)
    client.force_login(staff_a)
    response = client.post(
        reverse("journal-entry-list"), _entry_payload(community_a, lines), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_restricted_spend_on_other_use_is_400(client, community_a, staff_a):
    fund = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE])
    client.force_login(staff_a)
    response = client.post(
        reverse("journal-entry-list"),
        _entry_payload(community_a, _lines_json(fund, expense="5501")),
        content_type="application/json",
    )
    assert response.status_code == 400 and "规定用途" in str(response.json())


def test_fund_api_refuses_purpose_fund_without_uses(client, community_a, staff_a):
    client.force_login(staff_a)
    from funding.models import FundingSource

    payload = {
        "community": community_a.pk,
        "source": FundingSource.objects.get(code="enterprise_donation").pk,
        "name": "捐赠",
        "restriction": "purpose",
    }
    assert client.post(reverse("fund-list"), payload, content_type="application/json").status_code == 400
    payload["uses"] = ["activities"]
    created = client.post(reverse("fund-list"), payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert FundBalance.objects.filter(fund_id=created.json()["id"]).exists()


def test_party_worker_cannot_read_money(client, community_a):
    from community.choices import Role, ScopeLevel

    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    client.force_login(worker)
    assert client.get(reverse("fund-list")).status_code == 403
    assert client.get(reverse("funding-report-source-and-use")).status_code == 403


def test_reports_roll_up_and_refuse_outside_scope(
    client, county, community_a, community_b, staff_a, approver_a, staff_b
):
    receive(make_fund(community_a), 100, preparer=staff_a, approver=approver_a)
    receive(make_fund(community_b), 50, preparer=staff_b, approver=f.staff_of(community_b))
    official = f.official_of(county)
    client.force_login(official)
    body = client.get(reverse("funding-report-source-and-use"), {"start": "2026-01-01", "end": "2026-12-31"}).json()
    assert sum(Decimal(r["total"]) for r in body["income"]) == Decimal(150)
    client.force_login(staff_a)
    mine = client.get(reverse("funding-report-source-and-use"), {"start": "2026-01-01", "end": "2026-12-31"}).json()
    assert sum(Decimal(r["total"]) for r in mine["income"]) == Decimal(100)
    outside = client.get(reverse("funding-report-trial-balance"), {"scope": "community", "id": community_b.pk})
    assert outside.status_code == 403
    assert client.get(reverse("funding-report-source-and-use"), {"start": "2026-13-01"}).status_code == 400
    trial = client.get(reverse("funding-report-trial-balance"), {"end": "2026-12-31"}).json()
    assert sum(Decimal(r["debit"]) for r in trial) == sum(Decimal(r["credit"]) for r in trial) == Decimal(100)


def test_period_close_through_the_api(client, community_a, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("fiscal-period-list"),
        {"community": community_a.pk, "year": 2026, "month": 3},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["closed"] is True
    again = client.post(
        reverse("fiscal-period-list"),
        {"community": community_a.pk, "year": 2026, "month": 3},
        content_type="application/json",
    )
    assert again.status_code == 400
    bad = client.post(
        reverse("fiscal-period-list"),
        {"community": community_a.pk, "year": 2026, "month": 13},
        content_type="application/json",
    )
    assert bad.status_code == 400


def rows_of(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def rows_in(model, community) -> int:
    """The rows of ``model`` stored in ``community`` (counted on the model's path, not through the scope rule)."""
    return model._base_manager.filter(**{model.community_path: community.pk}).distinct().count()


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("journal-entry-list", lambda c, s, a: receive(make_fund(c), 10, preparer=s, approver=a)),
        ("journal-line-list", lambda c, s, a: receive(make_fund(c), 10, preparer=s, approver=a)),
        ("fund-list", lambda c, s, a: make_fund(c)),
        ("fund-balance-list", lambda c, s, a: make_fund(c)),
        ("budget-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.BudgetLine"](c)),
        ("funding-project-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.Project"](c)),
        ("facility-assessment-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.FacilityAssessment"](c)),
        ("facility-investment-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.FacilityInvestment"](c)),
        ("disclosure-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.Disclosure"](c)),
        ("disclosure-question-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.DisclosureQuestion"](c)),
        ("fiscal-period-list", lambda c, s, a: f.SCOPED_FACTORIES["funding.FiscalPeriod"](c)),
    ],
)
def test_api_lists_query_count_is_flat(url_name, make, client, community_a, staff_a, approver_a, count_queries):
    client.force_login(staff_a)
    make(community_a, staff_a, approver_a)
    model = resolve(reverse(url_name)).func.cls.queryset.model
    client.get(reverse(url_name))
    with count_queries() as few:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    first = rows_in(model, community_a)
    assert len(rows_of(response)) == first >= 1
    for _ in range(4):
        make(community_a, staff_a, approver_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(rows_of(response)) == rows_in(model, community_a) > first
    assert_flat(few, many)


ADMIN_LISTS = {
    "journalentry": lambda c, s, a: receive(make_fund(c), 10, preparer=s, approver=a),
    "journalline": lambda c, s, a: receive(make_fund(c), 10, preparer=s, approver=a),
    "fund": lambda c, s, a: receive(make_fund(c), 10, preparer=s, approver=a),
    "fundbalance": lambda c, s, a: make_fund(c),
    "budget": lambda c, s, a: f.SCOPED_FACTORIES["funding.Budget"](c),
    "project": lambda c, s, a: f.SCOPED_FACTORIES["funding.Project"](c),
    "facilityassessment": lambda c, s, a: f.SCOPED_FACTORIES["funding.FacilityAssessment"](c),
    "facilityinvestment": lambda c, s, a: f.SCOPED_FACTORIES["funding.FacilityInvestment"](c),
    "disclosure": lambda c, s, a: f.SCOPED_FACTORIES["funding.Disclosure"](c),
    "disclosurequestion": lambda c, s, a: f.SCOPED_FACTORIES["funding.DisclosureQuestion"](c),
    "fiscalperiod": lambda c, s, a: f.SCOPED_FACTORIES["funding.FiscalPeriod"](c),
}


@pytest.mark.parametrize("model_name", sorted(ADMIN_LISTS))
def test_admin_changelists_query_count_is_flat(model_name, client, community_a, staff_a, approver_a, count_queries):
    url = reverse(f"admin:funding_{model_name}_changelist")
    client.force_login(staff_a)
    model = apps.get_model("funding", model_name)
    ADMIN_LISTS[model_name](community_a, staff_a, approver_a)
    assert client.get(url).status_code == 200
    with count_queries() as few:
        response = client.get(url)
    assert response.status_code == 200
    first = rows_in(model, community_a)
    assert len(response.context["cl"].result_list) == first >= 1
    for _ in range(4):
        ADMIN_LISTS[model_name](community_a, staff_a, approver_a)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows_in(model, community_a) > first
    assert_flat(few, many)


def _admin_voucher_post(community, fund, amounts, extra=None):
    data = {
        "community": community.pk,
        "date": "2026-03-10",
        "memo": "后台凭证",
        "kind": "normal",
        "lines-TOTAL_FORMS": str(len(amounts)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (account, side, amount) in enumerate(amounts):
        data.update(
            {
                f"lines-{i}-account": acct(account).pk,
                f"lines-{i}-fund": fund.pk if fund else "",
                f"lines-{i}-side": side,
                f"lines-{i}-amount": amount,
                f"lines-{i}-memo": "",
            }
        )
    data.update(extra or {})
    return data


def test_admin_voucher_entry_checks_balance(client, community_a, staff_a, approver_a):
    fund = make_fund(community_a)
    client.force_login(staff_a)
    url = reverse("admin:funding_journalentry_add")
    unbalanced = client.post(
        url, _admin_voucher_post(community_a, fund, [("1002", "debit", "10"), ("4101", "credit", "9")])
    )
    assert (
        unbalanced.status_code == 200
        and "Unbalanced" in unbalanced.content.decode()
        or "借贷" in unbalanced.content.decode()
    )
    assert not JournalEntry.objects.exists()
    no_fund = client.post(
        url, _admin_voucher_post(community_a, None, [("1002", "debit", "10"), ("4101", "credit", "10")])
    )
    assert no_fund.status_code == 200
    assert not JournalEntry.objects.exists()
    ok = client.post(url, _admin_voucher_post(community_a, fund, [("1002", "debit", "10"), ("4101", "credit", "10")]))
    assert ok.status_code == 302, ok.content.decode()[:3000]
    entry = JournalEntry.objects.get()
    assert entry.prepared_by == staff_a and entry.lines.count() == 2
    changelist = reverse("admin:funding_journalentry_changelist")
    client.post(changelist, {"action": "approve", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT  # the preparer cannot approve
    client.force_login(approver_a)
    client.post(changelist, {"action": "approve", "_selected_action": [entry.pk]})
    client.post(changelist, {"action": "post", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.POSTED
    # a posted voucher's page is read-only: a POST changes nothing
    change = reverse("admin:funding_journalentry_change", args=[entry.pk])
    assert (
        client.post(
            change, _admin_voucher_post(community_a, fund, [("1002", "debit", "99"), ("4101", "credit", "99")])
        ).status_code
        == 403
    )
    assert entry.lines.filter(amount=Decimal(10)).count() == 2


def test_admin_cost_split_must_sum_to_100(client, county):
    from funding.models import CostSplit, FundingSource

    official = f.official_of(county)
    client.force_login(official)
    county_src, town_src = (
        FundingSource.objects.get(code="county_budget"),
        FundingSource.objects.get(code="town_budget"),
    )
    data = {
        "name": "七三",
        "description": "",
        "shares-TOTAL_FORMS": "2",
        "shares-INITIAL_FORMS": "0",
        "shares-MIN_NUM_FORMS": "1",
        "shares-MAX_NUM_FORMS": "1000",
        "shares-0-source": county_src.pk,
        "shares-0-basis_points": "7000",
        "shares-1-source": town_src.pk,
        "shares-1-basis_points": "2000",
    }
    response = client.post(reverse("admin:funding_costsplit_add"), data)
    assert response.status_code == 200 and "100%" in response.content.decode()
    assert not CostSplit.objects.filter(name="七三").exists()
    data["shares-1-basis_points"] = "3000"
    assert client.post(reverse("admin:funding_costsplit_add"), data).status_code == 302
    assert CostSplit.objects.get(name="七三").shares.count() == 2


def test_obligation_and_own_income_appear_in_the_ledger(community_a, staff_a):
    from funding.models import CostSplit

    split = CostSplit.objects.get(name="县80%/镇20%")
    entry = actions.obligation_post(
        by=staff_a,
        community=community_a,
        split=split,
        amount=Decimal("15000.00"),
        use=Use.STAFF_PAY,
        period_label="2026-10",
        memo="10月报酬",
        reference="pay:2026-10",
    )
    assert entry.date == dt.date(2026, 10, 31)
    assert JournalLine.objects.filter(entry=entry).count() == 8


def test_vouchers_by_a_lines_fund_source_or_account_are_listed_once_each(
    client, community_a, staff_a, approver_a, count_queries
):
    """The voucher list narrowed by what its lines touch: each voucher once, found by an EXISTS, never a DISTINCT
    over a join of every line (2 to 5 s at a county's million lines)."""
    budget = make_fund(community_a, kind="county_budget")
    donation = make_fund(community_a, kind="enterprise_donation")
    from_budget = receive(budget, 10, preparer=staff_a, approver=approver_a)  # two lines on the one fund
    donated = receive(donation, 5, preparer=staff_a, approver=approver_a)
    client.force_login(staff_a)
    url = reverse("admin:funding_journalentry_changelist")
    for kind, expected in (("county_budget", [from_budget]), ("enterprise_donation", [donated]), ("other", [])):
        with count_queries() as queries:
            response = client.get(url, {"source_kind": kind})
        assert [e.pk for e in response.context["cl"].result_list] == [e.pk for e in expected], kind
        assert not [q for q in queries.ctx.captured_queries if 'DISTINCT "funding_journalentry"."id"' in q["sql"]]
    shown = client.get(url, {"source_kind": "不存在"})  # a kind that is none: the whole list, not an error
    assert shown.status_code == 200 and len(shown.context["cl"].result_list) == 2
    api = reverse("journal-entry-list")
    for params, expected in (
        ({"fund": budget.pk}, [from_budget]),
        ({"fund": donation.pk}, [donated]),
        ({"account": acct("1002").pk}, [donated, from_budget]),  # every voucher once, newest first
    ):
        with count_queries() as queries:
            answer = client.get(api, params)
        assert answer.status_code == 200
        assert [row["id"] for row in answer.json()["results"]] == [e.pk for e in expected], params
        assert not [q for q in queries.ctx.captured_queries if 'DISTINCT "funding_journalentry"."id"' in q["sql"]]
    assert client.get(api, {"fund": "x"}).status_code == 400


def test_ledger_lines_by_account_type(client, community_a, staff_a, approver_a, count_queries):
    fund = make_fund(community_a, kind="county_budget")
    receive(fund, 10, preparer=staff_a, approver=approver_a)  # a bank (asset) line and an income line
    client.force_login(staff_a)
    url = reverse("admin:funding_journalline_changelist")
    shown = {}
    for kind in ("asset", "income", "liability", "不存在"):
        lines = client.get(url, {"account__type__exact": kind}).context["cl"].result_list
        shown[kind] = sorted(line.account.type for line in lines)
    assert shown == {"asset": ["asset"], "income": ["income"], "liability": [], "不存在": ["asset", "income"]}
