"""Generated isolation matrix: every scoped model × admin and API, staff of B against rows of A.

A new community-owned model joins by declaring ``community_path`` and registering a factory.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.scoping_matrix import (
    admin_url,
    api_routes,
    as_post,
    change_form_data,
    first_fk_on_path,
    modified,
    scoped_models,
    snapshot,
    text_fields,
)

SCOPED = scoped_models()


def refused(response) -> bool:
    """403/404, or the admin's redirect to its index (never its success redirect to the list)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.headers["Location"] == reverse("admin:index")


def would_change(model, obj) -> dict:
    """The change form a superuser gets for ``obj``, with one text field modified (a POST that saves)."""
    root = Client()
    root.force_login(f.User.objects.create_superuser(username=f"root{obj.pk}{model._meta.model_name}", password="x"))
    page = root.get(admin_url(model, "change", obj.pk))
    data = change_form_data(page, model) if page.status_code == 200 else {}
    for name in text_fields(model, data)[:1]:
        data[name] = as_post(modified(model, name, (data.get(name) or [None])[0]))
    return data


def test_every_scoped_model_has_a_factory():
    missing = [m._meta.label for m in SCOPED if m._meta.label not in f.SCOPED_FACTORIES]
    assert not missing, f"register factories for: {missing}"


def test_every_scoped_model_is_reached_through_the_scoped_queryset():
    for model in SCOPED:
        assert hasattr(model._default_manager, "for_user"), model._meta.label


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_admin_of_b_cannot_see_or_change_a(model, community_a, community_b, make_in_community, client, staff_b):
    obj = make_in_community(model, community_a)
    mine = make_in_community(model, community_b)
    client.force_login(staff_b)
    changelist = admin_url(model, "changelist")
    if changelist is None:
        pytest.skip("not in the admin")
    response = client.get(changelist)
    if response.status_code == 200:
        shown = {o.pk for o in response.context["cl"].result_list}
        assert obj.pk not in shown
        assert mine.pk in shown
    else:
        assert response.status_code in (302, 403)
    before = snapshot(obj)
    change = client.get(admin_url(model, "change", obj.pk))
    assert refused(change), change.status_code
    post = client.post(admin_url(model, "change", obj.pk), would_change(model, obj))
    assert refused(post), post.status_code
    delete = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    assert refused(delete), delete.status_code
    assert snapshot(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_api_of_b_cannot_see_or_change_a(model, community_a, community_b, make_in_community, client, staff_b):
    routes = api_routes()
    if model not in routes:
        pytest.skip("no API endpoint")
    basename, viewset = routes[model]
    obj = make_in_community(model, community_a)
    mine = make_in_community(model, community_b)
    client.force_login(staff_b)

    before = snapshot(obj)
    listing = client.get(reverse(f"{basename}-list"), {"page_size": 500})
    readable = listing.status_code != 403  # 403: the role may not read this model at all
    if readable:
        assert listing.status_code == 200
        ids = {row["id"] for row in listing.json()["results"]}
        assert obj.pk not in ids
        assert mine.pk in ids

    detail = reverse(f"{basename}-detail", args=[obj.pk])
    assert client.get(detail).status_code == (404 if readable else 403)
    methods = set(viewset.http_method_names)
    if "patch" in methods:
        field = next(iter(text_fields(model, [fd.name for fd in model._meta.concrete_fields])), None)
        body = {field: str(modified(model, field, getattr(obj, field)))} if field else {}
        response = client.patch(detail, body, content_type="application/json")
        assert response.status_code in (403, 404, 405)
    if "delete" in methods:
        assert client.delete(detail).status_code in (403, 404, 405)
    assert snapshot(obj) == before

    # moving my own row into A (or creating one there) is refused on the foreign key
    fk = first_fk_on_path(model)
    if fk and "patch" in methods:
        foreign_parent_id = getattr(obj, f"{fk}_id")
        response = client.patch(
            reverse(f"{basename}-detail", args=[mine.pk]), {fk: foreign_parent_id}, content_type="application/json"
        )
        if response.status_code != 403:
            assert response.status_code == 400, response.content
            assert fk in response.json()
        mine.refresh_from_db()
        assert getattr(mine, f"{fk}_id") != foreign_parent_id
    if fk and "post" in methods:
        response = client.post(
            reverse(f"{basename}-list"), {fk: getattr(obj, f"{fk}_id")}, content_type="application/json"
        )
        if response.status_code != 403:
            assert response.status_code == 400, response.content
            assert fk in response.json()
