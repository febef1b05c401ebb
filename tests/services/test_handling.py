"""The request handling page offers only the steps the transition table and the roles allow, each with its fields;
the triage list opens on open requests by due date; search by code (any form) or the phone's last 4 digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions import TRANSITIONS
from services.choices import Status
from services.forms import ProcessForm
from services.models import ServiceRequest
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(Status))
def test_only_steps_the_transition_table_allows_are_offered(client, staff_a, community_a, status):
    req = sf.service_request(community_a)
    original = sf.service_request(community_a)
    extra = {"reject_reason": "不属于社区职责"} if status == Status.REJECTED else {}
    if status == Status.DUPLICATE:
        extra = {"duplicate_of": original}
    ServiceRequest.objects.filter(pk=req.pk).update(status=status, **extra)
    req.refresh_from_db()
    client.force_login(staff_a)
    page = client.get(reverse("admin:services_servicerequest_process", args=[req.pk]))
    assert page.status_code == 200
    offered = {op for op, _label, _form in page.context["forms"]}
    allowed = TRANSITIONS.targets(status)
    # the steps that move the request are exactly the table's targets staff have a step for
    moves = {ProcessForm.MOVES_TO[op] for op in offered if op in ProcessForm.MOVES_TO}
    assert moves == set(allowed) & set(ProcessForm.MOVES_TO.values()), status
    for op, target in ProcessForm.MOVES_TO.items():
        assert (op in offered) == (target in allowed), f"{status}: {op}"
    assert ("follow_up" in offered) == (status in (Status.RESOLVED, Status.CLOSED))
    for op, _label, form in page.context["forms"]:
        assert set(form.fields) - {"operation"} <= set(ProcessForm.FIELDS[op]), op


def test_accepted_request_does_not_default_to_accept_and_uses_one_term(client, staff_a, community_a):
    req = sf.service_request(community_a)
    ServiceRequest.objects.filter(pk=req.pk).update(status=Status.ACCEPTED)
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_process", args=[req.pk])
    page = client.get(url)
    offered = [op for op, _label, _form in page.context["forms"]]
    assert "accept" not in offered and offered[0] == "assign"
    assert "Hand over to someone" in page.content.decode()
    # a prefixed post of the small form of one step runs that step only
    done = client.post(url, {"assign-operation": "assign", "assign-user": staff_a.pk, "assign-note": "本人处理"})
    assert done.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.ASSIGNED and req.assigned_user == staff_a
    # a step the status does not allow is refused, and the request does not move
    refused = client.post(url, {"close-operation": "close", "close-note": ""})
    assert refused.status_code == 400
    req.refresh_from_db()
    assert req.status == Status.ASSIGNED


def test_answers_read_under_their_question_labels_and_history_as_timeline(client, staff_a, community_a, category):
    req = sf.service_request(community_a, cat=category)
    ServiceRequest.objects.filter(pk=req.pk).update(answers={"location": "stair"})
    client.force_login(staff_a)
    for url in (
        reverse("admin:services_servicerequest_change", args=[req.pk]),
        reverse("admin:services_servicerequest_process", args=[req.pk]),
    ):
        html = client.get(url).content.decode()
        assert "损坏部位" in html and "楼道" in html and "stair" not in html
        assert 'class="request-timeline"' in html


def test_triage_list_opens_on_open_requests_by_due_date(client, staff_a, community_a):
    now = timezone.now()
    late = sf.service_request(community_a)
    soon = sf.service_request(community_a)
    closed = sf.service_request(community_a)
    ServiceRequest.objects.filter(pk=late.pk).update(accept_due=now + dt.timedelta(hours=30))
    ServiceRequest.objects.filter(pk=soon.pk).update(accept_due=now + dt.timedelta(hours=2))
    ServiceRequest.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_changelist")
    rows = list(client.get(url).context["cl"].result_list)
    assert [r.pk for r in rows] == [soon.pk, late.pk]
    everything = client.get(url, {"state": "all"}).context["cl"].result_list
    assert closed.pk in {r.pk for r in everything}
    due_soon = client.get(url, {"overdue": "soon"}).context["cl"].result_list
    assert [r.pk for r in due_soon] == [soon.pk]


def test_the_triage_order_is_read_from_its_index(client, staff_a, community_a, count_queries):
    """The list's order is the ``request_due_order`` index's expression: a filtered list's first page is read in
    order from it, never sorted from every row the filter keeps (sorting is forbidden to the planner here)."""
    from django.db import connection

    sf.service_request(community_a)
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_changelist")
    with count_queries() as queries:
        assert client.get(url, {"state": "all"}).status_code == 200
    rows = next(q["sql"] for q in queries.ctx.captured_queries if "CASE WHEN" in q["sql"] and "NULLS LAST" in q["sql"])
    page = rows + " LIMIT 50"  # one page of many (a page of a few reads every row)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "request_due_order" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("form", ["dashed", "plain", "lower", "spaced"])
def test_search_by_code_in_any_form_and_by_last_four_digits(client, staff_a, community_a, form):
    req = sf.service_request(community_a, phone="13912345678")
    other = sf.service_request(community_a, phone="13900000000")
    code = {
        "dashed": req.display_code,
        "plain": req.tracking_code,
        "lower": req.display_code.lower(),
        "spaced": " " + req.display_code.replace("-", " ") + " ",
    }[form]
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_changelist")
    assert [r.pk for r in client.get(url, {"q": code}).context["cl"].result_list] == [req.pk]
    found = client.get(url, {"q": "5678"})
    assert [r.pk for r in found.context["cl"].result_list] == [req.pk]
    assert "13912345678" not in found.content.decode()
    assert other.pk not in {r.pk for r in found.context["cl"].result_list}


def test_triage_list_and_admin_home_keep_a_flat_query_count(client, staff_a, community_a, count_queries):
    from tests.conftest import assert_flat

    sf.service_request(community_a)
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_changelist")
    client.get(url)
    client.get("/admin/")
    with count_queries() as few:
        client.get(url)
    with count_queries() as home_few:
        client.get("/admin/")
    for _ in range(6):
        sf.service_request(community_a)
    with count_queries() as many:
        response = client.get(url)
    with count_queries() as home_many:
        client.get("/admin/")
    assert len(response.context["cl"].result_list) == 7
    assert_flat(few, many)
    assert_flat(home_few, home_many)


def test_a_list_narrowed_to_one_rating_reads_the_rated_requests_index(client, staff_a, community_a, count_queries):
    """The requests of one rating are counted and dated from ``request_rating_time`` (the requests not yet rated
    are not in it), not from every request: scans are forbidden to the planner here."""
    from django.db import connection

    rated = sf.service_request(community_a)
    type(rated).objects.filter(pk=rated.pk).update(rating="dissatisfied")
    sf.service_request(community_a)
    client.force_login(staff_a)
    url = reverse("admin:services_servicerequest_changelist")
    with count_queries() as queries:
        response = client.get(url, {"rating__exact": "dissatisfied", "state": "all"})
    assert [r.pk for r in response.context["cl"].result_list] == [rated.pk]
    dates = next(
        q["sql"] for q in queries.ctx.captured_queries if 'MIN("services_servicerequest"."submitted_at")' in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + dates)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "request_rating_time" in plan, plan
