"""Public disclosure (财务公开) and XLSX exports."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from funding import actions
from funding.choices import Restriction, Use
from funding.models import Disclosure, DisclosureQuestion
from tests import factories as f
from tests.funding.factories import acct, make_fund, post, receive, spend_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(community_a, staff_a, approver_a):
    public = make_fund(
        community_a,
        kind="enterprise_donation",
        restriction=Restriction.PURPOSE,
        uses=[Use.ACTIVITIES],
        name="企业捐赠·活动室",
        donor_name="东风建材有限公司",
        donor_public=True,
    )
    private = make_fund(
        community_a,
        kind="social_donation",
        restriction=Restriction.PURPOSE,
        uses=[Use.SERVICES],
        name="王大伟捐赠款",
        donor_name="王大伟",
        donor_public=False,
    )
    receive(public, 5000, preparer=staff_a, approver=approver_a)
    post(spend_lines(public, 1200, expense="5501"), community=community_a, preparer=staff_a, approver=approver_a)
    entry = actions.entry_create(
        by=staff_a,
        community=community_a,
        date=dt.date(2026, 2, 1),
        memo="王大伟捐赠帮扶款",
        lines=[
            {
                "account": acct("1002"),
                "fund": private,
                "side": "debit",
                "amount": Decimal(800),
            },
            {
                "account": acct("4201"),
                "fund": private,
                "side": "credit",
                "amount": Decimal(800),
            },
        ],
    )
    actions.entry_approve(by=approver_a, entry_id=entry.pk)
    actions.entry_post(by=staff_a, entry_id=entry.pk)
    return community_a


def test_publish_snapshot_and_read_it_in_plain_language(client, quarter, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("disclosure-list"),
        {"community": quarter.pk, "year": 2026, "quarter": 1},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    disclosure = Disclosure.objects.get()
    assert len(disclosure.sha256) == 64 and actions.disclosure_verify(disclosure)
    again = client.post(
        reverse("disclosure-list"),
        {"community": quarter.pk, "year": 2026, "quarter": 1},
        content_type="application/json",
    )
    assert again.status_code == 400 and "不得更改" in str(again.json())
    client.logout()
    index = client.get(reverse("funding:disclosure-index", args=[quarter.code]))
    assert index.status_code == 200
    page = client.get(reverse("funding:disclosure", args=[quarter.code, 2026, 1]))
    html = page.content.decode()
    assert page.status_code == 200
    assert disclosure.sha256 in html
    assert "5000.00" in html and "1200.00" in html and "800.00" in html
    assert "东风建材有限公司" in html  # agreed to be named
    assert "王大伟" not in html  # did not agree: neither in the source nor in the summary
    assert "<script" not in html  # no inline (or any) script on the public page
    assert staff_a.username not in html


def test_questions_validated_stored_and_rate_limited(client, quarter, staff_a):
    disclosure = actions.disclosure_publish(by=staff_a, community=quarter, year=2026, quarter=1)
    url = reverse("funding:disclosure", args=[quarter.code, 2026, 1])
    bad = client.post(url, {"line": 1, "question": ""})
    assert bad.status_code == 400
    assert client.post(url, {"line": 99, "question": "这一笔是什么？"}).status_code == 400
    assert client.post(url, {"line": 1, "question": "这一笔是什么？", "website": "spam"}).status_code == 400
    assert not DisclosureQuestion.objects.exists()
    ok = client.post(url, {"line": 1, "question": "这一笔钱花在哪里了？"})
    assert ok.status_code == 302
    question = DisclosureQuestion.objects.get()
    assert question.line == 1 and question.disclosure == disclosure
    actions.question_answer(by=staff_a, question_id=question.pk, answer="用于活动室器材。")
    assert "用于活动室器材。" in client.get(url).content.decode()
    statuses = [client.post(url, {"line": 2, "question": "再问一个问题"}).status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert DisclosureQuestion.objects.count() <= 5


def test_published_disclosure_is_immutable_in_the_database(quarter, staff_a):
    disclosure = actions.disclosure_publish(by=staff_a, community=quarter, year=2026, quarter=1)
    with pytest.raises((IntegrityError, InternalError), match="immutable"), transaction.atomic():
        Disclosure.objects.filter(pk=disclosure.pk).update(content={"lines": []})


def test_exports_are_scoped_with_chinese_headers_and_numbers(client, quarter, community_b, staff_a, staff_b):
    receive(make_fund(community_b, name="西湖资金"), 300, preparer=staff_b, approver=f.staff_of(community_b))
    client.force_login(staff_a)
    response = client.get(
        reverse("funding:export", args=["fund-balances"]), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "社区" and rows[0][-1] == "期末余额"
    assert "西湖资金" not in {r[3] for r in rows}
    donation = next(r for r in rows if r[3] == "企业捐赠·活动室")
    assert donation[6] == 5000 and donation[7] == 1200 and donation[-1] == 3800
    assert sheet.cell(row=2, column=11).data_type == "n"
    for name in ("source-and-use", "trial-balance", "budget-vs-actual", "projects", "vouchers"):
        got = client.get(reverse("funding:export", args=[name]), {"start": "2026-01-01", "end": "2026-12-31"})
        assert got.status_code == 200, name
        load_workbook(BytesIO(got.content))
    assert client.get(reverse("funding:export", args=["fund-balances"]), {"start": "nope"}).status_code == 400
    assert client.get(reverse("funding:export", args=["nothing"])).status_code == 404
    assert client.get(reverse("funding:reports"), {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 200


def test_party_worker_cannot_export(client, community_a):
    from community.choices import Role, ScopeLevel

    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    client.force_login(worker)
    assert client.get(reverse("funding:export", args=["fund-balances"])).status_code == 403
