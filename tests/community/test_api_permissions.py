"""The API's model-permission check reads the model from the view's class queryset (community/permissions.py),
not from ``get_queryset``, which builds the scoped, annotated list query: for every registered viewset the two
must name the same model, or the check would ask for the wrong permission."""

import pytest
from rest_framework.test import APIRequestFactory

from community.permissions import ScopedModelPermissions
from config.urls import router

# a viewset without rows (coverage figures, reports) is checked for a signed-in user only
VIEWSETS = sorted(
    {
        viewset
        for _prefix, viewset, _basename in router.registry
        if getattr(viewset, "queryset", None) is not None or "get_queryset" in vars(viewset)
    },
    key=lambda v: f"{v.__module__}.{v.__qualname__}",
)


@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda v: f"{v.__module__}.{v.__qualname__}")
def test_the_class_queryset_names_the_model_get_queryset_lists(viewset, official):
    request = APIRequestFactory().get("/")
    request.user = official
    view = viewset(request=request, format_kwarg=None, action="list", action_map={"get": "list"}, kwargs={}, args=())
    view.request = view.initialize_request(request)
    view.request.user = official
    checked = ScopedModelPermissions()._queryset(view)
    assert checked.model is view.get_queryset().model


def test_the_list_builds_its_query_once(client, staff_a, monkeypatch):
    from community.api import ResidentViewSet

    calls = []
    original = ResidentViewSet.get_queryset

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(ResidentViewSet, "get_queryset", counting)
    client.force_login(staff_a)
    assert client.get("/api/v1/residents/").status_code == 200
    assert calls == [1]
