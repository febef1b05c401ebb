"""The staffing API: stage steps as actions, bad input answered 400 (never 500), flat query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from staffing import actions
from staffing.choices import Stage
from staffing.models import Application, StaffMember
from tests import factories as f
from tests.conftest import assert_flat
from tests.staffing.factories import application_in, post_in, staff_in

pytestmark = pytest.mark.django_db


def test_campaign_steps_through_the_api(client, cadre, community_a):
    client.force_login(cadre)
    created = client.post(
        reverse("staffing-campaign-list"),
        {"town": community_a.town_id, "kind": "recruitment", "title": "API招考", "announcement": "公告"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    campaign = created.json()["id"]
    assert created.json()["rules"]["interview_ratio"] == 3
    post = client.post(
        reverse("staffing-post-list"),
        {"campaign": campaign, "community": community_a.pk, "title": "专职", "headcount": 1},
        content_type="application/json",
    )
    assert post.status_code == 201, post.content
    draft = client.post(
        reverse("staffing-campaign-rules", args=[campaign]), {"opening_ratio": "1"}, content_type="application/json"
    )
    assert draft.status_code == 200 and draft.json()["version"] == 1  # a draft's rules change in place
    weights = client.post(
        reverse("staffing-campaign-rules", args=[campaign]), {"written_weight": "0.7"}, content_type="application/json"
    )
    assert weights.status_code == 400 and "100%" in str(weights.json())
    assert (
        client.post(
            reverse("staffing-campaign-announce", args=[campaign]), {}, content_type="application/json"
        ).status_code
        == 200
    )
    frozen = client.post(
        reverse("staffing-campaign-rules", args=[campaign]), {"interview_ratio": 4}, content_type="application/json"
    )
    assert frozen.status_code == 400 and "frozen" in str(frozen.json())
    body = {"post": post.json()["id"], "name": "李四", "id_number": f.next_id_number(), "education": "college"}
    first = client.post(reverse("staffing-application-list"), body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert body["id_number"] not in first.content.decode()
    again = client.post(reverse("staffing-application-list"), body, content_type="application/json")
    assert again.status_code == 400 and "id_number" in again.json()
    bad_id = client.post(
        reverse("staffing-application-list"), {**body, "id_number": "123"}, content_type="application/json"
    )
    assert bad_id.status_code == 400
    app = first.json()["id"]
    out_of_order = client.post(
        reverse("staffing-application-move", args=[app]), {"to": "hired"}, content_type="application/json"
    )
    assert out_of_order.status_code == 400 and "in order" in str(out_of_order.json())
    unknown = client.post(
        reverse("staffing-application-move", args=[app]), {"to": "x"}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert (
        client.post(
            reverse("staffing-campaign-review", args=[campaign]), {}, content_type="application/json"
        ).status_code
        == 200
    )
    number = Application.objects.get(pk=app).exam_number
    out_of_range = client.post(
        reverse("staffing-campaign-written-scores", args=[campaign]),
        {"scores": {number: "120"}},
        content_type="application/json",
    )
    assert out_of_range.status_code == 400 and "between 0 and 100" in str(out_of_range.json())
    ok = client.post(
        reverse("staffing-campaign-written-scores", args=[campaign]),
        {"scores": {number: "75.5"}},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json() == {"count": 1}
    history = client.get(reverse("staffing-stagechange-list"), {"application": app}).json()["results"]
    assert [h["new"] for h in history] == [Stage.EXAMINED, Stage.REVIEWED]


def test_interview_endpoint_refuses_a_relative_with_400(client, cadre, build):
    b = build(n=3).review().written()
    app = b.refresh()[0]
    actions.relation_declare(by=cadre, examiner_id=b.examiners[2].pk, applicant_id=app.applicant_id, relation="配偶")
    client.force_login(cadre)
    response = client.post(
        reverse("staffing-application-interview", args=[app.pk]),
        {"scores": {str(e.pk): "80" for e in b.examiners}},
        content_type="application/json",
    )
    assert response.status_code == 400 and "回避" in str(response.json())
    bad = client.post(
        reverse("staffing-application-interview", args=[app.pk]),
        {"scores": {"x": "80"}},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_staff_of_b_cannot_run_a_campaign(client, build, community_b):
    b = build(n=1)
    client.force_login(f.staff_of(community_b))
    assert client.post(reverse("staffing-campaign-review", args=[b.campaign.pk]), {}).status_code in (403, 404)


@pytest.mark.parametrize("url_name", ["staffing-application-list", "staffing-staff-list", "staffing-post-list"])
def test_lists_query_count_is_flat(url_name, client, cadre, community_a, count_queries):
    make = {
        "staffing-application-list": application_in,
        "staffing-staff-list": staff_in,
        "staffing-post-list": post_in,
    }[url_name]
    client.force_login(cadre)
    make(community_a)
    client.get(reverse(url_name))
    with count_queries() as few:
        assert client.get(reverse(url_name)).status_code == 200
    for _ in range(12):
        make(community_a)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert len(response.json()["results"]) == 13
    assert_flat(few, many)


def test_staff_roster_api_masks_and_validates(client, staff_a, community_a):
    client.force_login(staff_a)
    number = f.next_id_number()
    created = client.post(
        reverse("staffing-staff-list"),
        {
            "community": community_a.pk,
            "name": "王五",
            "id_number": number,
            "education": "college",
            "start": "2024-01-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert number not in created.content.decode() and created.json()["masked_id_number"].startswith(number[:6])
    bad = client.post(
        reverse("staffing-staff-list"),
        {"community": community_a.pk, "name": "赵六", "id_number": "110105", "education": "nope", "start": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"id_number", "education", "start"} <= set(bad.json())
    assert StaffMember.objects.count() == 1


def test_composition_endpoint(client, official, community_a, community_b):
    staff_in(community_a, party_member=True, education="college")
    staff_in(community_b, education="junior_high")
    staff_in(community_b, education="senior_high", end=dt.date(2021, 1, 1))  # left: not counted
    client.force_login(official)
    body = client.get(reverse("staffing-composition-list")).json()
    assert body["total"] == 2 and body["party_members"] == 1 and body["party_share"] == "50.0"
    assert body["education"]["junior_high"] == 1 and body["technical_secondary_or_above"] == 1
    client.force_login(f.staff_of(community_b))
    assert (
        client.get(reverse("staffing-composition-list"), {"scope": "community", "id": community_a.pk}).status_code
        == 403
    )


def test_payroll_endpoint(client, official, community_a):
    from staffing.models import PayScale

    PayScale.objects.create(
        county=community_a.town.county, monthly_amount=Decimal("500"), effective_from=dt.date(2004, 7, 1)
    )
    staff_in(community_a, start=dt.date(2004, 1, 1))
    client.force_login(official)
    url = reverse("staffing-payrollrun-run")
    assert (
        client.post(url, {"community": community_a.pk, "month": "2004-13"}, content_type="application/json").status_code
        == 400
    )
    assert (
        client.post(url, {"community": community_a.pk, "month": "1999-01"}, content_type="application/json").status_code
        == 400
    )
    response = client.post(url, {"community": community_a.pk, "month": "2024-05"}, content_type="application/json")
    assert response.status_code == 200, response.content
    shares = {s["payer_kind"]: s["amount"] for s in response.json()["shares"]}
    assert response.json()["total"] == "500.00" and shares == {"county": "400.00", "town": "100.00"}


def test_objection_resolved_through_the_api(client, cadre, build, community_a):
    b = build(n=2).upto("publicise")
    objection = actions.objection_lodge(campaign_id=b.campaign.pk, text="请核实", exam_number=b.apps[0].exam_number)
    url = reverse("staffing-objection-resolve", args=[objection.pk])
    client.force_login(f.staff_of(community_a))  # a community may read, not resolve
    assert client.post(url, {"upheld": False, "resolution": "x"}, content_type="application/json").status_code == 403
    client.force_login(cadre)
    assert client.post(url, {"upheld": False}, content_type="application/json").status_code == 400
    blank = client.post(url, {"upheld": False, "resolution": " "}, content_type="application/json")
    assert blank.status_code == 400
    done = client.post(url, {"upheld": False, "resolution": "经核实无误"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    again = client.post(url, {"upheld": True, "resolution": "再议"}, content_type="application/json")
    assert again.status_code == 400
