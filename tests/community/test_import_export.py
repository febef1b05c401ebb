"""Admin import and export of households and residents (community/resources.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community.choices import Role, ScopeLevel
from community.idnumbers import make_id_number
from community.models import Building, Household, PersonalDataAccess, Residence, Resident, Zone
from community.resources import HouseholdResource, ResidentResource
from tests import factories as f

RESIDENT_HEADERS = [
    "身份证号",
    "姓名",
    "社区编码",
    "楼栋",
    "门牌号",
    "手机号",
    "与户主关系",
    "居住类型",
    "迁入日期",
    "低保",
]
CSV_FORMAT, XLSX_FORMAT = "1", "0"  # positions in ScopedImportExportMixin.import_formats


def id_number(n: int, male: bool = True) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=(n * 13) % 25000)
    return make_id_number(region="110101", birth_date=birth, sequence=n, male=male)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def csv_file(headers, rows, name="residents.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(headers, rows, name="residents.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English (the msgids), whatever the catalogue says."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def place_a(community_a):
    zone = f.ZoneFactory(community=community_a, name="一片区")
    building = f.BuildingFactory(zone=zone, name="1号楼")
    return {
        "building": building,
        "h1": f.HouseholdFactory(building=building, number="1-101"),
        "h2": f.HouseholdFactory(building=building, number="1-102"),
    }


@pytest.fixture
def place_b(community_b):
    zone = f.ZoneFactory(community=community_b, name="一片区")
    building = f.BuildingFactory(zone=zone, name="1号楼")
    return {"building": building, "h1": f.HouseholdFactory(building=building, number="1-101")}


def resident_row(community, number, n, name="张三", phone="13812345678", **extra):
    row = [id_number(n), name, community.code, "1号楼", number, phone, "户主", "户籍", "2020-05-01", "否"]
    return row


def admin_import(client, model, upload, fmt, confirm=True):
    """Dry run (the preview) and, when it has no errors, the confirmation: (preview, confirmation)."""
    url = reverse(f"admin:community_{model}_import")
    preview = client.post(url, {"import_file": upload, "format": fmt, "resource": "0"})
    assert preview.status_code == 200, preview.content[:2000]
    confirm_form = preview.context.get("confirm_form")
    if confirm_form is None:
        result = preview.context.get("result")
        assert result is not None, preview.context["form"].errors
        return preview, None
    if not confirm:
        return preview, confirm_form
    confirmation = client.post(reverse(f"admin:community_{model}_process_import"), confirm_form.initial)
    return preview, confirmation


def admin_export(client, model, fmt, resource_class):
    """Post the admin's export form with every column ticked."""
    data = {"format": fmt, "resource": "0"}
    for name in resource_class().get_export_order():
        data[f"{resource_class.__name__.lower()}_{name}"] = "on"
    return client.post(reverse(f"admin:community_{model}_export"), data)


# --- residents -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_csv_imports_residents_with_history_and_pinyin(client, staff_a, community_a, place_a):
    client.force_login(staff_a)
    rows = [
        resident_row(community_a, "1-101", 1, name="张三"),
        resident_row(community_a, "1-102", 2, name="李四", phone="139 1234 5678"),
    ]
    rows[1][6], rows[1][7], rows[1][9] = "spouse", "Renting (租住)", "是"
    preview, confirm_form = admin_import(
        client, "resident", csv_file(RESIDENT_HEADERS, rows), CSV_FORMAT, confirm=False
    )
    result = preview.context["result"]
    assert confirm_form is not None, (result.base_errors, [(r.number, r.error_dict) for r in result.invalid_rows])
    assert not Resident.objects.exists(), "the preview (dry run) writes nothing"
    confirmation = client.post(reverse("admin:community_resident_process_import"), confirm_form.initial)
    assert confirmation.status_code == 302
    zhang = Resident.objects.get(id_number=id_number(1))
    li = Resident.objects.get(id_number=id_number(2))
    assert zhang.household == place_a["h1"] and li.household == place_a["h2"]
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    assert li.phone == "13912345678" and li.relation == "spouse" and li.residence_type == "renting"
    assert li.low_income and not zhang.low_income
    assert zhang.gender == "M" and zhang.birth_date == dt.date(1940, 1, 1) + dt.timedelta(days=13)
    period = Residence.objects.get(resident=zhang)
    assert period.household == place_a["h1"] and period.start == dt.date(2020, 5, 1) and period.end is None
    assert zhang.history.count() == 1 and zhang.history.get().history_user == staff_a


