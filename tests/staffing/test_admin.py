"""A campaign can be run in the admin; refusals are messages or form errors (never 500); lists stay flat."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from staffing import actions
from staffing.choices import Stage
from staffing.models import Application, Campaign, InterviewScore, StaffMember
from tests.conftest import assert_flat
from tests.staffing.factories import application_in, staff_in

pytestmark = pytest.mark.django_db


def _sheet(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["准考证号", "成绩"])
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "scores.xlsx"
    return data


def _act(client, model, action, ids, **extra):
    return client.post(
        reverse(f"admin:staffing_{model}_changelist"),
        {"action": action, "_selected_action": [str(i) for i in ids], **extra},
        follow=True,
    )


def test_campaign_run_in_the_admin(client, cadre, community_a, build):
    client.force_login(cadre)
    added = client.post(
        reverse("admin:staffing_campaign_add"),
        {
            "town": community_a.town_id,
            "kind": "recruitment",
            "title": "后台招考",
            "announcement": "后台公告",
            "posts-TOTAL_FORMS": "0",
            "posts-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    assert Campaign.objects.get(title="后台招考").rule_versions.count() == 1
    b = build(n=4)
    campaign = b.campaign
    page = _act(client, "campaign", "review", [campaign.pk])
    assert "Eligibility review done" in page.content.decode() or "资格审查" in page.content.decode()
    numbers = [a.exam_number for a in b.apps]
    upload = client.post(
        reverse("admin:staffing_campaign_written_scores", args=[campaign.pk]),
        {"sheet": _sheet([(numbers[0], 88), (numbers[1], 150), (numbers[2], 70), (numbers[3], None)])},
    )
    assert upload.status_code == 200 and numbers[1] in upload.content.decode()  # out of range: nothing written
    assert not Application.objects.filter(post=b.post, written_score__isnull=False).exists()
    upload = client.post(
        reverse("admin:staffing_campaign_written_scores", args=[campaign.pk]),
        {"sheet": _sheet([(numbers[0], 88), (numbers[1], 80), (numbers[2], 70), (numbers[3], None)])},
    )
    assert upload.status_code == 302
    _act(client, "campaign", "publish_written", [campaign.pk])
    apps = b.refresh()
    assert [a.stage for a in apps] == [Stage.SHORTLISTED] * 3 + [Stage.FAILED]
    # interview scores entered one by one; a relative is refused as a form error
    actions.relation_declare(
        by=cadre, examiner_id=b.examiners[0].pk, applicant_id=apps[0].applicant_id, relation="邻居"
    )
    refused = client.post(
        reverse("admin:staffing_interviewscore_add"),
        {"application": apps[0].pk, "examiner": b.examiners[0].pk, "score": "90"},
    )
    assert refused.status_code == 200 and "回避" in refused.content.decode()
    out_of_range = client.post(
        reverse("admin:staffing_interviewscore_add"),
        {"application": apps[0].pk, "examiner": b.examiners[1].pk, "score": "101"},
    )
    assert out_of_range.status_code == 200
    assert not InterviewScore.objects.exists()
    for k, app in enumerate(apps[:3]):
        for j, examiner in enumerate(b.examiners[1:]):
            response = client.post(
                reverse("admin:staffing_interviewscore_add"),
                {"application": app.pk, "examiner": examiner.pk, "score": str(80 - k + j)},
            )
            assert response.status_code == 302, response.content.decode()[:3000]
    _act(client, "campaign", "publish_interview", [campaign.pk])
    _act(client, "campaign", "inspection", [campaign.pk])
    _act(client, "campaign", "publicity", [campaign.pk])
    first = Application.objects.get(pk=apps[0].pk)
    assert first.stage == Stage.PUBLICITY
    # the publicity period runs from today: hiring now is refused with a message
    page = _act(client, "campaign", "conclude", [campaign.pk])
    assert "publicity period" in page.content.decode() or "公示期" in page.content.decode()
    first.refresh_from_db()
    assert first.stage == Stage.PUBLICITY
    # moving with the action bar: a date after publicity, then probation assessment and hire
    after = first.publicity_end + dt.timedelta(days=1)
    _act(client, "application", "move_selected", [first.pk], to="probation", on=after.isoformat())
    first.refresh_from_db()
    assert first.stage == Stage.PROBATION
    page = _act(client, "application", "hire", [first.pk])
    first.refresh_from_db()
    assert first.stage == Stage.PROBATION  # out of order: refused with a message
    assert "in order" in page.content.decode() or "顺序" in page.content.decode()
    due = after + dt.timedelta(days=100)
    _act(client, "application", "move_selected", [first.pk], to="assessed", on=due.isoformat())
    _act(client, "application", "hire", [first.pk])
    first.refresh_from_db()
    assert first.stage == Stage.HIRED and StaffMember.objects.filter(source_application=first).exists()


@pytest.mark.parametrize("model", ["application", "staffmember", "campaign", "post", "payrollrun"])
def test_admin_changelists_query_count_is_flat(model, client, cadre, community_a, count_queries):
    from staffing.models import PayrollRun
    from tests.staffing.factories import campaign_in, post_in

    make = {
        "application": application_in,
        "staffmember": staff_in,
        "campaign": lambda c: campaign_in(c.town),
        "post": post_in,
        "payrollrun": lambda c: PayrollRun.objects.create(
            community=c,
            month=dt.date(2000 + PayrollRun.objects.count(), 1, 1),
            created_by=cadre,
            ledger_reference=f"t-{PayrollRun.objects.count()}",
        ),
    }[model]
    client.force_login(cadre)
    make(community_a)
    url = reverse(f"admin:staffing_{model}_changelist")
    assert client.get(url).status_code == 200
    with count_queries() as few:
        client.get(url)
    for _ in range(10):
        make(community_a)
    with count_queries() as many:
        client.get(url)
    assert_flat(few, many)
