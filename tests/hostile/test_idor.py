"""IDOR sweep (issue 8, item 6): every URL pattern that takes an object, filled with another community's row.

The resolver is walked, so a new pattern joins by existing: a pattern on a community-owned model (admin or
API) is filled from ``SCOPED_FACTORIES`` with a row of community B and requested by community A's staff with
every method it answers; a page pattern is filled by ``PAGE_FILLERS``.  Each request must be refused
(403/404/405, or a redirect to the login or the admin index), never 200 with B's row, never 500, and B's
rows must be unchanged afterwards.  A pattern the sweep cannot fill must be listed in ``REVIEWED_PATTERNS``
or its model in ``NOT_COMMUNITY_OWNED``, with the reason — so a new pattern fails here until considered.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.hostile.urlwalk import Route, admin_model_of, walk

# models with object URLs that no community owns, and why an IDOR between communities does not arise there
NOT_COMMUNITY_OWNED = {
    "auth.Group": "roles: superuser-only in the admin",
    "axes.AccessAttempt": "login lock-out records: superuser-only",
    "axes.AccessFailureLog": "login lock-out records: superuser-only",
    "axes.AccessLog": "login records: superuser-only",
    "django_celery_beat.ClockedSchedule": "job schedules: superuser-only",
    "django_celery_beat.CrontabSchedule": "job schedules: superuser-only",
    "django_celery_beat.IntervalSchedule": "job schedules: superuser-only",
    "django_celery_beat.PeriodicTask": "job schedules: superuser-only",
    "django_celery_beat.SolarSchedule": "job schedules: superuser-only",
    "community.County": "the county is shared by all its communities",
    "community.Town": "the town is shared by all its communities",
    "community.Department": "county departments serve every community",
    "funding.Account": "the chart of accounts is the same for every community",
    "funding.FundingSource": "kinds of money, the same for every community",
    "funding.CostSplit": "county-wide pay-cost split rules",
    "funding.FacilityItem": "the county's facility standard",
    "services.ServiceCategory": "the county's catalogue of request kinds (public)",
    "services.Open311Client": "API clients: superuser-only",
    "staffing.Campaign": "town-owned (town_path): the recruitment is public; towns are isolated in tests/staffing",
    "staffing.CampaignRules": "town-owned rules of a public recruitment",
    "staffing.Applicant": "town-owned (town_path); towns are isolated in tests/staffing",
    "staffing.Examiner": "town-owned (town_path); towns are isolated in tests/staffing",
    "staffing.ExaminerRelation": "town-owned (town_path); towns are isolated in tests/staffing",
    "staffing.Objection": "town-owned (town_path); towns are isolated in tests/staffing",
    "staffing.PayScale": "county-owned pay scale, the same for every community",
    "staffing.WorkdayOverride": "the county's calendar of working days",
    "staffing.CalendarYear": "the platform's calendar of holiday schedules (national), written by the county only",
    "worklist.WorkListItem": "the county's published work list (public)",
    "worklist.ListException": "county-owned exceptions to the public work list",
}

# page patterns with an object argument that are public by design (or not an object of a community)
REVIEWED_PATTERNS = {
    "media": "a file is served only when the one scope rule reaches the row that holds it, or with a signature "
    "(community/media.py; tests/security/test_media.py sweeps it with another community's staff)",
    "governance:board": "a community's 居务公开 board: public by design (published notices only)",
    "governance:feed": "the board's Atom feed: public by design",
    "governance:meetings": "a community's meetings: public by design (held meetings, published resolutions)",
    "governance:elections": "a community's elections: public by design (published results, masked names)",
    "governance:notice": "a published notice: public; drafts and withdrawn notices answer 404",
    "governance:meeting": "a held meeting with only its published resolutions, no attendee names",
    "governance:election": "a published election result with masked names",
    "governance:attachment": "an attachment of a currently published notice, otherwise 404",
    "staffing:announcement": "public recruitment announcement (公告): public by law",
    "staffing:scores": "public score list of a recruitment: public by law, names masked",
    "staffing:publicity": "public publicity list (公示) and its objection form: public by law",
    "funding:disclosure-index": "financial disclosure (财务公开) of a community: public by law",
    "funding:disclosure": "financial disclosure (财务公开) of a community: public by law",
    "funding:export": "the slug names a report, not a row; its scope comes from ?scope=&id= (QUERY_PROBES)",
    "worklist:community": "a community's public work list (public by design)",
    "services:open311-service": "Open311 service definition: a catalogue entry, public by the standard",
    "services:open311-request": "Open311 public request view: public by the standard, no personal data "
    "(tests/services/test_open311.py)",
    "services:open311-token": "Open311 token lookup: public by the standard",
    "admin:view_on_site": "redirects to the object's own page, which applies the scope",
    "admin:app_list": "an app's index, not an object",
}

# the admin and API method families, and what a refusal looks like
REFUSED = {403, 404, 405}


class World:
    def __init__(self, community_a, community_b, staff_a, staff_b):
        self.a, self.b = community_a, community_b
        self.staff_a, self.staff_b = staff_a, staff_b
        self.rows: dict[str, object] = {}

    def row_of_b(self, model):
        label = model._meta.label
        if label not in self.rows:
            if label in OTHER_OWNED:
                self.rows[label] = OTHER_OWNED[label](self)
            else:
                self.rows[label] = f.SCOPED_FACTORIES[label](self.b)
        return self.rows[label]


def _report_run(world):
    from community.reporting_models import ReportRun

    return ReportRun.objects.get_or_create(
        level="community",
        unit_id=world.b.pk,
        period_start=dt.date(2026, 10, 1),
        defaults={"unit_name": world.b.name, "period_end": dt.date(2026, 10, 31), "status": "done"},
    )[0]


def _data_export(world):
    from community.models import DataExport

    return DataExport.objects.create(user=world.staff_b, model=DataExport.Kind.choices[0][0], status="done")


def _access(world):
    from community.models import PersonalDataAccess

    return PersonalDataAccess.objects.create(user=world.staff_b, kind="view", model="resident", fields="phone")


def _token(world):
    from rest_framework.authtoken.models import Token, TokenProxy

    Token.objects.get_or_create(user=world.staff_b)
    return TokenProxy.objects.get(user=world.staff_b)


# rows owned by someone other than a community, made for B's side
OTHER_OWNED = {
    "community.User": lambda world: world.staff_b,
    "community.DataExport": _data_export,
    "community.PersonalDataAccess": _access,
    "authtoken.TokenProxy": _token,
}

# page patterns that take a row: name -> (model label or None, how to fill the kwargs from the row)
PAGE_FILLERS = {
    "dashboard:report-status": lambda world: {"run_id": _report_run(world).pk},
    "dashboard:report-retry": lambda world: {"run_id": _report_run(world).pk},
    "dashboard:report-file": lambda world: {"run_id": _report_run(world).pk, "kind": "xlsx"},
    "admin:community_dataexport_download": lambda world: {"pk": _data_export(world).pk},
}

# pages that take the object from the query string: (url name, query) — B's community or its rows
QUERY_PROBES = [
    ("dashboard:index", lambda w: {"scope": "community", "id": w.b.pk}),
    ("dashboard:reports", lambda w: {"scope": "community", "id": w.b.pk}),
    ("api-dashboard", lambda w: {"scope": "community", "id": w.b.pk}),
    ("funding:reports", lambda w: {"scope": "community", "id": w.b.pk}),
    ("funding:export", lambda w: {"scope": "community", "id": w.b.pk}),
    ("partybuild:coverage", lambda w: {"level": "community", "id": w.b.pk}),
    ("partybuild:coverage", lambda w: {"level": "zone", "id": f.SCOPED_FACTORIES["community.Zone"](w.b).pk}),
    ("partybuild:coverage", lambda w: {"level": "building", "id": f.SCOPED_FACTORIES["community.Building"](w.b).pk}),
]


def snapshot(model, pk):
    return model._base_manager.filter(pk=pk).values().first()


def refusal_problem(response, *, shortcut: bool = False) -> str | None:
    """None when the response refuses (and shows nothing); else what is wrong with it."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if status in REFUSED:
        return None
    if status in (301, 302):
        target = response.headers.get("Location", "")
        path = target.split("?")[0]
        if path in (reverse("admin:login"), reverse("admin:index")):  # to the login, or "no such record"
            return None
        if shortcut and path.endswith("/change/"):  # the admin's <id>/ shortcut: the change view is swept too
            return None
        return f"{status} redirect to {target}"
    return f"{status} (expected 403/404/405 or a redirect to the login)"