@pytest.mark.django_db
def test_bad_file_is_refused_whole_with_line_numbers(client, staff_a, community_a, place_a):
    client.force_login(staff_a)
    rows = [
        resident_row(community_a, "1-101", 1),  # good
        resident_row(community_a, "1-101", 2),  # good
        resident_row(community_a, "1-102", 3),  # bad check digit
        resident_row(community_a, "1-102", 4, phone="12345"),  # bad phone
        resident_row(community_a, "9-999", 5),  # no such household
        resident_row(community_a, "1-101", 1),  # the same ID number twice
    ]
    rows[2][0] = bad_check_digit(rows[2][0])
    preview, confirmation = admin_import(client, "resident", csv_file(RESIDENT_HEADERS, rows), CSV_FORMAT)
    assert confirmation is None, "a file with bad rows offers no confirmation"
    result = preview.context["result"]
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert sorted(errors) == [3, 4, 5, 6]
    assert "身份证号" in errors[3] and "check digit" in str(errors[3]["身份证号"])
    assert "手机号" in errors[4]
    assert "1-101" not in str(errors[5]) and "9-999" in str(errors[5])
    assert "line 1" in str(errors[6])
    page = preview.content.decode()
    assert "9-999" in page
    assert not Resident.objects.exists() and not Residence.objects.exists()

    # the same file pushed through the confirming import (no preview) writes nothing either
    dataset = tablib.Dataset(*rows, headers=RESIDENT_HEADERS)
    result = ResidentResource(user=staff_a).import_data(dataset, dry_run=False, user=staff_a)
    assert result.has_validation_errors()
    assert not Resident.objects.exists() and not Residence.objects.exists()
    assert not Resident.history.exists()


@pytest.mark.django_db
def test_row_outside_scope_is_refused(client, staff_a, community_a, community_b, place_a, place_b):
    client.force_login(staff_a)
    rows = [resident_row(community_a, "1-101", 1), resident_row(community_b, "1-101", 2)]
    preview, confirmation = admin_import(client, "resident", csv_file(RESIDENT_HEADERS, rows), CSV_FORMAT)
    assert confirmation is None
    (invalid,) = preview.context["result"].invalid_rows
    assert invalid.number == 2 and "outside your scope" in str(invalid.error_dict)
    assert not Resident.objects.exists()


@pytest.mark.django_db
def test_household_id_outside_scope_and_resident_of_another_community_refused(
    staff_a, community_a, community_b, place_a, place_b
):
    theirs = f.ResidentFactory(household=place_b["h1"], id_number=id_number(7))
    headers = ["身份证号", "姓名", "户ID"]
    dataset = tablib.Dataset(
        [id_number(7), "王五", str(place_a["h1"].pk)],  # a resident of B moved into A by someone of A
        [id_number(8), "赵六", str(place_b["h1"].pk)],  # a household of B given by id
        headers=headers,
    )
    result = ResidentResource(user=staff_a).import_data(dataset, dry_run=False, user=staff_a)
    errors = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert "outside your scope" in errors[1] and "outside your scope" in errors[2]
    theirs.refresh_from_db()
    assert theirs.household == place_b["h1"] and theirs.name != "王五"
    assert not Resident.objects.filter(id_number=id_number(8)).exists()


@pytest.mark.django_db
def test_import_without_user_or_columns_is_refused(staff_a, community_a, place_a):
    dataset = tablib.Dataset(resident_row(community_a, "1-101", 1), headers=RESIDENT_HEADERS)
    result = ResidentResource().import_data(dataset, dry_run=False)
    assert result.has_errors() and "no scope" in str(result.base_errors[0].error)
    missing = tablib.Dataset(["张三"], headers=["姓名"])
    result = ResidentResource().import_data(missing, dry_run=False, user=staff_a)
    assert result.has_errors() and "身份证号" in str(result.base_errors[0].error)
    assert not result.invalid_rows and not result.row_errors()
    assert not Resident.objects.exists()


