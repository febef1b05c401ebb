"""A resident anonymised on request leaves no copy of their name in the party network either."""

import pytest

from community import actions as core
from partybuild.models import PartyMember
from tests import factories as f
from tests.partybuild import factories as pf

pytestmark = pytest.mark.django_db


def test_anonymising_a_resident_erases_the_linked_members_name_and_history(community_a, staff_a):
    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    resident = f.ResidentFactory(household=household, name="王秀英")
    member = pf.member_of(community_a, name="王秀英", resident=resident, email="wxy@example.cn")
    member.workplace = "街道医院"
    member.save()  # a second history row with the name in it
    other = pf.member_of(community_a, name="李建国")

    core.resident_anonymise(by=staff_a, resident_id=resident.pk, reason="本人申请注销")

    member.refresh_from_db()
    assert member.name == resident.__class__.objects.get(pk=resident.pk).name != "王秀英"
    assert member.email == "" and member.workplace == "街道医院"
    assert not PartyMember.history.filter(name="王秀英").exists()
    assert not PartyMember.history.filter(email="wxy@example.cn").exists()
    other.refresh_from_db()
    assert other.name == "李建国"


def test_a_refused_anonymisation_leaves_the_member_alone(community_a, staff_b):
    from django.core.exceptions import PermissionDenied, ValidationError

    household = f.SCOPED_FACTORIES["community.Household"](community_a)
    resident = f.ResidentFactory(household=household, name="王秀英")
    member = pf.member_of(community_a, name="王秀英", resident=resident)
    with pytest.raises((PermissionDenied, ValidationError)):
        core.resident_anonymise(by=staff_b, resident_id=resident.pk, reason="本人申请注销")
    member.refresh_from_db()
    assert member.name == "王秀英"