def send(client: Client, method: str, url: str, data=None):
    if method == "get":
        return client.get(url)
    if method in ("put", "patch", "post") and url.startswith("/api/"):
        return client.generic(method.upper(), url, json.dumps(data or {}), content_type="application/json")
    if method == "post":
        return client.post(url, data or {})
    return client.generic(method.upper(), url)


def _admin_requests(route: Route, obj):
    """(method, url, data) for an admin route on ``obj``."""
    pk = obj.pk
    if route.positional:  # simple_history: <object_id>/history/<history_id>/
        history = obj.history.order_by("-history_id").first() if hasattr(obj, "history") else None
        url = reverse(route.name, args=[pk, history.history_id if history else 1])
        return [("get", url, None), ("post", url, {})]
    kwargs = dict.fromkeys(route.object_args, pk)
    if route.name:
        url = reverse(route.name, kwargs=kwargs)
    else:  # the unnamed <path:object_id>/ shortcut
        url = "/" + route.route.replace("<path:object_id>", str(pk))
    if route.name.endswith("_delete"):
        return [("get", url, None), ("post", url, {"post": "yes"})]
    return [("get", url, None), ("post", url, {})]


def _api_requests(route: Route, obj):
    url = reverse(route.name, kwargs={"pk": obj.pk})
    return [(method, url, {}) for method in route.callback.actions]


