"""Reads of the community core, for dashboards, API and reports (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, Prefetch, Q
from django.utils.translation import gettext as _

from .choices import ScopeLevel
from .dashboard import Target
from .models import Building, Community, County, Household, Resident, Town, Zone
from .scoping import Scope, scope_of, stored_lookup
from .validators import normalise_id_number, normalise_phone


@dataclass(frozen=True)
class CommunityRow:
    id: int
    name: str
    town: str
    zones: int
    buildings: int
    households: int
    residents: int
    vulnerable_households: int
    vulnerable_residents: int


def _count_by_community(queryset, path: str, distinct_field: str = "id") -> dict[int, int]:
    rows = queryset.values(cid=F(stored_lookup(queryset.model, path))).annotate(
        n=Count(distinct_field, distinct=distinct_field != "id")
    )
    return {row["cid"]: row["n"] for row in rows}


def community_rows(*, scope: Scope | None) -> list[CommunityRow]:
    """One row per community in scope with its people counts: six queries whatever the size."""
    communities = list(Community.objects.for_scope(scope).select_related("town").order_by("code"))
    zones = _count_by_community(Zone.objects.for_scope(scope), Zone.community_path)
    buildings = _count_by_community(Building.objects.for_scope(scope), Building.community_path)
    households = _count_by_community(Household.objects.for_scope(scope), Household.community_path)
    current = Resident.objects.for_scope(scope).current()
    residents = _count_by_community(current, Resident.community_path)
    vulnerable = current.vulnerable()
    vulnerable_households = _count_by_community(vulnerable, Resident.community_path, "household")
    vulnerable_residents = _count_by_community(vulnerable, Resident.community_path)
    return [
        CommunityRow(
            id=c.pk,
            name=c.name,
            town=c.town.name,
            zones=zones.get(c.pk, 0),
            buildings=buildings.get(c.pk, 0),
            households=households.get(c.pk, 0),
            residents=residents.get(c.pk, 0),
            vulnerable_households=vulnerable_households.get(c.pk, 0),
            vulnerable_residents=vulnerable_residents.get(c.pk, 0),
        )
        for c in communities
    ]


def resident_list(*, user):
    """The resident list every surface uses: scoped, each row with its community's id (``community_pk``) from its
    unit column (``community.unit_columns``), one model instance a row."""
    return Resident.objects.for_user(user).annotate(
        community_pk=F(f"{stored_lookup(Resident, Resident.community_path)}_id")
    )


def pinyin_q(term: str) -> Q | None:
    """Match names by pinyin: "zs" (initials) or "zhangsan" / "zhang san" (full) find 张三.

    Uses the indexed, lower-case ``name_initials`` / ``name_pinyin`` columns with a prefix match
    (LIKE 'zs%' is served by PostgreSQL's pattern index).  None when the term is not pinyin.
    """
    compact = "".join(term.split()).lower()
    if not compact or not compact.isascii() or not compact.isalpha():
        return None
    return Q(name_initials__startswith=compact) | Q(name_pinyin__startswith=compact)


def resident_search(queryset, term: str, *, personal: bool = True):
    """The one resident search: name prefix, pinyin (initials or full), or a whole ID number or phone.

    ``personal=False`` (a caller without the reveal permission) searches names only: a whole-number match
    would confirm a guessed ID number or phone, the oracle a mask must not offer."""

    term = (term or "").strip()
    if not term:
        return queryset
    q = Q(name__startswith=term)
    pinyin = pinyin_q(term)
    if pinyin is not None:
        q |= pinyin
    if not personal:
        pass
    elif len(normalise_id_number(term)) == 18:
        q |= Q(id_number=normalise_id_number(term))
    elif normalise_phone(term).isdigit():
        q |= Q(phone=normalise_phone(term))
    return queryset.filter(q)


def household_list(*, user):
    return (
        Household.objects.for_user(user)
        .select_related("building__zone__community")
        .annotate(resident_count=Count("residents"))
    )


def buildings_version_sql(community: str = "%s") -> str:
    """The aggregate behind ``buildings_version``, over the buildings of the community ``community`` names (a
    parameter, or a column of a query it is joined into)."""
    return (
        f"SELECT COUNT(b.id) AS n, MAX(b.id) AS last, MAX(b.updated_at) AS changed, MAX(z.updated_at) AS zone_changed "
        f"FROM {Building._meta.db_table} b JOIN {Zone._meta.db_table} z ON z.id = b.zone_id "
        f"WHERE z.community_id = {community}"
    )


def format_buildings_version(n, last, changed, zone_changed) -> str:
    return "-".join([str(n), str(last or 0), *(f"{s.timestamp():.6f}" if s else "0" for s in (changed, zone_changed))])


def buildings_version(community) -> str:
    """A value that changes whenever the community's list of buildings, as a form shows it, changes.

    One aggregate over the community's buildings: how many, the newest id, the latest change to a building
    or to its zone (a building's choice is labelled with its zone's name).  Forms cache their rendered
    building list under it (``services.forms.PublicRequestForm.render_key``).  Written in SQL: it is read
    on every view of the resident form, where building the same aggregate through the ORM cost more than
    running it (the form's page reads it in the query that finds its community: ``buildings_version_sql``).
    """
    with connection.cursor() as cursor:
        cursor.execute(buildings_version_sql(), [community.pk])
        return format_buildings_version(*cursor.fetchone())


def public_directory():
    """Towns and their communities' names for the public landing page (no personal data)."""

    return Town.objects.order_by("code").prefetch_related(
        Prefetch(
            "communities", queryset=Community.objects.order_by("code").only("id", "name", "code", "address", "town_id")
        )
    )


def dashboard_target(*, user, level: str | None, pk):
    """The county, town or community a dashboard shows, checked against the user's scope.

    ``level`` defaults to the user's own level and ``pk`` to the user's own unit.  A unit outside
    the user's scope is refused (PermissionDenied); an unknown one is a ValueError (404).
    """

    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied(_("Your account has no scope; ask the county administrator to set one."))
    own_level = {ScopeLevel.DEPARTMENT: ScopeLevel.COUNTY}.get(scope.level, scope.level)
    if scope.is_all:
        own_level = ScopeLevel.COUNTY
    level = level or own_level
    if level not in {ScopeLevel.COUNTY, ScopeLevel.TOWN, ScopeLevel.COMMUNITY}:
        raise ValueError(_("Unknown scope: use county, town or community."))
    if pk in (None, ""):
        pk = {
            ScopeLevel.COUNTY: scope.county_id,
            ScopeLevel.TOWN: scope.town_id,
            ScopeLevel.COMMUNITY: scope.community_id,
        }[level]
        if pk is None and scope.is_all:
            first = {ScopeLevel.COUNTY: County, ScopeLevel.TOWN: Town, ScopeLevel.COMMUNITY: Community}[level]
            pk = first.objects.order_by("pk").values_list("pk", flat=True).first()
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValueError(_("Give the id of the county, town or community."))
    model = {ScopeLevel.COUNTY: County, ScopeLevel.TOWN: Town, ScopeLevel.COMMUNITY: Community}[level]
    queryset = model.objects.select_related(
        *{ScopeLevel.TOWN: ["county"], ScopeLevel.COMMUNITY: ["town__county"]}.get(level, [])
    )
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValueError(_("There is no such county, town or community."))
    county_id = {
        ScopeLevel.COUNTY: lambda o: o.pk,
        ScopeLevel.TOWN: lambda o: o.county_id,
        ScopeLevel.COMMUNITY: lambda o: o.town.county_id,
    }[level](obj)
    town_id = {ScopeLevel.TOWN: lambda o: o.pk, ScopeLevel.COMMUNITY: lambda o: o.town_id}.get(level, lambda o: None)(
        obj
    )
    allowed = (
        scope.is_all
        or (scope.level in (ScopeLevel.COUNTY, ScopeLevel.DEPARTMENT) and county_id == scope.county_id)
        or (scope.level == ScopeLevel.TOWN and town_id == scope.town_id)
        or (scope.level == ScopeLevel.COMMUNITY and level == ScopeLevel.COMMUNITY and obj.pk == scope.community_id)
    )
    if not allowed:
        raise PermissionDenied(_("This dashboard lies outside your scope."))
    return Target(level, obj)


INDENT = "\u3000"  # an ideographic space: a community under its town in a list of links


def unit_choices(*, scope: Scope | None, unit: tuple[str, int] | None) -> list[tuple[str, str]]:
    """The units a list's unit filter offers (``[("town-3", "城关镇"), …]``): one level of the county → town →
    community tree at a time, only what ``scope`` reaches, in one query.

    With nothing chosen: the towns (the counties, for a scope over several) when the reachable communities
    lie in more than one, else the communities; one community offers nothing.  With a county chosen: it and
    its towns; with a town: it and its communities; with a community: its town and the town's communities.
    A unit outside the scope is offered as nothing, not named.
    """
    if scope is None:
        return []
    rows = list(
        Community.objects.for_scope(scope)
        .order_by("town__county__code", "town__code", "code")
        .values_list("pk", "name", "town_id", "town__name", "town__county_id", "town__county__name")
    )
    counties = {row[4]: row[5] for row in rows}
    towns = {row[2]: (row[3], row[4]) for row in rows}
    by_community = {row[0]: row for row in rows}

    def communities_of(town_id):
        return [(f"community-{pk}", f"{INDENT}{name}") for pk, name, town, *_rest in rows if town == town_id]

    def towns_of(county_id):
        return [(f"town-{pk}", name) for pk, (name, county) in towns.items() if county == county_id]

    level, pk = unit if unit else (None, None)
    if level == ScopeLevel.COMMUNITY and pk in by_community:
        town_id = by_community[pk][2]
        return [(f"town-{town_id}", towns[town_id][0]), *communities_of(town_id)]
    if level == ScopeLevel.TOWN and pk in towns:
        return [(f"town-{pk}", towns[pk][0]), *communities_of(pk)]
    if level == ScopeLevel.COUNTY and pk in counties:
        return [(f"county-{pk}", counties[pk]), *towns_of(pk)]
    if len(counties) > 1:
        return [(f"county-{pk}", name) for pk, name in counties.items()]
    if len(towns) > 1:
        return towns_of(next(iter(counties)))
    if len(rows) > 1:
        return [(f"community-{pk}", name) for pk, name, *_rest in rows]
    return []


def dashboard_children(*, target):
    """The units one level down, for drill-down links."""

    if target.level == ScopeLevel.COUNTY:
        return [("town", t) for t in target.obj.towns.order_by("code")]
    if target.level == ScopeLevel.TOWN:
        return [("community", c) for c in target.obj.communities.order_by("code")]
    return []


def dashboard_breadcrumbs(*, target):

    if target.level == ScopeLevel.COMMUNITY:
        return [("county", target.obj.town.county), ("town", target.obj.town)]
    if target.level == ScopeLevel.TOWN:
        return [("county", target.obj.county)]
    return []
