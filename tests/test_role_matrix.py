"""The generated role matrix: every admin model and every API model × every role × view, change, delete.

The expected answer comes from the roles table (``declared_permissions``) and from the place relation
stated in ``tests/scoping_matrix.py`` (own community, another community of the town, the user's town,
county or department).  Each case checks both sides on the user's own row and the nearest row outside
the user's place: an allowed action really happens (the page opens, the posted change is stored, the
row is gone or PROTECTed with a message); a refused one answers 403/404 (a 302 to the admin index only
with the row unchanged) and leaves every stored field as it was.
"""

from __future__ import annotations

import traceback
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.scoping_matrix import (
    ACTIONS,
    ROLES,
    admin_models,
    admin_url,
    api_routes,
    as_post,
    build_world,
    change_form_data,
    changed_fields,
    describe,
    form_errors,
    modified,
    reaches,
    role_may,
    rows_for,
    snapshot,
    stored_as,
    text_fields,
    user_of,
)

ADMIN_MODELS = admin_models()
API_ROUTES = api_routes()
API_MODELS = sorted(API_ROUTES, key=lambda m: m._meta.label)

# admins that change no row for anyone (logs, figures computed by the platform): the matrix asserts it
ADMIN_NO_CHANGE = {
    "community.DataExport",
    "community.PersonalDataAccess",
    "funding.FundBalance",
    "funding.FundMonth",
    "funding.JournalLine",
    "funding.PropertyFeeReceipt",
    "partybuild.CoverageReport",
    "partybuild.VisitsDueNotice",
    "worklist.ListException",
    "worklist.TaskReminder",
}
# admins that delete no row for anyone
ADMIN_NO_DELETE = ADMIN_NO_CHANGE - {"community.DataExport"} | {
    "funding.DepartmentGrant",
    "funding.Disclosure",
    "funding.PropertyFeeBill",
    "funding.ReferralFee",
    "governance.Voter",
    "partybuild.Assignment",
    "partybuild.Liaison",
    "partybuild.Visit",
    "services.Notification",
    "services.ServiceRequest",
    "staffing.CalendarYear",
    "staffing.WorkdayOverride",
    "worklist.GuidanceRecord",
    "worklist.HandedTask",
    "worklist.SupportRequest",
    "worklist.TaskAssignment",
    "worklist.WorkListItem",
}

# admins whose existing rows nobody edits (evidence kept as recorded; changed through admin actions only):
# the change page is read-only or refuses the save for every role, the superuser included
ADMIN_ROWS_READ_ONLY = {
    "funding.DepartmentGrant",
    "funding.Disclosure",
    "funding.PropertyFeeBill",
    "funding.ReferralFee",
    "governance.RollObjection",
    "partybuild.Assignment",
    "partybuild.Liaison",
    "partybuild.Visit",
    "staffing.Applicant",
    "staffing.BonusPoint",
    "staffing.Examiner",
    "staffing.ExaminerRelation",
    "staffing.InterviewScore",
    "staffing.PayrollRun",
    "staffing.ScoreCorrection",
}

# admins whose change page is also a transition form: the roles with these permissions may post it
TRANSITION_FORMS = {"worklist.TaskAssignment": ("confirm",)}
# admins whose fields are stored only with a step of their state machine: a changed field without a step is
# refused with a worded form error (never dropped silently); the steps themselves are tested in tests/worklist
STEP_FORMS = {"worklist.TaskAssignment"}

REFUSED = (403, 404)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class MatrixClient(Client):
    """A test client that answers an exception as a 500 carrying the traceback's last lines."""

    def request(self, **request):
        try:
            return super().request(**request)
        except Exception:
            return HttpResponse(" | ".join(traceback.format_exc().strip().splitlines()[-3:]), status=500)


class LazyRoot:
    """A superuser's client, logged in on first use (only an allowed change needs the rendered form)."""

    def __init__(self, user, world):
        self.user, self.world, self.client = user, world, None

    def get(self, url):
        if self.client is None:
            self.client = Client()
            self.client.force_login(self.user or user_of("superuser", self.world))
        return self.client.get(url)


def _label(model) -> str:
    return model._meta.label


def _index_redirect(response) -> bool:
    """A refusal the admin words as a redirect to its index or the login (never its success redirect)."""
    if response.status_code != 302:
        return False
    location = response.headers.get("Location", "")
    return location in (reverse("admin:index"), "/") or "login" in location


def _refused(response, *, post: bool, before: dict | None, obj) -> str | None:
    """None when refused properly; otherwise what happened."""
    after = snapshot(obj)
    moved = changed_fields(before, after)
    if moved:
        return f"answered {response.status_code} and changed {moved}"
    if response.status_code in REFUSED or response.status_code == 405:
        return None
    if _index_redirect(response):
        return None
    what = "POST" if post else "GET"
    return f"{what} answered {response.status_code} (row unchanged, but not a refusal)"