@pytest.mark.django_db
def test_known_id_number_updates_the_resident_and_keeps_residence_history(staff_a, community_a, place_a):
    resident = f.ResidentFactory(household=place_a["h1"], id_number=id_number(3), name="张三")
    from community.actions import resident_save

    resident_save(by=staff_a, resident=resident)  # opens the first residence period
    row = resident_row(community_a, "1-102", 3, name="张叁")
    row[7] = "租住"
    dataset = tablib.Dataset(row, headers=RESIDENT_HEADERS)
    result = ResidentResource(user=staff_a).import_data(dataset, dry_run=False, user=staff_a)
    assert not result.has_errors() and not result.has_validation_errors()
    resident.refresh_from_db()
    assert resident.household == place_a["h2"] and resident.residence_type == "renting"
    assert Resident.objects.count() == 1
    periods = list(Residence.objects.filter(resident=resident).order_by("pk"))
    assert len(periods) == 2 and periods[0].end is not None and periods[1].end is None
    assert periods[1].household == place_a["h2"]


@pytest.mark.django_db
def test_ten_thousand_residents_import_in_one_go(client, staff_a, community_a, count_queries):
    zone = f.ZoneFactory(community=community_a)
    building = Building.objects.create(zone=zone, name="大楼")
    households = Household.objects.bulk_create(
        [Household(building=building, number=f"{n // 100 + 1}-{n % 100 + 1:03d}") for n in range(2000)]
    )
    headers = ["身份证号", "姓名", "社区编码", "楼栋", "门牌号", "手机号", "居住类型", "迁入日期"]
    rows = [
        [id_number(n, male=n % 2 == 0), "居民", community_a.code, "大楼", households[n % 2000].number, "", "常住", ""]
        for n in range(10_000)
    ]
    client.force_login(staff_a)
    upload = csv_file(headers, rows)
    with count_queries() as queries:
        preview, confirmation = admin_import(client, "resident", upload, CSV_FORMAT)
    assert confirmation is not None, preview.context["result"].invalid_rows[:3]
    assert confirmation.status_code == 302
    assert Resident.objects.count() == 10_000
    assert Residence.objects.filter(end__isnull=True).count() == 10_000
    assert Resident.history.count() == 10_000
    assert Resident.objects.filter(name_initials="jm").count() == 10_000
    # both passes (preview and confirmation) together: the rows are written in batches, not one by one
    assert len(queries) < 250, queries.dump()[:5000]


# --- households ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_household_import_by_location_or_id(staff_a, community_a, community_b, place_a, place_b):
    second_zone = f.ZoneFactory(community=community_a, name="二片区")
    f.BuildingFactory(zone=second_zone, name="1号楼")  # the same building name in another zone
    headers = ["户ID", "社区编码", "片区", "楼栋", "门牌号", "联系电话", "备注"]
    good = tablib.Dataset(
        ["", community_a.code, "一片区", "1号楼", "1-103", "13800001111", "新户"],
        ["", community_a.code, "二片区", "1号楼", "1-101", "", ""],
        [str(place_a["h1"].pk), "", "", "", "1-101", "13900002222", "改了电话"],
        headers=headers,
    )
    result = HouseholdResource(user=staff_a).import_data(good, dry_run=False, user=staff_a)
    assert not result.has_errors() and not result.has_validation_errors(), list(result.invalid_rows)
    assert Household.objects.filter(building__zone__name="二片区", number="1-101").exists()
    assert Household.objects.get(number="1-103").note == "新户"
    place_a["h1"].refresh_from_db()
    assert place_a["h1"].phone == "13900002222"
    assert place_a["h1"].history.count() == 2

    bad = tablib.Dataset(
        ["", community_a.code, "", "1号楼", "1-109", "", ""],  # ambiguous building: the zone is needed
        ["", community_b.code, "一片区", "1号楼", "1-109", "", ""],  # outside the scope
        [str(place_b["h1"].pk), "", "", "", "1-101", "", ""],  # someone else's household by id
        ["", community_a.code, "一片区", "1号楼", "1-110", "555", ""],  # bad phone
        ["", "NOPE", "一片区", "1号楼", "1-111", "", ""],  # unknown community
        headers=headers,
    )
    before = Household.objects.count()
    result = HouseholdResource(user=staff_a).import_data(bad, dry_run=False, user=staff_a)
    errors = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert sorted(errors) == [1, 2, 3, 4, 5]
    assert "zone" in errors[1]
    assert "outside your scope" in errors[2] and "outside your scope" in errors[3]
    assert "联系电话" in errors[4]
    assert "NOPE" in errors[5]
    assert Household.objects.count() == before


