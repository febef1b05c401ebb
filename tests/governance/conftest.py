import datetime as dt

import pytest

from tests import factories as f


@pytest.fixture
def building_a(community_a):
    return f.BuildingFactory(zone=f.ZoneFactory(community=community_a))


@pytest.fixture
def make_resident(building_a):
    """``make_resident(born=date, moved_in=None, moved_out=None, household=None)`` in community A."""

    def make(born=dt.date(1980, 5, 1), household=None, **extra):
        household = household or f.HouseholdFactory(building=building_a)
        return f.ResidentFactory(household=household, id_number=f.next_id_number(birth=born), **extra)

    return make


@pytest.fixture(autouse=True)
def _english_messages():
    """The actions' messages are matched in English here (the catalogue's Chinese is checked by test_locale)."""
    from django.utils import translation

    with translation.override("en"):
        yield