def _stored(obj, name: str):
    field = type(obj)._meta.get_field(name)
    return snapshot(obj)[field.attname]


# --- admin -------------------------------------------------------------------------------------


def _admin_view(client, model, role, user, obj, tag, problems):
    expected = (role_may(role, model, "view") or role_may(role, model, "change")) and reaches(user, obj, "view")
    before = snapshot(obj)
    response = client.get(admin_url(model, "change", obj.pk))
    if expected and response.status_code != 200:
        problems.append(f"{tag} view: allowed, got {response.status_code} {_body(response)}")
    elif not expected and (why := _refused(response, post=False, before=before, obj=obj)):
        problems.append(f"{tag} view: refused, but {why}")


def _admin_change(client, root, model, role, user, obj, tag, problems):
    read_only = _label(model) in ADMIN_NO_CHANGE | ADMIN_ROWS_READ_ONLY
    may = any(role_may(role, model, a) for a in ("change", *TRANSITION_FORMS.get(_label(model), ())))
    expected = may and reaches(user, obj, "change") and not read_only
    url = admin_url(model, "change", obj.pk)
    if expected:  # the form as the admin renders it, to be saved with one field modified
        page = root.get(url)
        data = change_form_data(page, model) if page.status_code == 200 else {}
    else:  # any body will do: a refusal answers before the form is read
        data = {name: [str(value or "")] for name, value in model_to_dict(obj).items() if not isinstance(value, list)}
    names = text_fields(model, data) or [None]
    before = snapshot(obj)
    failures = []
    for name in names if expected else names[:1]:
        post = {k: list(v) for k, v in data.items()}
        if name:
            new = modified(model, name, (data.get(name) or [None])[0])
            post[name] = as_post(new)
        response = client.post(url, post)
        if expected and response.status_code == 200 and _fill_required(response, post):
            response = client.post(url, post)  # a form that asks for a note (a resolution, a reason) gets one
        if not expected:
            worded = read_only and response.status_code == 200 and form_errors(response)  # "use the actions"
            if not worded and (why := _refused(response, post=True, before=before, obj=obj)):
                problems.append(f"{tag} change: refused, but {why}")
            return
        saved = response.status_code == 302 and not _index_redirect(response)
        if name and saved and _stored(obj, name) == stored_as(model, name, new):
            return
        if _label(model) in STEP_FORMS and response.status_code == 200 and form_errors(response):
            if snapshot(obj) == before:
                return  # refused in words, nothing half-stored
            failures.append(f"{name}: a worded refusal, yet the row changed")
            continue
        if not name and saved:
            return  # an action form with no field of the model to modify: its success redirect is the proof
        failures.append(f"{name}: {response.status_code} {form_errors(response) or _body(response)}")
    problems.append(f"{tag} change: allowed, but not stored ({' | '.join(failures)})")


def _fill_required(response, post) -> bool:
    """Give every empty required text field of a refused form a value (True if there was one)."""
    from django import forms

    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return False
    form = context["adminform"].form
    empty = [
        key for key in form.errors if isinstance(form.fields.get(key), forms.CharField) and not any(post.get(key) or [])
    ]
    for key in empty:
        post[key] = ["已处理"]
    return bool(empty)


def _admin_delete(client, model, role, user, obj, tag, problems):
    expected = role_may(role, model, "delete") and reaches(user, obj, "delete") and _label(model) not in ADMIN_NO_DELETE
    before = snapshot(obj)
    response = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    if not expected:
        if why := _refused(response, post=True, before=before, obj=obj):
            problems.append(f"{tag} delete: refused, but {why}")
        return
    gone = snapshot(obj) is None
    if response.status_code == 302 and gone:
        return
    context = getattr(response, "context", None) or {}
    if response.status_code == 200 and not gone and context.get("protected"):
        return  # PROTECTed: the page names what still uses the row
    problems.append(f"{tag} delete: allowed, got {response.status_code}, row {'gone' if gone else 'kept'}")


def _body(response) -> str:
    text = response.content.decode(errors="replace")
    return (text[-400:] if response.status_code == 500 else text[:200]).replace("\n", " ")


def _admin_cases():
    return [pytest.param(m, r, id=f"{_label(m)}-{r}") for m in ADMIN_MODELS for r in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "role"), _admin_cases())