@pytest.mark.django_db
def test_xlsx_round_trip_through_the_admin(client, staff_a, community_a, place_a, place_b):
    mine = f.ResidentFactory(household=place_a["h1"], name="张三", id_number=id_number(11))
    f.ResidentFactory(household=place_b["h1"], name="李四", id_number=id_number(12))
    client.force_login(staff_a)
    response = admin_export(client, "resident", XLSX_FORMAT, ResidentResource)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.values)
    assert rows[0][:2] == ("身份证号", "姓名") and "门牌号" in rows[0]
    assert [r[0] for r in rows[1:]] == [mine.id_number], "only the user's own community is exported"
    log = PersonalDataAccess.objects.get(kind="export")
    assert log.user == staff_a and log.rows == 1 and log.model == "community.Resident"

    # the exported file imports again unchanged (it updates the same resident)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("back.xlsx", buffer.getvalue())
    preview, confirmation = admin_import(client, "resident", upload, XLSX_FORMAT)
    assert confirmation is not None and confirmation.status_code == 302
    assert Resident.objects.count() == 2
    mine.refresh_from_db()
    assert mine.household == place_a["h1"] and mine.name == "张三"


# --- export permissions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_needs_the_permission(client, community_a, official, place_a):
    f.ResidentFactory(household=place_a["h1"])
    worker = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    for user in (official, worker):
        client.force_login(user)
        assert client.get(reverse("admin:community_resident_export")).status_code == 403
        assert admin_export(client, "resident", CSV_FORMAT, ResidentResource).status_code == 403
        changelist = client.get(reverse("admin:community_resident_changelist")).content.decode()
        assert reverse("admin:community_resident_export") not in changelist
    # each model has its own export permission: residents yes, households no
    clerk = f.make_user(role=Role.PARTY_WORKER, scope_level=ScopeLevel.COMMUNITY, community=community_a)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["export_resident", "view_household"]))
    client.force_login(clerk)
    assert client.get(reverse("admin:community_household_export")).status_code == 403
    assert client.get(reverse("admin:community_resident_export")).status_code == 200
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_household_export_logged_and_csv_readable(client, staff_a, community_a, place_a, place_b):
    staff_a.user_permissions.add(Permission.objects.get(codename="export_household"))
    client.force_login(staff_a)
    response = admin_export(client, "household", CSV_FORMAT, HouseholdResource)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["户ID", "社区编码", "片区", "楼栋", "门牌号"]
    assert sorted(r[4] for r in rows[1:]) == ["1-101", "1-102"]
    assert {r[1] for r in rows[1:]} == {community_a.code}
    log = PersonalDataAccess.objects.get(kind="export")
    assert log.rows == 2 and log.model == "community.Household"


@pytest.mark.django_db
def test_changelist_stays_masked_after_import(client, staff_a, community_a, place_a):
    dataset = tablib.Dataset(resident_row(community_a, "1-101", 21), headers=RESIDENT_HEADERS)
    ResidentResource(user=staff_a).import_data(dataset, dry_run=False, user=staff_a)
    resident = Resident.objects.get()
    client.force_login(staff_a)
    page = client.get(reverse("admin:community_resident_changelist")).content.decode()
    assert resident.masked_id_number in page and resident.id_number not in page
    assert "13812345678" not in page


@pytest.mark.django_db
def test_zone_model_untouched_by_imports(staff_a, community_a, place_a):
    """Imports never create zones or buildings: those are kept by hand."""
    before = (Zone.objects.count(), Building.objects.count())
    dataset = tablib.Dataset(
        ["", community_a.code, "新片区", "9号楼", "9-901", "", ""],
        headers=["户ID", "社区编码", "片区", "楼栋", "门牌号", "联系电话", "备注"],
    )
    result = HouseholdResource(user=staff_a).import_data(dataset, dry_run=False, user=staff_a)
    assert result.has_validation_errors()
    assert (Zone.objects.count(), Building.objects.count()) == before
