"""Generated from the admin registry: every changelist's date drill-down, its links found by
``community.admin_dates`` (one probe on an index each), offers what Django's own ``date_hierarchy`` offers at
every level, and its queries read no more than one row a link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import timezone

from community import admin_dates
from community.models import User
from tests.scoping_matrix import admin_url
from tests.test_lists import ADMIN, _rows

pytestmark = pytest.mark.django_db

DRILLED = [model for model in ADMIN if admin.site._registry[model].date_hierarchy]
DAYS = [dt.date(2024, 3, 5), dt.date(2026, 5, 6), dt.date(2026, 5, 20)]  # 2025 has none: no link for it


@pytest.fixture
def root(db):
    return User.objects.create_superuser(username="dates-root", password="Passw0rd!x")


@pytest.fixture
def probed(monkeypatch):
    """Every whole list probed, however few its rows (the platform probes from ``EXACT_BELOW`` rows)."""
    monkeypatch.setattr(admin_dates, "EXACT_BELOW", 0)


def _date_rows(model, community) -> None:
    """Rows of ``model`` on ``DAYS`` (the drill-down's field set on the row or on the row it leads to)."""
    path = admin.site._registry[model].date_hierarchy
    *hops, name = path.split("__")
    field = get_fields_from_path(model, path)[-1]
    before = set(model._base_manager.values_list("pk", flat=True))
    _rows(model, community, len(DAYS))
    targets = []  # the rows holding the date: each made row, or the row it leads to (a line's voucher), once
    for obj in model._base_manager.exclude(pk__in=before).order_by("pk"):
        for hop in hops:
            obj = getattr(obj, hop)
        if obj not in targets:
            targets.append(obj)
    for target, day in zip(targets[: len(DAYS)], DAYS, strict=True):
        value = day
        if isinstance(field, models.DateTimeField):
            value = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        type(target)._base_manager.filter(pk=target.pk).update(**{name: value})


def _plain(context) -> dict | None:
    if context is None:
        return None
    back = context["back"] and {key: str(value) for key, value in context["back"].items()}
    return {"back": back, "choices": [{key: str(value) for key, value in c.items()} for c in context["choices"]]}


@pytest.mark.parametrize("model", DRILLED, ids=lambda m: m._meta.label)
def test_every_drill_down_offers_what_djangos_offers_at_every_level(model, client, root, community_a, probed):
    _date_rows(model, community_a)
    client.force_login(root)
    url = admin_url(model, "changelist")
    path = admin.site._registry[model].date_hierarchy
    levels = [
        {},
        {f"{path}__year": "2026"},
        {f"{path}__year": "2025"},
        {f"{path}__year": "2026", f"{path}__month": "5"},
        {f"{path}__year": "2026", f"{path}__month": "5", f"{path}__day": "20"},
    ]
    for params in levels:
        response = client.get(url, params)
        assert response.status_code == 200, params
        cl = response.context["cl"]
        assert admin_dates._probed(cl)
        ours, django = _plain(admin_dates.date_hierarchy(cl)), _plain(admin_list.date_hierarchy(cl))
        assert ours == django, params
        # the rows' years are offered (2025, which has none, only where other rows have it), where the list
        # shows the rows at all (the admin of login attempts lists the recent ones)
        if not params and cl.result_count >= len(DAYS):
            assert {"2024", "2026"} <= {c["title"] for c in ours["choices"]}, model
            assert all(f'href="{c["link"]}"' in response.content.decode() for c in ours["choices"])


def test_the_drill_down_reads_one_row_a_link_and_no_aggregate(client, root, community_a, count_queries, probed):
    from partybuild.models import Visit

    _date_rows(Visit, community_a)
    client.force_login(root)
    url = admin_url(Visit, "changelist")
    for params in ({}, {"date__year": "2026"}, {"date__year": "2026", "date__month": "5"}):
        client.get(url, params)
        with count_queries() as queries:
            assert client.get(url, params).status_code == 200
        sql = [q["sql"] for q in queries.ctx.captured_queries]
        assert not [s for s in sql if re.search(r"\bM(?:IN|AX)\(|DISTINCT|DATE_TRUNC", s)], params
        probes = [s for s in sql if "EXISTS" in s and '"partybuild_visit"."date" >=' in s]
        assert len(probes) == 1, params  # every link's probe in one statement


def test_a_small_or_searched_list_is_djangos_own_drill_down(client, root, community_a, count_queries, monkeypatch):
    from partybuild.models import Visit

    _date_rows(Visit, community_a)
    client.force_login(root)
    url = admin_url(Visit, "changelist")
    monkeypatch.setattr(admin_dates, "EXACT_BELOW", 0)  # any count is enough: filtered or not, the list is probed
    for narrowed in (
        {"date__year": "2026"},
        {"way": "door"},
        {"date__gte": "2026-01-01"},
        {"unit": f"community-{community_a.pk}"},
    ):
        assert admin_dates._probed(client.get(url, narrowed).context["cl"]), narrowed
    assert not admin_dates._probed(client.get(url, {"q": "x"}).context["cl"])  # a search's rows may repeat
    monkeypatch.setattr(admin_dates, "EXACT_BELOW", 4)  # too few, whole or filtered
    assert not admin_dates._probed(client.get(url).context["cl"])
    assert not admin_dates._probed(client.get(url, {"date__year": "2026"}).context["cl"])
    with count_queries() as queries:
        client.get(url)
    assert [q for q in queries.ctx.captured_queries if "DISTINCT" in q["sql"]]  # Django's, on its few rows


def test_a_filtered_list_probed_offers_what_djangos_offers(client, root, community_a, probed):
    """A filter that keeps some rows and not others: the probes see only the rows it keeps, at every level."""
    from partybuild.models import Visit

    _date_rows(Visit, community_a)  # one visit a day of DAYS, each in a community of its own
    kept = Visit.objects.get(date=DAYS[-1])
    client.force_login(root)
    url = admin_url(Visit, "changelist")
    only = {"unit": f"community-{kept.community_id}"}
    for level in ({}, {"date__year": "2026"}, {"date__year": "2024"}, {"date__year": "2026", "date__month": "5"}):
        cl = client.get(url, {**only, **level}).context["cl"]
        assert admin_dates._probed(cl), level
        ours, django = _plain(admin_dates.date_hierarchy(cl)), _plain(admin_list.date_hierarchy(cl))
        assert ours == django, level
    whole = _plain(admin_dates.date_hierarchy(client.get(url).context["cl"]))
    assert {c["title"] for c in whole["choices"]} == {"2024", "2026"}
    filtered = _plain(admin_dates.date_hierarchy(client.get(url, only).context["cl"]))
    assert [c["title"] for c in filtered["choices"]] == ["05月20日"]  # its one day, drilled down to as Django does


def test_an_empty_list_reads_as_many_queries_as_a_full_one(client, root, community_a, count_queries, probed):
    from partybuild.models import Visit

    client.force_login(root)
    url = admin_url(Visit, "changelist")
    client.get(url)
    with count_queries() as empty:
        client.get(url)
    _date_rows(Visit, community_a)
    with count_queries() as full:
        client.get(url)
    assert len(empty) == len(full)


def test_an_estimate_its_page_belies_is_not_probed(monkeypatch):
    """An estimated count the first page shows wrong (a filter no row meets, estimated at 200,000) leaves the
    drill-down to Django: probing would walk the date index past every row for none."""
    from types import SimpleNamespace

    monkeypatch.setattr(admin_dates, "EXACT_BELOW", 1000)

    def listed(rows: int, *, estimated: bool, page: int = 1):
        paginator = SimpleNamespace(estimated=estimated)
        return SimpleNamespace(
            query="",
            result_count=200_000,
            paginator=paginator,
            result_list=[None] * rows,
            list_per_page=100,
            page_num=page,
        )

    assert not admin_dates._probed(listed(0, estimated=True))  # an empty first page: no row at all
    assert not admin_dates._probed(listed(3, estimated=True, page=2))  # 103 rows in all
    assert admin_dates._probed(listed(3, estimated=True, page=40))  # 3,903 rows: many enough
    assert admin_dates._probed(listed(100, estimated=True))  # a full page: the estimate stands
    assert admin_dates._probed(listed(3, estimated=False))  # a count, not an estimate
