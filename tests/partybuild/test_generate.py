"""partybuild/generate.py at a tiny scale: the rows obey the rules and the indicators read them back."""

from __future__ import annotations

import io
import statistics
from dataclasses import asdict

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

import partybuild.generate as party_generate
from community.demo import generate
from community.models import Community, County, Household
from partybuild import actions, selectors
from partybuild.choices import CoverageRole, LiaisonKind, OrgKind
from partybuild.models import (
    Assignment,
    CommunityCoverageSummary,
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
)

pytestmark = pytest.mark.django_db
CODE = "140121"
TINY = ["--towns", "2", "--communities", "3", "--households", "360", "--county-code", CODE, "--no-progress"]
EXTRA = ["--extra", "members=40", "--extra", "visits=600"]


@pytest.fixture
def county(monkeypatch):
    """The tiny county with the party network only (other apps' hooks are theirs to test)."""
    monkeypatch.setattr(generate, "app_modules", lambda: [party_generate])
    call_command("generate_county", *TINY, *EXTRA, "--seed", "3", stdout=io.StringIO(), stderr=io.StringIO())
    return County.objects.get(code=CODE)


def test_organisations_members_positions_and_liaisons(county):
    orgs = PartyOrganisation.objects.filter(town__county=county)
    assert orgs.filter(kind=OrgKind.COMMITTEE).count() == 2
    branches = orgs.filter(kind=OrgKind.BRANCH)
    assert branches.count() == 3 and not branches.exclude(parent__kind=OrgKind.COMMITTEE).exists()
    assert not branches.exclude(parent__town=F("town")).exists()
    assert orgs.filter(kind=OrgKind.GROUP).count() >= 3
    assert not orgs.filter(kind=OrgKind.GROUP).exclude(parent__community=F("community")).exists()
    members = PartyMember.objects.filter(organisation__town__county=county)
    assert members.count() == 40
    for position in Position.objects.select_related("member__organisation", "organisation"):
        actions.position_check(position)  # the level rule and membership of the organisation
    # 四联: every branch linked to its committee, a committee member to each branch secretary,
    # every active member to their branch; a member who left has no open link, position or duty
    active = Liaison.objects.filter(end__isnull=True)
    assert set(active.filter(kind=LiaisonKind.COMMITTEE_BRANCH).values_list("to_org", flat=True)) == set(
        branches.values_list("pk", flat=True)
    )
    assert active.filter(kind=LiaisonKind.MEMBER_SECRETARY).count() == 3
    community_members = members.exclude(organisation__kind=OrgKind.COMMITTEE)
    assert set(active.filter(kind=LiaisonKind.BRANCH_MEMBER).values_list("to_member", flat=True)) == set(
        community_members.filter(left__isnull=True).values_list("pk", flat=True)
    )
    left = members.filter(left__isnull=False)
    assert not Assignment.objects.filter(member__in=left, end__isnull=True).exists()
    assert not Position.objects.filter(member__in=left, end__isnull=True).exists()


def test_coverage_obeys_the_rules(county):
    assignments = Assignment.objects.filter(community__town__county=county)
    open_ = assignments.filter(end__isnull=True)
    for role, key in [("point", "community"), ("zone", "zone"), ("building", "building"), ("household", "household")]:
        doubled = open_.filter(role=role).values(key).annotate(n=Count("id")).filter(n__gt=1)
        assert not doubled.exists(), f"two active coverers of one {key}"
    for assignment in open_.select_related(
        "member__organisation", "community__town", "zone__community", "building__zone__community"
    ).prefetch_related("household__building__zone__community"):
        actions.assignment_check(
            member=assignment.member, role=assignment.role, target=assignment.target, on=assignment.start
        )
    ended = assignments.filter(end__isnull=False)
    assert ended.exists() and not ended.filter(end_reason="").exists()
    assert ended.filter(successor__isnull=False).exists(), "handovers record their successor"
    households = Household.objects.filter(building__zone__community__town__county=county)
    uncovered = selectors.uncovered_households_qs(households).count()
    assert 1 <= uncovered <= 0.05 * households.count()
    loads = list(
        open_.filter(role=CoverageRole.HOUSEHOLD).values("member").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert 5 <= statistics.median(loads) <= 15


def test_visits_are_flagged_exactly_when_the_visitor_did_not_cover(county):
    visits = Visit.objects.filter(household__building__zone__community__town__county=county)
    assert visits.count() == 600
    covering = Assignment.objects.filter(
        member=OuterRef("member"), household=OuterRef("household"), role=CoverageRole.HOUSEHOLD
    ).filter(Q(start__lte=OuterRef("date")) & (Q(end__isnull=True) | Q(end__gt=OuterRef("date"))))
    checked = visits.annotate(covering=Exists(covering))
    assert not checked.exclude(covering=F("by_coverer")).exists()
    assert visits.filter(by_coverer=False).exists() and visits.filter(by_coverer=True).count() > 500
    assert not visits.filter(member__left__lt=F("date")).exists()
    assert not visits.filter(member__registered__gt=F("date")).exists()


def test_indicators_read_what_was_generated(county):
    ids = list(Community.objects.filter(town__county=county).values_list("pk", flat=True))
    summary = selectors.coverage_summary(community_ids=ids)
    households = Household.objects.filter(building__zone__community__in=ids)
    assert summary.households == households.count() == 360
    assert summary.uncovered == selectors.uncovered_households_qs(households).count() >= 1
    active_members = PartyMember.objects.filter(organisation__community__in=ids, left__isnull=True)
    assert len(summary.members) == active_members.count()
    assert sum(m.load for m in summary.members) == summary.households - summary.uncovered
    assert summary.total("visited_90") > 0 and summary.total("visited_30") <= summary.total("visited_90")
    assert summary.total("ended_without_successor") == (
        selectors.ended_without_successor_qs(summary.on).filter(community__in=ids).count()
    )


def test_the_coverage_summaries_are_rebuilt_and_agree_with_a_recount(county):
    ids = list(Community.objects.filter(town__county=county).order_by("pk").values_list("pk", flat=True))
    kept = CommunityCoverageSummary.objects.filter(community_id__in=ids).fresh(timezone.localdate())
    assert sorted(kept.values_list("community_id", flat=True)) == ids
    stored = selectors.coverage_summary(community_ids=ids)
    counted = selectors.coverage_summary(community_ids=ids, live=True)
    assert [asdict(r) for r in stored.rows] == [asdict(r) for r in counted.rows]
    assert stored.members == counted.members and len(stored.members) > 30


def test_replace_clears_the_network_first(county, monkeypatch):
    before = (PartyMember.objects.count(), Assignment.objects.count(), Visit.objects.count())
    call_command("generate_county", *TINY, *EXTRA, "--seed", "4", "--replace", stdout=io.StringIO())
    assert PartyMember.objects.count() == before[0] == 40
    assert Visit.objects.count() == before[2] == 600
    kept = set(CommunityCoverageSummary.objects.values_list("community_id", flat=True))
    assert kept == set(Community.objects.values_list("pk", flat=True))  # none left of the county replaced
    party_generate.clear(County.objects.get(code=CODE))
    assert not PartyOrganisation.objects.exists() and not Assignment.objects.exists()
    assert not Visit.objects.exists() and not Liaison.objects.exists() and not PartyMember.objects.exists()
