import datetime as dt

import pytest
from django.utils import timezone

from community.choices import DepartmentCode, Role, ScopeLevel
from tests import factories as f
from tests.worklist import factories as wf


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cadre(town):
    return f.town_cadre_of(town)


@pytest.fixture
def civil_affairs(county):
    return wf.department(county, DepartmentCode.CIVIL_AFFAIRS)


@pytest.fixture
def liaison(civil_affairs):
    return f.make_user(role=Role.DEPARTMENT_LIAISON, scope_level=ScopeLevel.DEPARTMENT, department=civil_affairs)


@pytest.fixture
def item(county, civil_affairs):
    return wf.work_item(county, department=civil_affairs)


@pytest.fixture
def community_c(county):
    """A community of another town of the same county."""
    other_town = f.TownFactory(county=county, name="新城镇")
    return f.CommunityFactory(town=other_town, name="南山社区")


@pytest.fixture
def far_community():
    """A community of another county."""
    return f.CommunityFactory(town=f.TownFactory(county=f.CountyFactory(name="邻县", code="330888")))


@pytest.fixture
def deadline(today):
    return today + dt.timedelta(days=7)
