"""Governance's reference data: each community gets notices, a meeting with resolutions and a finished election,
loaded twice without duplicates, and the dashboard section shows them."""

import pytest

from community.dashboard import SECTIONS, Period
from community.demo import reference as core
from community.scoping import Scope
from governance import reference
from governance.choices import ElectionStatus
from governance.models import Election, Meeting, Notice, Resolution

pytestmark = pytest.mark.django_db


def test_reference_is_loaded_once_and_counted_on_the_dashboard():
    ctx = core.load_core()
    reference.load(ctx)
    reference.load(ctx)
    assert Notice.objects.count() == 5 * (4 + 2 + 1)  # written notices, two resolutions, one election result
    assert Meeting.objects.filter(quorate=True).count() == 5
    assert Resolution.objects.filter(passed=True).count() == 5 and Resolution.objects.count() == 10
    dongfeng = Election.objects.get(community__name="东风社区")
    assert dongfeng.status == ElectionStatus.PUBLISHED and dongfeng.valid
    assert dongfeng.candidates.filter(elected=True).count() == reference.SEATS
    scope = Scope("county", county_id=ctx.county.pk)
    year = str(Meeting.objects.first().starts_at.year)
    figures = {i.key: i.value for i in SECTIONS["governance"].fn(scope, Period.parse("year", year))}
    assert figures["meetings_held"] == figures["meetings_quorate"] == 5
    turnout = SECTIONS["governance"].fn(scope, Period.parse("year", str(dongfeng.election_day.year)))
    assert {i.key: i.value for i in turnout}["election_turnout"] > 50
