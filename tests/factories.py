"""Factories of the core, and the registry that the generated tests use.

``SCOPED_FACTORIES[model_label](community) -> obj`` makes one row of a community-owned model
inside ``community``.  Every model that declares ``community_path`` must register one here or in
``tests/<app>/factories.py`` — the isolation matrix fails for a model that did not.
"""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.contrib.auth.models import Group

from community.choices import DepartmentCode, Role, ScopeLevel, UnitKind
from community.idnumbers import make_id_number
from community.models import (
    Building,
    Community,
    County,
    Department,
    Household,
    Residence,
    Resident,
    ResidentUnit,
    Town,
    User,
    Zone,
)

SCOPED_FACTORIES: dict = {}
_ids = itertools.count(1)


def scoped_factory(model):
    def register(fn):
        SCOPED_FACTORIES[model._meta.label] = fn
        return fn

    return register


def next_id_number(male: bool = True, birth: dt.date | None = None) -> str:
    n = next(_ids)
    birth = birth or dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 20000)
    return make_id_number(region="110105", birth_date=birth, sequence=n, male=male)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"测试县{n}")
    code = factory.Sequence(lambda n: f"{330000 + n}")


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"城关镇{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"幸福社区{n}")
    code = factory.Sequence(lambda n: f"C{n:06d}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}片区")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")
    floors = 6


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: f"1-{n:04d}")
    phone = "13800138000"


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    id_number = factory.LazyFunction(next_id_number)
    phone = "13912345678"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["county", "code"]

    county = factory.SubFactory(CountyFactory)
    code = DepartmentCode.CIVIL_AFFAIRS
    name = factory.LazyAttribute(lambda o: DepartmentCode(o.code).label)


class ResidentUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentUnit

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"驻区单位{n}")
    kind = UnitKind.SCHOOL


def make_user(*, role: str, scope_level: str = "", community=None, town=None, county=None, department=None, **extra):
    if community is not None:
        town = town or community.town
    if town is not None:
        county = county or town.county
    if department is not None:
        county = county or department.county
    n = next(_ids)
    user = User.objects.create_user(
        username=extra.pop("username", f"{role}{n}"),
        password=extra.pop("password", "Passw0rd!x"),
        is_staff=True,
        scope_level=scope_level,
        community=community,
        town=town,
        county=county,
        department=department,
        **extra,
    )
    group, created = Group.objects.get_or_create(name=role)
    if created or not group.permissions.exists():  # a transactional test flushed the migration's rows
        from django.apps import apps

        from community.roles import sync_role_permissions

        sync_role_permissions(apps.get_app_configs())
    user.groups.add(group)
    return user


def staff_of(community, **extra):
    return make_user(role=Role.COMMUNITY_STAFF, scope_level=ScopeLevel.COMMUNITY, community=community, **extra)


def official_of(county, **extra):
    return make_user(role=Role.COUNTY_OFFICIAL, scope_level=ScopeLevel.COUNTY, county=county, **extra)


def town_cadre_of(town, **extra):
    return make_user(role=Role.TOWN_CADRE, scope_level=ScopeLevel.TOWN, town=town, **extra)


# --- the registry of community-owned rows --------------------------------------------------


def _zone(community):
    return ZoneFactory(community=community)


def _building(community):
    return BuildingFactory(zone=_zone(community))


def _household(community):
    return HouseholdFactory(building=_building(community))


def _resident(community):
    return ResidentFactory(household=_household(community))


SCOPED_FACTORIES.update(
    {
        "community.Community": lambda community: community,
        "community.Zone": _zone,
        "community.Building": _building,
        "community.Household": _household,
        "community.Resident": _resident,
        "community.ResidentUnit": lambda community: ResidentUnitFactory(community=community),
        "community.Residence": lambda community: Residence.objects.create(
            resident=_resident(community),
            household=HouseholdFactory(building=BuildingFactory(zone=ZoneFactory(community=community))),
            residence_type="registered",
            start=dt.date(2020, 1, 1),
            end=dt.date(2021, 1, 1),
        ),
    }
)
