"""Generated isolation matrix: every scoped model × admin and API, staff of B against rows of A.

A new community-owned model joins by declaring ``community_path`` and registering a factory.
"""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.scoping_matrix import admin_url, api_routes, first_fk_on_path, scoped_models

SCOPED = scoped_models()


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
    change = client.get(admin_url(model, "change", obj.pk))
    assert change.status_code in (302, 403, 404)
    post = client.post(admin_url(model, "change", obj.pk), {})
    assert post.status_code in (302, 403, 404)
    obj.refresh_from_db()  # still there, unchanged


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

    listing = client.get(reverse(f"{basename}-list"), {"page_size": 500})
    if listing.status_code == 403:
        return  # the role may not read this model at all
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert obj.pk not in ids
    assert mine.pk in ids

    assert client.get(reverse(f"{basename}-detail", args=[obj.pk])).status_code == 404
    methods = set(viewset.http_method_names)
    if "patch" in methods:
        response = client.patch(reverse(f"{basename}-detail", args=[obj.pk]), {}, content_type="application/json")
        assert response.status_code in (403, 404)
    if "delete" in methods:
        assert client.delete(reverse(f"{basename}-detail", args=[obj.pk])).status_code in (403, 404)
        assert model._base_manager.filter(pk=obj.pk).exists()

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
