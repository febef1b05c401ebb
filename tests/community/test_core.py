import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from community import actions, validators
from community.models import Household, Residence, Resident
from tests import factories as f


@pytest.mark.parametrize(
    "value,ok",
    [("11010519491231002X", True), ("110105194912310021", False), ("1101051949123100", False), ("abc", False)],
)
def test_id_number_check_digit(value, ok):
    if ok:
        validators.validate_id_number(value)
    else:
        with pytest.raises(ValidationError):
            validators.validate_id_number(value)


def test_masks():
    assert validators.mask_id_number("11010519491231002X") == "110105********002X"
    assert validators.mask_phone("13812341234") == "138****1234"
    assert validators.mask_name("张三丰") == "张*丰"


@pytest.mark.parametrize(
    "phone,ok", [("13812345678", True), ("0571-87654321", True), ("12345", False), ("1381234567x", False)]
)
def test_phone(phone, ok):
    if ok:
        validators.validate_phone(phone)
    else:
        with pytest.raises(ValidationError):
            validators.validate_phone(phone)


@pytest.mark.django_db
def test_gender_and_birth_date_derived_from_id(community_a):
    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    resident.id_number = "11010519491231002x"
    resident.save()
    resident.refresh_from_db()
    assert resident.id_number == "11010519491231002X"
    assert resident.birth_date == dt.date(1949, 12, 31)
    assert resident.gender == "F"


@pytest.mark.django_db
def test_names_unique_within_parent(community_a):
    f.ZoneFactory(community=community_a, name="一片")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ZoneFactory(community=community_a, name="一片")


@pytest.mark.django_db
def test_delete_with_dependants_is_refused(community_a):
    from django.db.models import ProtectedError

    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    with pytest.raises(ProtectedError):
        resident.household.delete()


@pytest.mark.django_db
def test_residence_history_kept_on_move(community_a, staff_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    other = f.HouseholdFactory(building=household.building)
    resident = Resident(household=household, name="李四", id_number=f.next_id_number(), moved_in=dt.date(2020, 5, 1))
    actions.record_save(by=staff_a, instance=resident)
    resident.household = other
    resident.residence_type = "renting"
    actions.resident_save(by=staff_a, resident=resident, reason="搬家")
    periods = list(Residence.objects.filter(resident=resident).order_by("start", "id"))
    assert len(periods) == 2
    assert periods[0].household == household and periods[0].end is not None
    assert periods[1].household == other and periods[1].end is None and periods[1].residence_type == "renting"
    actions.resident_move_out(by=staff_a, resident_id=resident.pk, on=dt.date.today(), reason="迁出")
    assert not Residence.objects.filter(resident=resident, end__isnull=True).exists()
    with pytest.raises(ValidationError):
        actions.resident_move_out(by=staff_a, resident_id=resident.pk, on=dt.date.today(), reason="again")


@pytest.mark.django_db
def test_write_outside_scope_is_refused(community_a, community_b, staff_b):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    resident = Resident(household=household, name="王五", id_number=f.next_id_number())
    with pytest.raises(PermissionDenied):
        actions.record_save(by=staff_b, instance=resident)
    assert not Resident.objects.filter(name="王五").exists()


@pytest.mark.django_db
def test_no_scope_no_rows(community_a):
    from community.models import User

    f.SCOPED_FACTORIES["community.Resident"](community_a)
    nobody = User.objects.create_user("nobody", password="Passw0rd!x", is_staff=True)
    assert Resident.objects.for_user(nobody).count() == 0
    assert Household.objects.for_user(nobody).count() == 0


@pytest.mark.django_db
def test_town_and_county_scope(community_a, community_b, official):
    other_county_community = f.CommunityFactory()
    for c in (community_a, community_b, other_county_community):
        f.SCOPED_FACTORIES["community.Resident"](c)
    cadre = f.town_cadre_of(community_a.town)
    assert Resident.objects.for_user(official).count() == 2
    assert Resident.objects.for_user(cadre).count() == 2


@pytest.mark.django_db
def test_anonymise_keeps_the_row_for_statistics(community_a, staff_a):
    resident = f.SCOPED_FACTORIES["community.Resident"](community_a)
    actions.resident_anonymise(by=staff_a, resident_id=resident.pk, reason="居民申请")
    resident.refresh_from_db()
    assert resident.anonymised and resident.phone == "" and resident.id_number.startswith("ANON")
    assert not resident.history.filter(name="居民").exists() or all(h.phone == "" for h in resident.history.all())
    assert Resident.objects.for_user(staff_a).count() == 1
