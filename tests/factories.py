"""Factories of the core, and the registry that the generated tests use.

``SCOPED_FACTORIES[model_label](community) -> obj`` makes one row of a community-owned model
inside ``community``.  Every model that declares ``community_path`` must register one here or in
``tests/<app>/factories.py`` — the isolation matrix fails for a model that did not.

``PLACED_FACTORIES[model_label](community, department) -> obj`` makes one row of any model the role
matrix reaches, placed by ``community``: a town's row (a campaign) in its town, a county's row (a pay
scale) in its county, a department's row (an activity) in the community for ``department`` (None: the
factory's own choice).  :func:`make_placed` falls back on ``SCOPED_FACTORIES`` for the rest.
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
    PersonalDataAccess,
    Residence,
    Resident,
    ResidentUnit,
    Town,
    User,
    Zone,
)

SCOPED_FACTORIES: dict = {}
PLACED_FACTORIES: dict = {}
_ids = itertools.count(1)


def scoped_factory(model):
    def register(fn):
        SCOPED_FACTORIES[model._meta.label] = fn
        return fn

    return register


def placed_factory(label: str):
    def register(fn):
        PLACED_FACTORIES[label] = fn
        return fn

    return register


def make_placed(model, community, department=None):
    """A row of ``model`` placed by ``community`` (and ``department``), from whichever registry has one."""
    label = model._meta.label
    if label in PLACED_FACTORIES:
        return PLACED_FACTORIES[label](community, department)
    if label in SCOPED_FACTORIES:
        return SCOPED_FACTORIES[label](community)
    raise LookupError(f"{label}: register a factory in PLACED_FACTORIES or SCOPED_FACTORIES (tests/**/factories.py)")


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
        "community.User": lambda community: staff_of(community, first_name="职员"),
        "community.PersonalDataAccess": lambda community: PersonalDataAccess.objects.create(
            user=staff_of(community), kind="reveal", model="community.Resident", object_id="1", fields="phone"
        ),
    }
)


# --- rows a town, the county or a department owns, county-wide data, and the admin's other models ---


def _department_user(community, department):
    if department is None:
        return staff_of(community)
    return make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=department)


def _data_export(community, department):
    from community.models import DataExport

    return DataExport.objects.create(user=staff_of(community), model="community.Resident")


def _token(community, department):
    from rest_framework.authtoken.models import TokenProxy

    return TokenProxy.objects.create(user=staff_of(community))


def _axes(model_name):
    def make(community, department):
        from django.apps import apps

        model = apps.get_model("axes", model_name)
        values = {"user_agent": "pytest", "ip_address": "10.0.0.1", "username": f"someone{next(_ids)}"}
        values["http_accept"] = "text/html"
        values["path_info"] = "/admin/login/"
        if model_name == "AccessAttempt":
            values.update(get_data="", post_data="", failures_since_start=1)
        return model.objects.create(**values)

    return make


def _beat(model_name):
    def make(community, department):
        from django_celery_beat import models as beat

        n = next(_ids)
        if model_name == "IntervalSchedule":
            return beat.IntervalSchedule.objects.create(every=n, period=beat.IntervalSchedule.MINUTES)
        if model_name == "CrontabSchedule":
            return beat.CrontabSchedule.objects.create(minute=str(n % 60), hour="3")
        if model_name == "SolarSchedule":
            return beat.SolarSchedule.objects.create(event="sunrise", latitude=30 + n % 10, longitude=120)
        if model_name == "ClockedSchedule":
            return beat.ClockedSchedule.objects.create(clocked_time=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        interval = beat.IntervalSchedule.objects.create(every=n, period=beat.IntervalSchedule.HOURS)
        return beat.PeriodicTask.objects.create(name=f"任务{n}", task="community.tasks.noop", interval=interval)

    return make


PLACED_FACTORIES.update(
    {
        "community.County": lambda community, department: community.town.county,
        "community.Town": lambda community, department: community.town,
        "community.Department": lambda community, department: (
            department or DepartmentFactory(county=community.town.county, code=DepartmentCode.JUSTICE)
        ),
        "community.User": lambda community, department: (
            _department_user(community, department) if department else staff_of(community, first_name="职员")
        ),
        "community.PersonalDataAccess": lambda community, department: PersonalDataAccess.objects.create(
            user=_department_user(community, department),
            kind="reveal",
            model="community.Resident",
            object_id="1",
            fields="phone",
        ),
        "community.DataExport": _data_export,
        "auth.Group": lambda community, department: Group.objects.create(name=f"小组{next(_ids)}"),
        "authtoken.TokenProxy": _token,
        **{f"axes.{name}": _axes(name) for name in ("AccessAttempt", "AccessLog", "AccessFailureLog")},
        **{
            f"django_celery_beat.{name}": _beat(name)
            for name in ("IntervalSchedule", "CrontabSchedule", "SolarSchedule", "ClockedSchedule", "PeriodicTask")
        },
    }
)
