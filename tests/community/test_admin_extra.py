"""Pinyin search (admin and API), the fields behind it, and the admin pages around import/export."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from community import actions
from community.models import Resident, name_pinyin
from tests import factories as f
from tests.conftest import assert_flat


@pytest.fixture
def household_a(community_a):
    return f.SCOPED_FACTORIES["community.Household"](community_a)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("曾小贤", "zengxiaoxian", "zxx"),  # a surname read differently from the everyday character
        ("单田芳", "shantianfang", "stf"),
        ("李A2", "lia2", "la2"),
        ("", "", ""),
    ],
)
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


@pytest.mark.django_db
def test_pinyin_fields_follow_the_name_and_are_cleared_on_anonymising(staff_a, household_a):
    resident = f.ResidentFactory(household=household_a, name="张三")
    assert (resident.name_pinyin, resident.name_initials) == ("zhangsan", "zs")
    resident.name = "王小明"
    resident.save(update_fields=["name"])
    resident.refresh_from_db()
    assert (resident.name_pinyin, resident.name_initials) == ("wangxiaoming", "wxm")
    actions.resident_anonymise(by=staff_a, resident_id=resident.pk, reason="本人申请")
    resident.refresh_from_db()
    assert (resident.name_pinyin, resident.name_initials) == ("", "")
    assert not Resident.objects.filter(name_initials="wxm").exists()
    history_fields = {field.name for field in Resident.history.model._meta.fields}
    assert "name_pinyin" not in history_fields and "name_initials" not in history_fields


@pytest.mark.django_db
def test_data_migration_fills_existing_rows(household_a):
    resident = f.ResidentFactory(household=household_a, name="张三")
    Resident.objects.filter(pk=resident.pk).update(name_pinyin="", name_initials="")
    migration = importlib.import_module("community.migrations.0004_fill_pinyin_sweep_schedule")
    migration.fill_pinyin(apps, None)
    resident.refresh_from_db()
    assert (resident.name_pinyin, resident.name_initials) == ("zhangsan", "zs")
    assert migration.name_pinyin("曾小贤") == name_pinyin("曾小贤")


@pytest.mark.django_db
def test_sweep_is_scheduled():
    """The declared schedule, synced as migrate does (a transactional test elsewhere may have flushed it)."""
    from django_celery_beat.models import PeriodicTask

    from utilities import schedules

    schedules.sync()
    task = PeriodicTask.objects.get(task="community.tasks.data_export_sweep")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"
    from config.celery import app

    app.loader.import_default_modules()
    assert task.task in app.tasks


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["zs", "ZS", "zhangsan", "zhang san", "zhangs", "张"])
def test_admin_search_finds_by_pinyin_within_scope(client, staff_a, staff_b, household_a, community_b, term):
    zhang = f.ResidentFactory(household=household_a, name="张三")
    f.ResidentFactory(household=household_a, name="李四")
    theirs = f.ResidentFactory(household=f.SCOPED_FACTORIES["community.Household"](community_b), name="张森")
    url = reverse("admin:community_resident_changelist")
    client.force_login(staff_a)
    found = {r.pk for r in client.get(url, {"q": term}).context["cl"].result_list}
    assert found == {zhang.pk}
    client.force_login(staff_b)
    found = {r.pk for r in client.get(url, {"q": term}).context["cl"].result_list}
    assert zhang.pk not in found
    if term in ("zs", "ZS"):
        assert found == {theirs.pk}


@pytest.mark.django_db
def test_api_q_filter_finds_by_pinyin_id_and_phone(client, staff_a, household_a):
    zhang = f.ResidentFactory(household=household_a, name="张三", phone="13700001111")
    f.ResidentFactory(household=household_a, name="李四")
    client.force_login(staff_a)
    for term in ["zs", "zhangsan", "张", zhang.id_number.lower(), "137 0000 1111"]:
        body = client.get(reverse("resident-list"), {"q": term}).json()
        assert [r["id"] for r in body["results"]] == [zhang.pk], term
    assert client.get(reverse("resident-list"), {"q": "wu"}).json()["results"] == []


@pytest.mark.django_db
def test_resident_changelist_pinyin_search_query_count_is_flat(client, staff_a, household_a, count_queries):
    f.ResidentFactory(household=household_a, name="张三")
    url = reverse("admin:community_resident_changelist")
    client.force_login(staff_a)
    client.get(url, {"q": "zs"})
    with count_queries() as few:
        client.get(url, {"q": "zs"})
    f.ResidentFactory.create_batch(10, household=household_a, name="张珊")
    with count_queries() as many:
        response = client.get(url, {"q": "zs"})
    assert len(response.context["cl"].result_list) == 11
    assert_flat(few, many)


@pytest.mark.django_db
def test_import_and_export_links_follow_permissions(client, staff_a, official, household_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:community_resident_changelist")).content.decode()
    assert reverse("admin:community_resident_import") in page
    assert reverse("admin:community_resident_export") in page
    assert reverse("admin:community_dataexport_new") in page
    assert client.get(reverse("admin:community_resident_import")).status_code == 200
    client.force_login(official)
    page = client.get(reverse("admin:community_resident_changelist")).content.decode()
    assert reverse("admin:community_resident_import") not in page
    assert reverse("admin:community_dataexport_new") not in page
    assert client.get(reverse("admin:community_resident_import")).status_code == 403


@pytest.mark.django_db
def test_background_export_page_renders_scoped_choices(client, staff_a, community_a, community_b):
    client.force_login(staff_a)
    response = client.get(reverse("admin:community_dataexport_new"), {"model": "community.Resident"})
    assert response.status_code == 200
    choices = list(response.context["form"].fields["community"].queryset)
    assert choices == [community_a]
    response = client.post(
        reverse("admin:community_dataexport_new"), {"model": "community.Resident", "community": community_b.pk}
    )
    assert response.status_code == 200 and "community" in response.context["form"].errors