def test_admin(model, role):
    world = build_world()
    user = user_of(role, world)
    root = LazyRoot(user if role == "superuser" else None, world)
    client = MatrixClient()
    client.force_login(user)
    own, other = rows_for(model, role, world, user)
    problems = []
    for tag, obj in (("own", own), ("other", other)):
        tag = f"{tag} ({describe(user, obj)})"
        _admin_view(client, model, role, user, obj, tag, problems)
        _admin_change(client, root, model, role, user, obj, tag, problems)
    for tag, obj in (("own", own), ("other", other)):
        _admin_delete(client, model, role, user, obj, f"{tag} ({describe(user, obj)})", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_read_only_admins_are_declared():
    """An admin that changes (or deletes) nothing is so by design, and declared above."""
    from community.models import User

    root = User.objects.create_superuser(username="root-ro", password="Passw0rd!x")
    request = RequestFactory().get("/")
    request.user = root
    no_change = {_label(m) for m, ma in admin.site._registry.items() if not ma.has_change_permission(request)}
    no_delete = {_label(m) for m, ma in admin.site._registry.items() if not ma.has_delete_permission(request)}
    assert no_change == ADMIN_NO_CHANGE, sorted(no_change ^ ADMIN_NO_CHANGE)
    assert no_delete == ADMIN_NO_DELETE, sorted(no_delete ^ ADMIN_NO_DELETE)


def test_roles_that_write_may_read():
    """A role that may change or delete a model may also view it (the API reaches rows through view)."""
    from django.apps import apps

    from community.roles import declared_permissions

    odd = []
    for role, perms in declared_permissions(apps.get_app_configs()).items():
        for perm in perms:
            app, codename = perm.split(".", 1)
            action, _, model = codename.partition("_")
            if action in ("change", "delete") and f"{app}.view_{model}" not in perms:
                odd.append(f"{role}: {perm} without view")
    assert not odd, odd


# --- API ---------------------------------------------------------------------------------------


def _api_field(model, viewset) -> list[str]:
    serializer = viewset.serializer_class()
    writable = [name for name, field in serializer.fields.items() if not field.read_only]
    return text_fields(model, writable)


def _api_view(client, url, model, role, user, obj, tag, problems):
    expected = role_may(role, model, "view") and reaches(user, obj, "view")
    before = snapshot(obj)
    response = client.get(url)
    if expected and response.status_code != 200:
        problems.append(f"{tag} view: allowed, got {response.status_code} {_body(response)}")
    elif not expected and (why := _refused(response, post=False, before=before, obj=obj)):
        problems.append(f"{tag} view: refused, but {why}")


def _api_change(client, url, model, viewset, role, user, obj, tag, problems):
    offered = hasattr(viewset, "partial_update") and "patch" in viewset.http_method_names
    expected = (
        offered and role_may(role, model, "change") and role_may(role, model, "view") and reaches(user, obj, "change")
    )
    names = _api_field(model, viewset) if offered else []
    before = snapshot(obj)
    if not names:
        names = [None]
    failures = []
    for name in names if expected else names[:1]:
        new = modified(model, name, getattr(obj, name)) if name else None
        body = {name: str(new) if isinstance(new, Decimal) else new} if name else {}
        response = client.patch(url, body, content_type="application/json")
        if not expected:
            if why := _refused(response, post=True, before=before, obj=obj):
                problems.append(f"{tag} change: refused, but {why}")
            return
        if name and response.status_code == 200 and _stored(obj, name) == stored_as(model, name, new):
            return
        if not name and response.status_code == 200:
            return  # no writable field a test can modify: the accepted PATCH is the proof
        failures.append(f"{name}: {response.status_code} {_body(response)}")
    problems.append(f"{tag} change: allowed, but not stored ({' | '.join(failures)})")


def _api_delete(client, url, model, viewset, role, user, obj, tag, problems):
    offered = hasattr(viewset, "destroy") and "delete" in viewset.http_method_names
    expected = (
        offered and role_may(role, model, "delete") and role_may(role, model, "view") and reaches(user, obj, "delete")
    )
    before = snapshot(obj)
    response = client.delete(url)
    if not expected:
        if why := _refused(response, post=True, before=before, obj=obj):
            problems.append(f"{tag} delete: refused, but {why}")
        return
    gone = snapshot(obj) is None
    if (response.status_code == 204 and gone) or (response.status_code == 409 and not gone):
        return
    problems.append(f"{tag} delete: allowed, got {response.status_code}, row {'gone' if gone else 'kept'}")


def _api_cases():
    return [pytest.param(m, r, id=f"{_label(m)}-{r}") for m in API_MODELS for r in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "role"), _api_cases())
def test_api(model, role):
    basename, viewset = API_ROUTES[model]
    world = build_world()
    user = user_of(role, world)
    client = MatrixClient()
    client.force_login(user)
    own, other = rows_for(model, role, world, user)
    problems = []
    rows = [(f"{tag} ({describe(user, obj)})", obj) for tag, obj in (("own", own), ("other", other))]
    for tag, obj in rows:
        url = reverse(f"{basename}-detail", args=[obj.pk])
        _api_view(client, url, model, role, user, obj, tag, problems)
        _api_change(client, url, model, viewset, role, user, obj, tag, problems)
    for tag, obj in rows:
        url = reverse(f"{basename}-detail", args=[obj.pk])
        _api_delete(client, url, model, viewset, role, user, obj, tag, problems)
    assert not problems, "\n".join(problems)


def test_matrix_covers_every_action():
    assert ACTIONS == ("view", "change", "delete")
    assert ADMIN_MODELS and API_MODELS