@pytest.mark.django_db
def test_no_pattern_serves_another_communitys_rows(community_a, community_b, staff_a, staff_b):
    world = World(community_a, community_b, staff_a, staff_b)
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    problems: list[str] = []
    unfilled: list[str] = []
    swept: set[str] = set()
    touched: dict = {}  # (model, pk) -> snapshot before

    for route in walk():
        if not route.takes_object:
            continue
        if route.name in PAGE_FILLERS:
            kwargs = PAGE_FILLERS[route.name](world)
            url = reverse(route.name, kwargs=kwargs)
            requests = [("get", url, None), ("post", url, {})]
        elif route.name in REVIEWED_PATTERNS:
            continue
        else:
            viewset = route.viewset
            model = viewset.queryset.model if viewset is not None and viewset.queryset is not None else None
            if model is None and route.route.startswith("admin/"):
                model = admin_model_of(route)
            if model is None:
                unfilled.append(f"{route.label}  ({route.route})")
                continue
            label = model._meta.label
            if label in NOT_COMMUNITY_OWNED:
                continue
            if label not in f.SCOPED_FACTORIES and label not in OTHER_OWNED:
                unfilled.append(f"{route.label}  ({route.route}): no factory for {label}")
                continue
            obj = world.row_of_b(model)
            touched.setdefault((model, obj.pk), snapshot(model, obj.pk))
            requests = _api_requests(route, obj) if viewset is not None else _admin_requests(route, obj)
        swept.add(route.label)
        for method, url, data in requests:
            response = send(client, method, url, data)
            problem = refusal_problem(response, shortcut=not route.name and route.route.startswith("admin/"))
            if problem:
                problems.append(f"{method.upper()} {url} [{route.label}]: {problem}")

    for name, query in QUERY_PROBES:
        url = reverse(name, kwargs={"name": "fund-balances"} if name == "funding:export" else None)
        response = client.get(url, query(world))
        problem = refusal_problem(response)
        if problem:
            problems.append(f"GET {url}?{query(world)}: {problem}")

    for (model, pk), before in touched.items():
        after = snapshot(model, pk)
        if after != before:
            problems.append(f"{model._meta.label} #{pk} of community B was changed or deleted: {before} -> {after}")

    assert not unfilled, "patterns the IDOR sweep cannot fill (fill them, or review them in this file):\n" + "\n".join(
        unfilled
    )
    assert len(swept) > 150, f"only {len(swept)} patterns swept"
    assert not problems, f"{len(problems)} requests of community A's staff reached B's rows:\n" + "\n".join(problems)


def test_a_response_showing_the_row_is_a_problem():
    """The judge of the sweep: 200, a redirect elsewhere and a 500 are reported; refusals are not."""
    from django.http import HttpResponse, HttpResponseRedirect

    assert refusal_problem(HttpResponse("B's row"))
    assert refusal_problem(HttpResponse(status=500))
    assert refusal_problem(HttpResponseRedirect("/admin/community/zone/"))
    assert refusal_problem(HttpResponseRedirect("/admin/community/zone/3/change/"))
    assert refusal_problem(HttpResponseRedirect("/admin/community/zone/3/change/"), shortcut=True) is None
    assert refusal_problem(HttpResponse(status=404)) is None
    assert refusal_problem(HttpResponseRedirect("/admin/login/?next=/admin/x/")) is None
    assert refusal_problem(HttpResponseRedirect("/admin/")) is None


def test_reviewed_exceptions_are_not_stale():
    """Every reviewed pattern and model still exists (a removed one is taken off the list)."""
    routes = walk()
    names = {route.name for route in routes}
    assert not set(REVIEWED_PATTERNS) - names, set(REVIEWED_PATTERNS) - names
    assert not set(PAGE_FILLERS) - names, set(PAGE_FILLERS) - names
    from django.apps import apps

    labels = {m._meta.label for m in apps.get_models()}
    assert not set(NOT_COMMUNITY_OWNED) - labels, set(NOT_COMMUNITY_OWNED) - labels
    for label in NOT_COMMUNITY_OWNED:
        assert not hasattr(apps.get_model(label), "community_path"), f"{label} is community-owned: sweep it"
    assert admin.site._registry  # the admin is loaded
