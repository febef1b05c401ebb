"""Personal data (issue 8, item 2): the access log's admin is read-only and scoped, its retention
purge never deletes a row younger than six months, and a resident can be anonymised on request
while the statistics that count them stay the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from community import actions, selectors
from community.choices import Relation, Role, ScopeLevel
from community.idnumbers import make_id_number
from community.models import PersonalDataAccess, Resident
from community.scoping import scope_of
from tests import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


def log_row(user, age: dt.timedelta, object_id="1"):
    row = actions.personal_data_log(
        by=user, kind=PersonalDataAccess.Kind.REVEAL, model="community.Resident", fields="id_number", reason=str(age)
    )
    PersonalDataAccess.objects.filter(pk=row.pk).update(at=timezone.now() - age, object_id=object_id)
    return row.pk


# --- retention -----------------------------------------------------------------------------------


def test_purge_never_deletes_rows_younger_than_six_months(staff_a, settings):
    ages = {
        "today": dt.timedelta(0),
        "five months": dt.timedelta(days=150),
        "six months less a minute": dt.timedelta(days=184) - dt.timedelta(minutes=1),
        "seven months": dt.timedelta(days=213),
        "two years": dt.timedelta(days=730),
    }
    rows = {name: log_row(staff_a, age) for name, age in ages.items()}

    # whatever a caller or a setting asks, six months stay
    settings.PERSONAL_DATA_LOG_RETENTION_DAYS = 1
    assert actions.personal_data_log_purge(older_than=dt.timedelta(0)) == 2
    assert actions.personal_data_log_purge() == 0
    left = set(PersonalDataAccess.objects.values_list("pk", flat=True))
    assert left == {rows["today"], rows["five months"], rows["six months less a minute"]}


def test_purge_keeps_a_year_by_default_and_deletes_in_batches(staff_a, settings):
    assert settings.PERSONAL_DATA_LOG_RETENTION_DAYS == 365  # the default when the environment sets nothing
    young = [log_row(staff_a, dt.timedelta(days=300 + n)) for n in range(3)]
    for n in range(5):
        log_row(staff_a, dt.timedelta(days=400 + n))
    assert actions.personal_data_log_purge(batch_size=2) == 5
    assert sorted(PersonalDataAccess.objects.values_list("pk", flat=True)) == sorted(young)


def test_purge_runs_daily_from_the_beat_schedule(staff_a):
    """The declared schedule, synced as migrate does (a transactional test elsewhere may have flushed it)."""
    from django_celery_beat.models import PeriodicTask

    from community.tasks import personal_data_log_purge_task
    from utilities import schedules

    schedules.sync()
    job = PeriodicTask.objects.get(task="community.tasks.personal_data_log_purge_task")
    assert job.enabled and job.crontab.hour == "2" and job.crontab.day_of_month == "*"
    kept = log_row(staff_a, dt.timedelta(days=10))
    log_row(staff_a, dt.timedelta(days=800))
    assert personal_data_log_purge_task.apply().get() == 1
    assert list(PersonalDataAccess.objects.values_list("pk", flat=True)) == [kept]


# --- the access-log admin ------------------------------------------------------------------------


def test_access_log_admin_is_read_only_for_everyone(client, staff_a):
    root = User.objects.create_superuser("root_log", password="Admin#Pass2026")
    pk = log_row(staff_a, dt.timedelta(days=1))
    client.force_login(root)
    changelist = client.get(reverse("admin:community_personaldataaccess_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None, "no actions at all, so no bulk delete"
    change_url = reverse("admin:community_personaldataaccess_change", args=[pk])
    view = client.get(change_url)
    assert view.status_code == 200 and not view.context["has_change_permission"]
    assert client.post(change_url, {"reason": "edited", "rows": "9"}).status_code == 403
    assert (
        client.post(reverse("admin:community_personaldataaccess_delete", args=[pk]), {"post": "yes"}).status_code == 403
    )
    assert client.post(
        reverse("admin:community_personaldataaccess_changelist"),
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    ).status_code in (200, 302)
    assert client.get(reverse("admin:community_personaldataaccess_add")).status_code == 403
    row = PersonalDataAccess.objects.get(pk=pk)
    assert row.reason != "edited" and row.rows == 1


def test_access_log_admin_shows_a_cadre_only_their_towns_accesses(client, town, staff_a, count_queries):
    other_town = f.TownFactory(county=town.county)
    staff_elsewhere = f.staff_of(f.CommunityFactory(town=other_town))
    cadre = f.town_cadre_of(town)
    mine = log_row(staff_a, dt.timedelta(hours=1))
    theirs = log_row(staff_elsewhere, dt.timedelta(hours=1))
    client.force_login(cadre)
    url = reverse("admin:community_personaldataaccess_changelist")
    client.get(url)
    with count_queries() as few:
        response = client.get(url)
    assert [r.pk for r in response.context["cl"].result_list] == [mine]
    assert theirs not in {r.pk for r in response.context["cl"].result_list}
    for _ in range(6):
        log_row(f.staff_of(staff_a.community), dt.timedelta(hours=2))
    with count_queries() as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 7
    from tests.conftest import assert_flat

    assert_flat(few, many)


# --- anonymisation on request --------------------------------------------------------------------


def five_year_band(birth: dt.date, on: dt.date) -> int:
    return (on.year - birth.year) // 5


@pytest.fixture
def family(community_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    people = []
    for n, (born, male, flags) in enumerate(
        [
            (dt.date(1948, 12, 30), True, {"elderly_alone": True}),
            (dt.date(1979, 3, 14), False, {"low_income": True}),
            (dt.date(2012, 8, 2), True, {}),
        ]
    ):
        people.append(
            f.ResidentFactory(
                household=household,
                name=["张国强", "李秀英", "张小明"][n],
                id_number=make_id_number(region="330122", birth_date=born, sequence=40 + n, male=male),
                phone=f"1391234560{n}",
                relation=[Relation.HEAD, Relation.SPOUSE, Relation.CHILD][n],
                **flags,
            )
        )
    return people


def statistics(user):
    rows = selectors.community_rows(scope=scope_of(user))
    residents = Resident.objects.for_user(user)
    today = timezone.localdate()
    return {
        "rows": [(r.households, r.residents, r.vulnerable_households, r.vulnerable_residents) for r in rows],
        "by_sex": sorted(residents.values_list("gender", flat=True)),
        "bands": sorted(five_year_band(b, today) for b in residents.values_list("birth_date", flat=True)),
        "birth_years": sorted(residents.values_list("birth_date__year", flat=True)),
        "per_household": sorted(residents.values_list("household_id", flat=True)),
        "vulnerable": residents.vulnerable().count(),
    }


def test_anonymising_erases_identity_and_keeps_the_statistics(staff_a, family):
    before = statistics(staff_a)
    head = family[0]
    old = {"name": head.name, "id": head.id_number, "phone": head.phone, "birth": head.birth_date}
    actions.resident_anonymise(by=staff_a, resident_id=head.pk, reason="本人书面申请")

    head.refresh_from_db()
    assert head.anonymised and head.name not in ("", old["name"])
    assert head.id_number.startswith("ANON") and old["id"][6:14] not in head.id_number
    assert head.phone == "" and head.name_pinyin == "" and head.name_initials == ""
    assert head.birth_date != old["birth"] and head.birth_date.year == old["birth"].year
    assert statistics(staff_a) == before

    # no trace in the history either
    for row in head.history.all():
        assert (row.name, row.id_number, row.phone) == (head.name, head.id_number, "")
        assert row.birth_date == head.birth_date
    assert not Resident.history.filter(id_number=old["id"]).exists()
    assert not Resident.objects.filter(name=old["name"]).exists()
    log = PersonalDataAccess.objects.get(object_id=str(head.pk))
    assert log.user == staff_a and log.reason == "本人书面申请" and log.fields == "anonymised"


def test_anonymise_refuses_twice_without_reason_and_out_of_scope(staff_a, staff_b, family):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        actions.resident_anonymise(by=staff_a, resident_id=family[1].pk, reason="  ")
    with pytest.raises(PermissionDenied):
        actions.resident_anonymise(by=staff_b, resident_id=family[1].pk, reason="申请")
    actions.resident_anonymise(by=staff_a, resident_id=family[1].pk, reason="申请")
    with pytest.raises(ValidationError):
        actions.resident_anonymise(by=staff_a, resident_id=family[1].pk, reason="申请")
    family[1].refresh_from_db()
    assert family[1].anonymised and PersonalDataAccess.objects.filter(fields="anonymised").count() == 1


def test_admin_action_anonymises_and_the_record_stays_anonymous(client, staff_a, family):
    client.force_login(staff_a)
    changelist = reverse("admin:community_resident_changelist")
    response = client.post(
        changelist, {"action": "anonymise", "_selected_action": [family[0].pk, family[2].pk]}, follow=True
    )
    assert response.status_code == 200
    assert "2 residents anonymised" in response.content.decode()
    assert set(Resident.objects.filter(anonymised=True).values_list("pk", flat=True)) == {family[0].pk, family[2].pk}

    # again: refused with a message, not a 500
    response = client.post(changelist, {"action": "anonymise", "_selected_action": [family[0].pk]}, follow=True)
    assert response.status_code == 200 and "already been anonymised" in response.content.decode()

    # the change form can still record a move-out, but cannot write a name, ID or phone back
    from tests.security.test_accounts import change_form_data

    url = reverse("admin:community_resident_change", args=[family[0].pk])
    data = change_form_data(client.get(url))
    assert "name" not in data and "id_number" not in data and "phone" not in data
    data.update(name="张国强", id_number=family[1].id_number, phone="13912345600", moved_out="2026-01-05")
    for key in [k for k in data if k.startswith("residences-") or k.startswith("Residence")]:
        data.pop(key)
    data.update({"residences-TOTAL_FORMS": "0", "residences-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    family[0].refresh_from_db()
    assert family[0].anonymised and family[0].name != "张国强" and family[0].phone == ""
    assert family[0].id_number.startswith("ANON") and str(family[0].moved_out) == "2026-01-05"


def test_party_worker_cannot_anonymise(client, community_a, family):
    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    client.force_login(worker)
    client.post(
        reverse("admin:community_resident_changelist"), {"action": "anonymise", "_selected_action": [family[0].pk]}
    )
    family[0].refresh_from_db()
    assert not family[0].anonymised
