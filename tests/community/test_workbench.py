"""The admin home's workbench: each role's to-do, every figure equal to the rows its link opens.

Generated from the registry (``utilities.workbench``): for every demo role of the reference scenario,
every item on the admin home is followed and the changelist's count compared with the figure.
"""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from community.models import User
from tests.funding.factories import ensure_defaults
from utilities import workbench

pytestmark = pytest.mark.django_db

ROLES = ["demo_staff", "demo_department", "demo_party", "demo_bookkeeper", "demo_town", "demo_county"]
# what each role must at least be offered (the registry may add more)
EXPECTED = {
    "demo_staff": {
        "requests_to_accept",
        "requests_overdue",
        "tasks_due",
        "visits_due",
        "vouchers_to_approve",
        "roll_objections_to_decide",
        "mediation_open",
    },
    "demo_department": {"requests_in_hand", "tasks_to_confirm"},
    "demo_party": {"visits_due"},
    "demo_bookkeeper": {"vouchers_to_approve", "vouchers_to_post"},
    "demo_town": {
        "requests_overdue",
        "tasks_to_confirm",
        "vouchers_to_approve",
        "applications_to_review",
        "recruitment_objections",
    },
    "demo_county": {"requests_overdue", "tasks_to_confirm", "rule_corrections"},
}


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    """The reference scenario, loaded once for the module (about half a minute): it stays in a transaction
    that is rolled back after the last test, and each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):  # seed_reference makes demo users only with DEBUG on
            ensure_defaults()
            call_command("seed_reference", verbosity=0)
        yield
        transaction.set_rollback(True)


def _list_count(client, link: str) -> int | None:
    response = client.get(link)
    if response.status_code != 200 or response.context is None or "cl" not in response.context:
        return None
    return response.context["cl"].result_count


def test_every_role_sees_its_todo_and_every_count_equals_its_rows(reference, client):
    wrong, nonzero = [], 0
    for username in ROLES:
        user = User.objects.get(username=username)
        client.force_login(user)
        home = client.get("/admin/")
        assert home.status_code == 200
        html = home.content.decode()
        items = workbench.items_for(user)
        keys = {item.key for item in items}
        assert EXPECTED[username] <= keys, f"{username}: {sorted(keys)}"
        assert "rule_corrections" not in keys or username == "demo_county", username
        assert "vouchers_to_approve" not in keys or username != "demo_party", username
        for item in items:
            shown = re.search(rf'data-key="{item.key}".*?data-count="(\d+)"', html, re.S)
            assert shown, f"{username}: {item.key} not on the admin home"
            if int(shown.group(1)) != item.count:
                wrong.append(f"{username} {item.key}: home shows {shown.group(1)}, registry {item.count}")
            count = _list_count(client, item.link)
            if count != item.count:
                wrong.append(f"{username} {item.key}: figure {item.count}, list {count} ({item.link})")
            nonzero += bool(item.count)
    assert not wrong, "\n".join(wrong)
    assert nonzero >= 5  # the reference scenario has work waiting, so the check compares real rows


def test_links_sort_by_due_date(reference, client):
    from services.models import ServiceRequest
    from worklist.models import TaskAssignment

    client.force_login(User.objects.get(username="demo_staff"))
    items = {i.key: i for i in workbench.items_for(User.objects.get(username="demo_staff"))}
    rows = list(client.get(items["requests_to_accept"].link).context["cl"].result_list)
    assert rows and all(isinstance(r, ServiceRequest) for r in rows)
    dues = [r.accept_due for r in rows]
    assert dues == sorted(dues)
    rows = list(client.get(items["tasks_due"].link).context["cl"].result_list)
    assert rows and all(isinstance(r, TaskAssignment) for r in rows)
    deadlines = [r.task.deadline for r in rows]
    assert deadlines == sorted(deadlines)


def test_home_groups_the_admin_by_task(reference, client):
    client.force_login(User.objects.get(username="demo_staff"))
    html = client.get("/admin/").content.decode()
    groups = workbench.task_groups(client.get("/admin/").context["app_list"])
    titles = [str(g["title"]) for g in groups]
    assert titles[:2] == [str(workbench.TASKS[0][0]), str(workbench.TASKS[1][0])]
    assert all(escape(t) in html for t in titles)


def test_nothing_for_anonymous_or_inactive():
    assert workbench.items_for(None) == []
