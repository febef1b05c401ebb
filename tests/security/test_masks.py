"""Issue 16, items 1 and 2: masks that cannot be combined, and no admin lookup on a masked field.

The attacks first: a town cadre rebuilt full ID numbers from the mask (first 6 + last 4) and the birth date
beside it (the 8 hidden digits); a party worker recovered a phone with ``?phone__startswith=`` in 15 requests.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from stdnum.cn import ric

from community.choices import Role, ScopeLevel
from community.idnumbers import make_id_number
from community.masking import masked_fields
from community.models import PersonalDataAccess
from tests import factories as f

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1980, 5, 17)
ID_NUMBER = make_id_number(region="110105", birth_date=BIRTH, sequence=321, male=True)
PHONE = "13424241234"


@pytest.fixture
def resident(community_a):
    return f.ResidentFactory(
        household=f.HouseholdFactory(building=f.BuildingFactory(zone=f.ZoneFactory(community=community_a))),
        id_number=ID_NUMBER,
        phone=PHONE,
    )


def _roles_without_reveal(community):
    return {
        "town cadre": f.town_cadre_of(community.town),
        "county official": f.official_of(community.town.county),
        "party worker": f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community),
    }


def candidates(masked_id: str, birth_year: int | None, birth_date: str | None, gender: str) -> list[str]:
    """Every valid ID number that agrees with what a role sees: the attacker's search space."""
    prefix, suffix = masked_id[:6], masked_id[-4:]
    if birth_date:
        days = [dt.date.fromisoformat(birth_date)]
    else:
        start = dt.date(birth_year, 1, 1)
        days = [start + dt.timedelta(n) for n in range(366) if (start + dt.timedelta(n)).year == birth_year]
    found = []
    for day in days:
        number = f"{prefix}{day:%Y%m%d}{suffix}"
        if ric.is_valid(number) and ("M" if int(number[16]) % 2 else "F") == gender:
            found.append(number)
    return found


def hidden_forms(day: dt.date) -> list[str]:
    return [
        f"{day:%Y%m%d}",
        day.isoformat(),
        f"{day:%B} {day.day}, {day.year}",
        f"{day.year}年{day.month}月{day.day}日",
    ]


def test_a_role_without_reveal_cannot_rebuild_an_id_number_from_the_api(client, resident, community_a):
    for role, user in _roles_without_reveal(community_a).items():
        client.force_login(user)
        rows = client.get(reverse("resident-list")).json()["results"]
        row = next(r for r in rows if r["id"] == resident.pk)
        assert row["masked_id_number"] == "110105********" + ID_NUMBER[-4:]
        assert row["birth_date"] is None, role
        assert row["birth_year"] == 1980
        detail = client.get(reverse("resident-detail", args=[resident.pk]))
        for text in hidden_forms(BIRTH) + [ID_NUMBER, PHONE]:
            assert text not in detail.content.decode(), (role, text)
        found = candidates(row["masked_id_number"], row["birth_year"], row["birth_date"], row["gender"])
        assert ID_NUMBER in found and len(found) >= 10, (role, len(found))


def test_the_birth_date_filter_and_ordering_cannot_bisect_the_hidden_digits(client, resident, community_a):
    other = f.ResidentFactory(
        household=resident.household,
        id_number=make_id_number(region="110105", birth_date=dt.date(1980, 1, 3), sequence=5, male=True),
    )
    for role, user in _roles_without_reveal(community_a).items():
        client.force_login(user)
        url = reverse("resident-list")
        after = {r["id"] for r in client.get(url, {"born_after": "1980-05-17"}).json()["results"]}
        before = {r["id"] for r in client.get(url, {"born_before": "1980-05-16"}).json()["results"]}
        assert {resident.pk, other.pk} <= after and {resident.pk, other.pk} <= before, role  # by year only
        by_birth = client.get(url, {"ordering": "birth_date"}).json()["results"]
        by_id = client.get(url).json()["results"]
        assert [r["id"] for r in by_birth] == [r["id"] for r in by_id], role  # the sort key is ignored
        # a whole guessed ID number or phone is no search key: no oracle to confirm a guess
        assert client.get(url, {"q": ID_NUMBER}).json()["results"] == []
        assert client.get(url, {"q": PHONE}).json()["results"] == []


def test_a_role_with_reveal_still_sees_and_filters_birth_dates(client, resident, staff_a):
    client.force_login(staff_a)
    row = client.get(reverse("resident-detail", args=[resident.pk])).json()
    assert row["birth_date"] == "1980-05-17" and row["birth_year"] == 1980
    url = reverse("resident-list")
    assert resident.pk not in {r["id"] for r in client.get(url, {"born_after": "1980-05-18"}).json()["results"]}
    assert [r["id"] for r in client.get(url, {"q": ID_NUMBER}).json()["results"]] == [resident.pk]


