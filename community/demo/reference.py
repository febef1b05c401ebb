"""The reference scenario of DOMAIN.md, core part: the county, its town, five communities and their people.

Idempotent: every row is found by its natural key before it is made, so loading twice leaves the
same data.  Each app adds its own figures in ``<app>/reference.py`` (``load(ctx)``), called in
``settings.LOCAL_APPS`` order by ``seed_reference``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from ..choices import DepartmentCode, Relation, ResidenceType, Role, ScopeLevel, UnitKind
from ..idnumbers import make_id_number
from ..models import (
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

DEMO_PASSWORD = "Demo@2026shequ"
COUNTY = ("示范县", "330999")
TOWN = ("城关镇", "330999100")
COMMUNITIES = [
    ("东风社区", "330999100001", "东风路18号"),
    ("西湖社区", "330999100002", "西湖街6号"),
    ("新华社区", "330999100003", "新华路99号"),
    ("人民社区", "330999100004", "人民路1号"),
    ("解放社区", "330999100005", "解放街12号"),
]
DEPARTMENTS = {
    DepartmentCode.CIVIL_AFFAIRS: ("县民政局", "社区自治组织建设，指导社区服务，总结推广经验，搞好协调"),
    DepartmentCode.ORGANISATION: ("县委组织部", "基层党组织建设，党群共建文明社区"),
    DepartmentCode.FINANCE: ("县财政局", "经费预算和资金投放"),
    DepartmentCode.URBAN_CONSTRUCTION: ("县城建局", "社区办公用房和基础设施建设规划"),
    DepartmentCode.PUBLIC_SECURITY: ("县公安局", "维护社区治安"),
    DepartmentCode.JUSTICE: ("县司法局", "法律宣传、咨询、调解、援助服务"),
    DepartmentCode.EDUCATION: ("县教育科技局", "科教进社区"),
    DepartmentCode.CULTURE_SPORTS: ("县文化体育局", "文体进社区"),
    DepartmentCode.HEALTH: ("县卫生局", "卫生进社区"),
    DepartmentCode.MARKET: ("县工商局", "工商进社区"),
    DepartmentCode.TRAFFIC: ("县交警大队", "交通安全进社区"),
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌鹏宇浩凯秀兰志勇海燕春梅晓东丹丹俊峰雪梅建华"
)
ZONES_PER_COMMUNITY = 2
BUILDINGS_PER_ZONE = 3
HOUSEHOLDS_PER_BUILDING = 10


@dataclass
class Context:
    county: County
    town: Town
    communities: list[Community]
    departments: dict[str, Department]
    users: dict[str, User] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    out: object = None

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


@transaction.atomic
def load_core(out=None) -> Context:
    county, _ = County.objects.get_or_create(code=COUNTY[1], defaults={"name": COUNTY[0]})
    town, _ = Town.objects.get_or_create(code=TOWN[1], defaults={"name": TOWN[0], "county": county})
    departments = {}
    for code, (name, duties) in DEPARTMENTS.items():
        departments[code], _ = Department.objects.get_or_create(
            county=county, code=code, defaults={"name": name, "duties": duties}
        )
    communities = []
    rng = random.Random(20261127)
    for index, (name, code, address) in enumerate(COMMUNITIES):
        community, _ = Community.objects.get_or_create(
            code=code, defaults={"name": name, "town": town, "address": address, "established": dt.date(2002, 6, 1)}
        )
        communities.append(community)
        _load_people(community, index, rng)
        ResidentUnit.objects.get_or_create(
            community=community,
            name=f"{name[:2]}小学",
            defaults={
                "kind": UnitKind.SCHOOL,
                "member_since": dt.date(2003, 9, 1),
                "contact_name": "校办",
                "duties": "向居民开放操场和图书室，参与社区共建",
            },
        )
        ResidentUnit.objects.get_or_create(
            community=community,
            name=f"{name[:2]}卫生院",
            defaults={
                "kind": UnitKind.HOSPITAL,
                "member_since": dt.date(2003, 9, 1),
                "contact_name": "院办",
                "duties": "健康讲座，义诊，向居民开放康复室",
            },
        )
    return Context(county=county, town=town, communities=communities, departments=departments, out=out)


def _load_people(community: Community, index: int, rng: random.Random) -> None:
    if Household.objects.filter(building__zone__community=community).exists():
        return
    region = "330122"  # a real area code (python-stdnum checks it); the demo county is fictional
    sequence = index * 10_000
    for z in range(1, ZONES_PER_COMMUNITY + 1):
        zone = Zone.objects.create(community=community, name=f"第{z}网格")
        for b in range(1, BUILDINGS_PER_ZONE + 1):
            building = Building.objects.create(zone=zone, name=f"{(z - 1) * BUILDINGS_PER_ZONE + b}号楼", floors=6)
            households = Household.objects.bulk_create(
                Household(building=building, number=f"{1 + h // 4}-{(h % 4) + 1}0{1 + h % 2}", phone="")
                for h in range(HOUSEHOLDS_PER_BUILDING)
            )
            residents = []
            for household in households:
                size = rng.choice([1, 2, 2, 3, 3, 4])
                surname = rng.choice(SURNAMES)
                for member in range(size):
                    sequence += 1
                    if member == 0:
                        birth = dt.date(rng.randint(1940, 1985), rng.randint(1, 12), rng.randint(1, 28))
                    else:
                        birth = dt.date(rng.randint(1945, 2018), rng.randint(1, 12), rng.randint(1, 28))
                    male = rng.random() < 0.5
                    id_number = make_id_number(region=region, birth_date=birth, sequence=sequence, male=male)
                    relation = (
                        Relation.HEAD if member == 0 else rng.choice([Relation.SPOUSE, Relation.CHILD, Relation.PARENT])
                    )
                    age = 2026 - birth.year
                    residents.append(
                        Resident(
                            household=household,
                            name=surname + _name(rng)[1:],
                            id_number=id_number,
                            gender="M" if male else "F",
                            birth_date=birth,
                            phone=f"13{rng.randint(100000000, 999999999)}" if member == 0 else "",
                            relation=relation,
                            residence_type=rng.choice(
                                [ResidenceType.REGISTERED] * 6 + [ResidenceType.PERMANENT] * 2 + [ResidenceType.RENTING]
                            ),
                            moved_in=dt.date(rng.randint(1995, 2024), rng.randint(1, 12), 1),
                            elderly_alone=size == 1 and age >= 70,
                            low_income=rng.random() < 0.04,
                            disabled=rng.random() < 0.03,
                            special_care=rng.random() < 0.01,
                        )
                    )
            for resident in residents:
                resident.set_derived_name_fields()
            Resident.objects.bulk_create(residents)
            Residence.objects.bulk_create(
                Residence(resident=r, household=r.household, residence_type=r.residence_type, start=r.moved_in)
                for r in residents
            )


def load_demo_users(ctx: Context) -> None:
    """One demo user per role; the caller refuses this when DEBUG is off."""

    def user(username, role, label, **scope):
        account, created = User.objects.get_or_create(
            username=username, defaults={"first_name": label, "is_staff": True, **scope}
        )
        if created or not account.check_password(DEMO_PASSWORD):
            account.set_password(DEMO_PASSWORD)
            account.save()
        account.groups.set([Group.objects.get(name=role)])
        ctx.users[username] = account
        ctx.passwords[username] = DEMO_PASSWORD
        return account

    admin, created = User.objects.get_or_create(
        username="demo_admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "演示管理员"}
    )
    if created or not admin.check_password(DEMO_PASSWORD):
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    ctx.users["demo_admin"] = admin
    ctx.passwords["demo_admin"] = DEMO_PASSWORD
    user("demo_county", Role.COUNTY_OFFICIAL, "县民政局", scope_level=ScopeLevel.COUNTY, county=ctx.county)
    user("demo_town", Role.TOWN_CADRE, "城关镇干部", scope_level=ScopeLevel.TOWN, county=ctx.county, town=ctx.town)
    first = ctx.communities[0]
    user(
        "demo_staff",
        Role.COMMUNITY_STAFF,
        f"{first.name}工作人员",
        scope_level=ScopeLevel.COMMUNITY,
        county=ctx.county,
        town=ctx.town,
        community=first,
    )
    second = ctx.communities[1]
    user(
        "demo_staff_b",
        Role.COMMUNITY_STAFF,
        f"{second.name}工作人员",
        scope_level=ScopeLevel.COMMUNITY,
        county=ctx.county,
        town=ctx.town,
        community=second,
    )
    user(
        "demo_department",
        Role.DEPARTMENT_LIAISON,
        "民政局联络员",
        scope_level=ScopeLevel.DEPARTMENT,
        county=ctx.county,
        department=ctx.departments[DepartmentCode.CIVIL_AFFAIRS],
    )
    user(
        "demo_party",
        Role.PARTY_WORKER,
        "党建工作者",
        scope_level=ScopeLevel.COMMUNITY,
        county=ctx.county,
        town=ctx.town,
        community=first,
    )
    user(
        "demo_bookkeeper",
        Role.BOOKKEEPER,
        "社区报账员",
        scope_level=ScopeLevel.COMMUNITY,
        county=ctx.county,
        town=ctx.town,
        community=first,
    )
