"""The reference scenario's party network, loaded twice, shown back by the dashboard registry."""

import pytest
from django.db.models import F
from django.utils import timezone

from community.demo import reference as core_reference
from community.models import Household
from partybuild import reference, selectors
from partybuild.choices import CoverageRole, LiaisonKind, OrgKind, PositionRole
from partybuild.models import Assignment, Liaison, PartyMember, PartyOrganisation, Position, Visit
from tests import factories as f

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count() for m in (PartyOrganisation, PartyMember, Position, Liaison, Assignment, Visit, Household)
    ]


@pytest.fixture
def loaded():
    ctx = core_reference.load_core()
    reference.load(ctx)
    return ctx


def test_reference_network(loaded):
    ctx = loaded
    assert PartyOrganisation.objects.filter(kind=OrgKind.COMMITTEE, town=ctx.town).count() == 1
    assert PartyOrganisation.objects.filter(kind=OrgKind.BRANCH).count() == len(ctx.communities) == 5
    assert PartyMember.objects.filter(is_committee_staff=True).count() == 15  # 15 of the 30 staff (DOMAIN §2)
    assert PartyMember.objects.filter(resident__isnull=False).count() == 25
    assert Position.objects.filter(role=PositionRole.BRANCH_SECRETARY, end__isnull=True).count() == 5
    summary = selectors.coverage_summary(community_ids=[c.pk for c in ctx.communities])
    assert summary.households == 300 and summary.uncovered == 7
    assert summary.communities_uncovered == 0
    assert summary.total("zones_uncovered") == summary.total("buildings_uncovered") == 0
    assert summary.total("visited_90") > 150
    for kind, n in [
        (LiaisonKind.COMMITTEE_BRANCH, 5),
        (LiaisonKind.MEMBER_SECRETARY, 5),
        (LiaisonKind.BRANCH_MEMBER, 40),
    ]:
        assert Liaison.objects.filter(kind=kind, end__isnull=True).count() == n
    # the data keeps the rules: every household coverer belongs to the household's community
    mismatched = Assignment.objects.filter(role=CoverageRole.HOUSEHOLD).exclude(
        member__organisation__community=F("household__building__zone__community")
    )
    assert not mismatched.exists()
    assert not Visit.objects.filter(by_coverer=False).exists()


def test_reference_is_idempotent(loaded):
    before = _counts()
    reference.load(loaded)
    assert _counts() == before


def test_dashboard_shows_the_reference_back(client, loaded):
    client.force_login(f.official_of(loaded.county))
    body = client.get("/api/v1/dashboard/").json()
    section = next(s for s in body["sections"] if s["key"] == "partybuild")
    values = {i["key"]: i for i in section["indicators"]}
    assert values["households_uncovered"]["value"] == 7
    assert values["households_uncovered"]["chart"]["series"][1]["data"] == [2.0, 2.0, 1.0, 1.0, 1.0]
    assert values["coverage_rate"]["value"] == round(100 * 293 / 300, 1)
    assert values["communities_uncovered"]["value"] == 0 and values["zones_uncovered"]["value"] == 0
    assert values["members"]["value"] == 40
    assert values["visits"]["value"] >= 0 and values["visited_90"]["value"] > 50
    assert values["ended_without_successor"]["value"] == 0
    assert values["households_uncovered"]["link"] == (
        f"/admin/community/household/?unit=county-{loaded.county.pk}&uncovered_on={timezone.localdate():%Y-%m-%d}"
    )
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "partybuild-households_uncovered" in page.content.decode()
    coverage = client.get("/partybuild/coverage/")
    assert coverage.status_code == 200 and coverage.context["page"].paginator.count == 7
