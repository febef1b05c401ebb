"""Helpers for the generated tests: which models are scoped, where their admin and API live, and the
role matrix's places, users, rows and expected answers.

The expected answer of the role matrix is stated here independently of ``community.scoping``: the
roles table (``declared_permissions``) says what a role may do to a model, and the place relation
says whether the user's place reaches the row:

- a row belongs to the places its declared paths lead to (walked here on the instance);
- a user writes a row that lies within the user's place (a community lies within its town and its
  county, a town and a department within their county), or that the user owns;
- a user also reads a row whose place contains the user's place when the model shares its rows
  down (``shared_down``: to every level, or to the levels it names);
- a model with no path is county-wide data: every scoped user reads it, the county writes it;
- a row that only has an owner (a background export) is its owner's alone, even for a superuser.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from community.choices import DepartmentCode, Role, ScopeLevel

SUPERUSER = "superuser"
ROLES = [*(role.value for role in Role), SUPERUSER]
ACTIONS = ("view", "change", "delete")
COMMUNITY_ROLES = {Role.COMMUNITY_STAFF, Role.PARTY_WORKER, Role.BOOKKEEPER}
PATH_KINDS = {
    "community_path": "community",
    "town_path": "town",
    "county_path": "county",
    "department_path": "department",
    "owner_path": "user",
}


def scoped_models():
    return sorted(
        (
            m
            for m in apps.get_models()
            if hasattr(m, "community_path")
            and not m._meta.label.startswith("community.Historical")
            and "historical" not in m._meta.model_name
        ),
        key=lambda m: m._meta.label,
    )


def admin_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def api_routes():
    """model -> (basename, viewset) from the one router."""
    from config.urls import router

    routes = {}
    for _prefix, viewset, basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is not None:
            routes.setdefault(queryset.model, (basename, viewset))
    return routes


def admin_url(model, kind: str, *args):
    if model not in admin.site._registry:
        return None
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{kind}", args=args)


def first_fk_on_path(model) -> str | None:
    """The foreign key a row's community hangs on (None for the community itself or a reverse link)."""
    path = model.community_path
    if not path:
        return None
    field = model._meta.get_field(path.split("__")[0])
    return field.name if field.many_to_one else None


# --- places and users ---------------------------------------------------------------------


@dataclass
class World:
    """County K: town T (communities A, B), town T2 (community C), departments D and D2; county K2 (X)."""

    county: object
    town: object
    a: object
    b: object
    other_town: object
    c: object
    other_county: object
    x: object
    dept: object
    other_dept: object


def build_world() -> World:
    from tests import factories as f

    county = f.CountyFactory()
    town = f.TownFactory(county=county)
    other_town = f.TownFactory(county=county)
    other_county = f.CountyFactory()
    return World(
        county=county,
        town=town,
        a=f.CommunityFactory(town=town),
        b=f.CommunityFactory(town=town),
        other_town=other_town,
        c=f.CommunityFactory(town=other_town),
        other_county=other_county,
        x=f.CommunityFactory(town=f.TownFactory(county=other_county)),
        dept=f.DepartmentFactory(county=county, code=DepartmentCode.JUSTICE),
        other_dept=f.DepartmentFactory(county=county, code=DepartmentCode.CIVIL_AFFAIRS),
    )


def user_of(role: str, world: World):
    """A user of ``role`` placed in the world: community roles in A, the cadre in T, the liaison in D."""
    from community.models import User
    from tests import factories as f

    if role == SUPERUSER:
        return User.objects.create_superuser(username=f"root{User.objects.count()}", password="Passw0rd!x")
    if role == Role.COUNTY_OFFICIAL:
        return f.official_of(world.county)
    if role == Role.TOWN_CADRE:
        return f.town_cadre_of(world.town)
    if role == Role.DEPARTMENT_LIAISON:
        return f.make_user(role=role, scope_level=ScopeLevel.DEPARTMENT, department=world.dept)
    return f.make_user(role=role, scope_level=ScopeLevel.COMMUNITY, community=world.a)