def test_a_role_without_reveal_cannot_rebuild_an_id_number_from_the_admin(client, resident, community_a):
    for role, user in _roles_without_reveal(community_a).items():
        client.force_login(user)
        pages = [
            client.get(reverse("admin:community_resident_changelist")),
            client.get(reverse("admin:community_resident_change", args=[resident.pk])),
        ]
        for page in pages:
            assert page.status_code == 200, role
            html = page.content.decode()
            assert "110105********" + ID_NUMBER[-4:] in html
            for text in hidden_forms(BIRTH) + [ID_NUMBER, PHONE]:
                assert text not in html, (role, text)
            assert "1980" in html  # the year stays: ages are counted from it


def test_the_admin_shows_a_revealing_role_the_birth_date(client, resident, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("admin:community_resident_change", args=[resident.pk])).content.decode()
    assert ID_NUMBER in html and "May 17, 1980" in html


# --- item 2: no admin lookup, search or ordering on a masked field -------------------------------------------


def _masked_admins():
    """Every registered admin whose model (or a model one relation away) has masked fields."""
    found = []
    for model, model_admin in admin.site._registry.items():
        fields = sorted(masked_fields(model))
        if fields:
            found.append((model, model_admin, fields))
    return found


MASKED_ADMINS = _masked_admins()


def test_the_generated_list_covers_the_known_masked_models():
    labels = {m._meta.label for m, _a, _f in MASKED_ADMINS}
    assert {"community.Resident", "community.Household", "staffing.Applicant", "staffing.StaffMember"} <= labels
    assert {"services.ServiceRequest", "governance.MediationCase"} <= labels


@pytest.mark.parametrize(
    ("model", "model_admin", "fields"), MASKED_ADMINS, ids=[m._meta.label for m, _a, _f in MASKED_ADMINS]
)
def test_every_masked_field_refuses_filters_search_and_ordering_without_reveal(
    rf, model, model_admin, fields, community_a
):
    user = f.town_cadre_of(community_a.town)
    request = rf.get("/")
    request.user = user
    for name in fields:
        for lookup in (name, f"{name}__startswith", f"{name}__gte", f"{name}__contains"):
            before = PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.REFUSED).count()
            assert model_admin.lookup_allowed(lookup, "1342423", request) is False, lookup
            assert PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.REFUSED).count() == before + 1
        searchable = [s.lstrip("^=@") for s in model_admin.get_search_fields(request)]
        assert name not in searchable
        for column in model_admin.get_list_display(request):
            assert column not in fields, column  # shown masked, by a column that sorts on nothing
            order = (
                getattr(getattr(model_admin, column, None), "admin_order_field", "") if isinstance(column, str) else ""
            )
            assert str(order).lstrip("-") not in fields
        for entry in model_admin.get_list_filter(request):
            assert entry not in fields


def test_the_phone_prefix_attack_is_refused_and_logged(client, resident, community_a):
    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    client.force_login(worker)
    url = reverse("admin:community_resident_changelist")
    for attack in (
        {"phone__startswith": "1342424"},
        {"id_number__startswith": "110105198005"},
        {"household__phone__startswith": "138"},
        {"birth_date__gte": "1980-05-17"},
    ):
        response = client.get(url, attack)
        assert response.status_code == 400, attack
        assert resident.name not in response.content.decode()
    refused = PersonalDataAccess.objects.filter(user=worker, kind=PersonalDataAccess.Kind.REFUSED)
    assert refused.count() == 4
    assert set(refused.values_list("fields", flat=True)) == {
        "community.Resident.phone",
        "community.Resident.id_number",
        "community.Household.phone",
        "community.Resident.birth_date",
    }


def test_search_and_ordering_on_masked_fields_find_nothing_and_are_logged(client, resident, community_a):
    cadre = f.town_cadre_of(community_a.town)
    client.force_login(cadre)
    url = reverse("admin:community_resident_changelist")
    for term in (PHONE, ID_NUMBER):
        html = client.get(url, {"q": term}).content.decode()
        assert f'href="/admin/community/resident/{resident.pk}/change/' not in html
    assert PersonalDataAccess.objects.filter(user=cadre, kind=PersonalDataAccess.Kind.REFUSED).count() == 2
    # ?o=3 was the birth-date column: it no longer sorts (no header link, no ORDER BY birth_date)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"o": "3"}).status_code == 200
    assert not any(re.search(r'ORDER BY [^;]*"birth_date"', q["sql"]) for q in queries.captured_queries)


def test_a_revealing_role_keeps_filters_and_search(client, resident, staff_a):
    client.force_login(staff_a)
    url = reverse("admin:community_resident_changelist")
    assert resident.name in client.get(url, {"phone__startswith": "1342424"}).content.decode()
    assert resident.name in client.get(url, {"q": ID_NUMBER}).content.decode()
    assert not PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.REFUSED).exists()
