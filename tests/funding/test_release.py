"""Release of a restriction (``actions.fund_release``) by the bookkeeper: the admin's form and the API
endpoint ``POST /api/v1/funding/funds/<id>/release/``; bad input is a form error / 400, nothing written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.choices import EntryKind, EntryStatus, Restriction, Use
from funding.models import FundBalance, JournalEntry
from tests import factories as f
from tests.funding.factories import make_fund, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds(community_a, staff_a, approver_a):
    restricted = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], name="捐赠·办公")
    free = make_fund(community_a, name="非限定资金")
    receive(restricted, 300, preparer=staff_a, approver=approver_a)
    return restricted, free


def _url(fund):
    return reverse("fund-release", args=[fund.pk])


def _payload(to_fund, amount="100.00", **extra):
    return {"to_fund": to_fund.pk, "amount": amount, "date": "2026-03-12", "memo": "捐赠方书面同意解除限定", **extra}


def test_release_through_the_api_then_approve_and_post(client, funds, staff_a, approver_a):
    restricted, free = funds
    client.force_login(staff_a)
    response = client.post(_url(restricted), _payload(free), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"]) == (EntryKind.RELEASE, EntryStatus.DRAFT)
    assert len(body["lines"]) == 4
    client.force_login(approver_a)
    assert client.post(reverse("journal-entry-approve", args=[body["id"]])).status_code == 200
    assert client.post(reverse("journal-entry-post", args=[body["id"]])).status_code == 200
    r, u = FundBalance.objects.get(fund=restricted), FundBalance.objects.get(fund=free)
    assert (r.released, r.balance, u.released, u.balance) == (Decimal(-100), Decimal(200), Decimal(100), Decimal(100))


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"amount": "300.01"}, "amount"),  # beyond the balance
        ({"amount": "0"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"memo": ""}, "memo"),
        ({"date": "2026-02-30"}, "date"),
        ({"to_fund": 999999}, "to_fund"),
    ],
)
def test_bad_release_input_is_400_and_writes_nothing(client, funds, staff_a, change, word):
    restricted, free = funds
    client.force_login(staff_a)
    before = JournalEntry.objects.count()
    response = client.post(_url(restricted), {**_payload(free), **change}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert word in response.json()
    assert JournalEntry.objects.count() == before


def test_release_rules_answer_400_with_the_rule(client, funds, community_a, community_b, staff_a):
    restricted, free = funds
    other_restricted = make_fund(community_a, restriction=Restriction.PURPOSE, uses=[Use.OFFICE], name="另一专项")
    client.force_login(staff_a)
    before = JournalEntry.objects.count()
    # from an unrestricted fund, or into a restricted one
    wrong = client.post(_url(free), _payload(free), content_type="application/json")
    assert wrong.status_code == 400 and "限定" in str(wrong.json())
    into = client.post(_url(restricted), _payload(other_restricted), content_type="application/json")
    assert into.status_code == 400
    # another community's fund is not even a choice (scoped field) and its own fund is a 404
    elsewhere = make_fund(community_b, name="外社区")
    assert client.post(_url(restricted), _payload(elsewhere), content_type="application/json").status_code == 400
    assert client.post(_url(elsewhere), _payload(free), content_type="application/json").status_code == 404
    assert JournalEntry.objects.count() == before


def test_release_needs_the_voucher_permission(client, funds, county):
    restricted, free = funds
    client.force_login(f.official_of(county))  # in scope, but an official does not keep the books
    response = client.post(_url(restricted), _payload(free), content_type="application/json")
    assert response.status_code == 403


# --- admin ------------------------------------------------------------------------------------------


def test_admin_release_form_drafts_the_voucher(client, funds, staff_a):
    restricted, free = funds
    client.force_login(staff_a)
    url = reverse("admin:funding_fund_release", args=[restricted.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert free.name in page.content.decode() and "300" in page.content.decode()
    # the changelist links to it and the action leads there
    listing = client.get(reverse("admin:funding_fund_changelist"))
    assert url in listing.content.decode()
    chosen = client.post(
        reverse("admin:funding_fund_changelist"), {"action": "release", "_selected_action": [restricted.pk]}
    )
    assert chosen.status_code == 302 and chosen["Location"] == url
    response = client.post(
        url, {"to_fund": free.pk, "amount": "120.50", "date": "2026-03-12", "memo": "捐赠方书面同意"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = JournalEntry.objects.get(kind=EntryKind.RELEASE)
    assert response["Location"] == reverse("admin:funding_journalentry_change", args=[entry.pk])
    assert entry.status == EntryStatus.DRAFT and entry.lines.count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "999"}, "300.00"),  # names the balance
        ({"amount": "-5"}, "amount"),
        ({"memo": ""}, "memo"),
        ({"to_fund": "0"}, "to_fund"),
    ],
)
def test_admin_release_form_errors_write_nothing(client, funds, staff_a, data, message):
    restricted, free = funds
    client.force_login(staff_a)
    url = reverse("admin:funding_fund_release", args=[restricted.pk])
    payload = {"to_fund": free.pk, "amount": "10", "date": "2026-03-12", "memo": "书面同意", **data}
    response = client.post(url, payload)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert message in str(form.errors.as_data()) or message in form.errors
    assert not JournalEntry.objects.filter(kind=EntryKind.RELEASE).exists()


def test_admin_release_action_refuses_an_unrestricted_fund(client, funds, staff_a):
    restricted, free = funds
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:funding_fund_changelist"), {"action": "release", "_selected_action": [free.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not JournalEntry.objects.filter(kind=EntryKind.RELEASE).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_admin_release_of_another_community_is_404(client, funds, community_b):
    restricted, _free = funds
    client.force_login(f.staff_of(community_b))
    assert client.get(reverse("admin:funding_fund_release", args=[restricted.pk])).status_code == 404