def area_of(user):
    """The place a user's scope covers (None: everything)."""
    if user.is_superuser:
        return None
    return {
        ScopeLevel.COUNTY: user.county,
        ScopeLevel.TOWN: user.town,
        ScopeLevel.COMMUNITY: user.community,
        ScopeLevel.DEPARTMENT: user.department,
    }[user.scope_level]


def declared_kinds(model) -> set[str]:
    return {kind for name, kind in PATH_KINDS.items() if getattr(model, name, None) is not None}


def rows_for(model, role: str, world: World, user):
    """(own, other): a row in the user's own place, and the nearest row outside it."""
    from tests.factories import make_placed

    kinds = declared_kinds(model)
    if role == Role.DEPARTMENT_LIAISON:
        if "department" in kinds:
            own, other = make_placed(model, world.a, world.dept), make_placed(model, world.a, world.other_dept)
        else:
            own, other = make_placed(model, world.a), make_placed(model, world.x)
    elif role in COMMUNITY_ROLES:
        elsewhere = world.b if "community" in kinds else world.c if "town" in kinds else world.x
        own, other = make_placed(model, world.a), make_placed(model, elsewhere)
    elif role == Role.TOWN_CADRE:
        elsewhere = world.c if kinds & {"community", "town"} else world.x
        own, other = make_placed(model, world.a), make_placed(model, elsewhere)
    else:
        own, other = make_placed(model, world.a), make_placed(model, world.x)
    if kinds == {"user"}:  # a row only its owner reaches: the user's own one
        owner = model.owner_path.split("__")[0]
        setattr(own, owner, user)
        own.save(update_fields=[owner])
    return own, other


def _walk(obj, path: str) -> list:
    current = [obj]
    for part in path.split("__") if path else []:
        following = []
        for item in current:
            value = getattr(item, part, None)
            if isinstance(value, models.Manager):
                following.extend(value.all())
            elif value is not None:
                following.append(value)
        current = following
    return current


def places_of(obj) -> list:
    """The communities, towns, counties, departments and owners a row belongs to."""
    out = []
    for name in PATH_KINDS:
        path = getattr(type(obj), name, None)
        if path is not None:
            out.extend(_walk(obj, path))
    return out


def _parent(place):
    from community.models import Community, Department, Town

    if isinstance(place, Community):
        return place.town
    if isinstance(place, Town | Department):
        return place.county
    return None


def within(place, area) -> bool:
    """Does ``place`` lie in ``area`` (itself, or a place above it)?"""
    while place is not None:
        if type(place) is type(area) and place.pk == area.pk:
            return True
        place = _parent(place)
    return False


def shared_with(model, user) -> bool:
    shared = getattr(model, "shared_down", False)
    return shared is True or (bool(shared) and user.scope_level in shared)


def reaches(user, obj, action: str) -> bool:
    """Does the user's place reach the row for ``action``? (the place half of the expected answer)"""
    from community.models import User

    kinds = declared_kinds(type(obj))
    if kinds == {"user"}:  # a row only its owner reaches (a background export), whoever else asks
        return any(p.pk == user.pk for p in places_of(obj))
    area = area_of(user)
    if area is None:
        return True
    if not kinds:  # county-wide data
        return action == "view" or user.scope_level == ScopeLevel.COUNTY
    places = places_of(obj)
    if any(isinstance(p, User) and p.pk == user.pk for p in places):
        return True
    places = [p for p in places if not isinstance(p, User)]
    if any(within(p, area) for p in places):
        return True
    read_path = getattr(type(obj), "community_read_path", None)  # communities that only read the row
    if action == "view" and read_path and any(within(p, area) for p in _walk(obj, read_path)):
        return True
    return action == "view" and shared_with(type(obj), user) and any(within(area, p) for p in places)


@functools.cache
def roles_table() -> dict[str, frozenset[str]]:
    from community.roles import declared_permissions

    return {role: frozenset(perms) for role, perms in declared_permissions(apps.get_app_configs()).items()}


def role_may(role: str, model, action: str) -> bool:
    """The roles table's answer (the superuser may do everything)."""
    if role == SUPERUSER:
        return True
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}" in roles_table()[role]


