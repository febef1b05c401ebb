"""Generated from the admin registry: every changelist's rows, built once per page by
``community.admin_results``, are the HTML Django's own ``result_list`` builds, sorted and filtered (the
list's parameters carried over into each row's link), and the page renders them."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags import admin_list

from community import admin_results
from community.models import User
from tests.scoping_matrix import admin_url
from tests.test_lists import ADMIN, _rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return User.objects.create_superuser(username="results-root", password="Passw0rd!x")


def _html(results) -> list[str]:
    """Each row's HTML, its items written one after the other as ``change_list_results.html`` does."""
    return ["".join(str(cell) for cell in row) for row in results]


@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m._meta.label)
def test_every_changelists_rows_are_the_html_django_builds(model, client, root, community_a):
    _rows(model, community_a, 2)
    client.force_login(root)
    # sorted and filtered: each row's link carries the list's parameters over, as Django's does
    response = client.get(admin_url(model, "changelist"), {"q": "", "o": "-1"})
    assert response.status_code == 200
    cl = response.context["cl"]
    ours, django = admin_results.result_list(cl), admin_list.result_list(cl)
    assert _html(ours["results"]) == _html(django["results"])
    assert ours["num_sorted_fields"] == django["num_sorted_fields"]
    assert [h["text"] for h in ours["result_headers"]] == [h["text"] for h in django["result_headers"]]
    page = response.content.decode()
    for row in _html(ours["results"]):
        assert f"<tr>{row}</tr>" in page


def test_a_filtered_rows_link_keeps_the_filters(client, root, community_a):
    from community.models import Resident
    from tests import factories as f

    f.make_placed(Resident, community_a)
    gender = Resident.objects.get().gender
    client.force_login(root)
    response = client.get(admin_url(Resident, "changelist"), {"q": "", "gender": gender})
    rows = _html(admin_results.result_list(response.context["cl"])["results"])
    assert len(rows) == 1 and "_changelist_filters=" in rows[0] and f"gender%3D{gender}" in rows[0]