def describe(user, obj) -> str:
    area = area_of(user)
    places = ", ".join(f"{type(p).__name__}:{p.pk}" for p in places_of(obj)) or "county-wide"
    return f"user at {type(area).__name__ if area else 'all'}:{getattr(area, 'pk', '')} / row in {places}"


# --- rows before and after ------------------------------------------------------------------


def snapshot(obj) -> dict | None:
    """Every concrete field of the row as stored (None once it is gone)."""
    return type(obj)._base_manager.filter(pk=obj.pk).values().first()


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    if before is None or after is None:
        return ["<row deleted>"] if before != after else []
    return sorted(k for k in before if before[k] != after.get(k))


_AVOID = ("id_number", "phone", "code", "number", "email", "username", "password", "key", "url", "slug", "sha")
_CRON = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")


def _rank(field) -> int | None:
    """How harmless a field is to modify (None: not one to modify)."""
    if not field.editable or field.choices or field.is_relation or field.primary_key:
        return None
    if field.name in _CRON or any(word in field.name for word in _AVOID):
        return None
    if isinstance(field, models.EmailField | models.URLField | models.SlugField | models.GenericIPAddressField):
        return None
    if isinstance(field, models.TextField):
        return 0
    if isinstance(field, models.CharField):
        return 1
    if isinstance(field, models.IntegerField | models.DecimalField) and not field.unique:
        return 2
    if isinstance(field, models.BooleanField):
        return 3
    return None


def text_fields(model, names) -> list[str]:
    """The editable fields among ``names`` that a test can modify, most harmless first (text, then numbers)."""
    found = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        rank = _rank(field)
        if rank is not None:
            found.append((rank, name))
    return [name for _rank_, name in sorted(found)]


def modified(model, name: str, old):
    """A new value for the field: text gets a mark, a number one more, a flag flips."""
    field = model._meta.get_field(name)
    if isinstance(field, models.BooleanField):
        return old not in (True, "on", "True", "true")
    if isinstance(field, models.IntegerField):
        return int(old or 0) + 1
    if isinstance(field, models.DecimalField):
        return Decimal(str(old or 0)) + 1
    old = old or ""
    limit = getattr(field, "max_length", None) or 10_000
    mark = "改" if not str(old).endswith("改") else "变"
    value = f"{old}{mark}"
    return value if len(value) <= limit else f"{str(old)[: limit - 1]}{mark}"


def as_post(value) -> list[str]:
    """A modified value as a form posts it (an unticked box posts nothing)."""
    if value is True:
        return ["on"]
    if value is False:
        return []
    return [str(value)]


def stored_as(model, name: str, value):
    """What the database holds after saving ``value``."""
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return Decimal(value)
    return value


# --- the admin's change form, as a browser would submit it -----------------------------------


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: tuple[str, bool] | None = None
        self.first_option: str | None = None
        self.picked = False
        self.textarea: str | None = None
        self.text: list[str] = []

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.add(name, a.get("value") or "on")
                return
            self.add(name, a.get("value") or "")
        elif tag == "select" and name:
            self.select, self.first_option, self.picked = (name, "multiple" in a), None, False
        elif tag == "option" and self.select:
            value = a.get("value") or ""
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.add(self.select[0], value)
                self.picked = True
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            if not self.picked and not multiple and self.first_option is not None:
                self.add(name, self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None


def change_form_data(response, model) -> dict[str, list[str]]:
    """The admin change form's fields (inline formsets and their management forms included)."""
    reader = _FormReader(f"{model._meta.model_name}_form")
    reader.feed(response.content.decode())
    data = reader.data
    data["_save"] = ["Save"]
    return data


def form_errors(response) -> str:
    context = getattr(response, "context", None) or {}
    errors = []
    if "adminform" in context:
        form = context["adminform"].form
        errors.append(form.errors.as_text())
        errors.extend(str(e) for e in form.non_field_errors())
    for formset in context.get("inline_admin_formsets", []) or []:
        errors.extend(str(e) for e in formset.formset.errors if e)
        errors.extend(str(e) for e in formset.formset.non_form_errors())
    return "; ".join(e for e in errors if e)[:500]
