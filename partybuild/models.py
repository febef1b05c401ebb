"""四联四包: party organisations, members, positions, liaisons (四联), coverage (四包) and visits (走访)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community.models import Building, Community, Household, Resident, TimeStamped, Town, Zone
from community.scoping import ScopedQuerySet
from community.unit_columns import column as unit_column

from .choices import (
    SINGLE_HOLDER,
    CoverageRole,
    EndReason,
    LeaveReason,
    LiaisonKind,
    MemberKind,
    MemberStatus,
    OrgKind,
    PositionRole,
    VisitWay,
)


class PartyOrganisation(TimeStamped):
    """A node of the party-organisation tree: town party committee → community branches → party groups."""

    community_path = "community"
    town_path = "town"

    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent organisation")
    )
    town = models.ForeignKey(Town, models.PROTECT, related_name="party_organisations", verbose_name=_("town"))
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
        verbose_name=_("community"),
        help_text=_("Empty for the town party committee; the community of a branch or group."),
    )
    established = models.DateField(_("established"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["town", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrgKind.COMMITTEE, community__isnull=True, parent__isnull=True)
                | Q(kind__in=[OrgKind.BRANCH, OrgKind.GROUP], community__isnull=False, parent__isnull=False),
                name="partyorg_level_shape",
            ),
            models.UniqueConstraint(
                fields=["town"], condition=Q(kind=OrgKind.COMMITTEE), name="partyorg_one_committee_per_town"
            ),
            models.UniqueConstraint(fields=["town", "name"], name="partyorg_name_unique_in_town"),
        ]

    def __str__(self):
        return self.name

    @property
    def branch(self):
        """The branch this organisation is, or belongs to (None for the committee)."""
        if self.kind == OrgKind.BRANCH:
            return self
        if self.kind == OrgKind.GROUP:
            return self.parent
        return None


class PartyMemberQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(left__isnull=True)


class PartyMember(TimeStamped):
    """党员: registered with a branch or group (or, for town cadres, with the town party committee)."""

    community_path = "organisation__community"
    town_path = "organisation__town"

    name = models.CharField(_("name"), max_length=40)
    organisation = models.ForeignKey(
        PartyOrganisation, models.PROTECT, related_name="members", verbose_name=_("party organisation")
    )
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("resident record"),
        help_text=_("Where the member lives, if in the county; serving members may live elsewhere."),
    )
    status = models.CharField(_("status"), max_length=14, choices=MemberStatus.choices, default=MemberStatus.FULL)
    kind = models.CharField(_("kind"), max_length=10, choices=MemberKind.choices, default=MemberKind.RESIDENT)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    joined_party = models.DateField(_("joined the party"), null=True, blank=True)
    registered = models.DateField(_("registered here"), default=timezone.localdate)
    is_committee_staff = models.BooleanField(
        _("residents' committee staff"), default=False, help_text=_("One of the committee's paid workers.")
    )
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("login account"),
    )
    left = models.DateField(_("left"), null=True, blank=True, editable=False)
    left_reason = models.CharField(_("reason for leaving"), max_length=16, choices=LeaveReason.choices, blank=True)
    left_to = models.CharField(_("transferred to"), max_length=100, blank=True)

    objects = PartyMemberQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organisation", "name"]
        indexes = [models.Index(fields=["organisation", "left"], name="partymember_org_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(resident__isnull=False, left__isnull=True),
                name="partymember_one_active_per_resident",
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | ~Q(left_reason=""), name="partymember_left_has_reason"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left is None


class Position(TimeStamped):
    """A position held, with dates: secretary, committee member, group leader."""

    community_path = "organisation__community"
    town_path = "organisation__town"

    member = models.ForeignKey(PartyMember, models.PROTECT, related_name="positions", verbose_name=_("party member"))
    organisation = models.ForeignKey(
        PartyOrganisation, models.PROTECT, related_name="positions", verbose_name=_("organisation")
    )
    role = models.CharField(_("position"), max_length=24, choices=PositionRole.choices)
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organisation", "role", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="position_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=Q(end__isnull=True, role__in=SINGLE_HOLDER),
                name="position_one_active_holder",
            ),
            models.UniqueConstraint(
                fields=["member", "organisation", "role"],
                condition=Q(end__isnull=True),
                name="position_not_held_twice",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.get_role_display()} {self.member}"


class Liaison(TimeStamped):
    """One of the first three links of 四联, time-bounded.  (The fourth, member ↔ household, is 包户 coverage.)"""

    community_path = "community"

    kind = models.CharField(_("link"), max_length=20, choices=LiaisonKind.choices)
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="party_liaisons", verbose_name=_("community"), editable=False
    )
    from_org = models.ForeignKey(
        PartyOrganisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="liaisons_out",
        verbose_name=_("from organisation"),
    )
    from_member = models.ForeignKey(
        PartyMember, models.PROTECT, null=True, blank=True, related_name="liaisons_out", verbose_name=_("from member")
    )
    to_org = models.ForeignKey(
        PartyOrganisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="liaisons_in",
        verbose_name=_("to organisation"),
    )
    to_member = models.ForeignKey(
        PartyMember, models.PROTECT, null=True, blank=True, related_name="liaisons_in", verbose_name=_("to member")
    )
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=16, choices=EndReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        ordering = ["community", "kind", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="liaison_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=LiaisonKind.COMMITTEE_BRANCH,
                    from_org__isnull=False,
                    to_org__isnull=False,
                    from_member__isnull=True,
                    to_member__isnull=True,
                )
                | Q(
                    kind=LiaisonKind.MEMBER_SECRETARY,
                    from_org__isnull=True,
                    to_org__isnull=True,
                    from_member__isnull=False,
                    to_member__isnull=False,
                )
                | Q(
                    kind=LiaisonKind.BRANCH_MEMBER,
                    from_org__isnull=False,
                    to_org__isnull=True,
                    from_member__isnull=True,
                    to_member__isnull=False,
                ),
                name="liaison_shape_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["to_org"],
                condition=Q(end__isnull=True, kind=LiaisonKind.COMMITTEE_BRANCH),
                name="liaison_one_committee_per_branch",
            ),
            models.UniqueConstraint(
                fields=["from_member", "to_member"],
                condition=Q(end__isnull=True, kind=LiaisonKind.MEMBER_SECRETARY),
                name="liaison_member_secretary_once",
            ),
            models.UniqueConstraint(
                fields=["to_member"],
                condition=Q(end__isnull=True, kind=LiaisonKind.BRANCH_MEMBER),
                name="liaison_one_branch_per_member",
            ),
        ]

    def __str__(self):
        source = self.from_org or self.from_member
        target = self.to_org or self.to_member
        return f"{source} ↔ {target}"


class Assignment(TimeStamped):
    """A coverage duty (四包), time-bounded: exactly one target, by role; one active coverer per target."""

    community_path = "community"

    member = models.ForeignKey(PartyMember, models.PROTECT, related_name="assignments", verbose_name=_("party member"))
    role = models.CharField(_("duty"), max_length=10, choices=CoverageRole.choices)
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        related_name="party_assignments",
        verbose_name=_("community"),
        help_text=_("The community covered (包点), or the one the zone, building or household lies in."),
    )
    zone = models.ForeignKey(
        Zone, models.PROTECT, null=True, blank=True, related_name="party_assignments", verbose_name=_("zone")
    )
    building = models.ForeignKey(
        Building, models.PROTECT, null=True, blank=True, related_name="party_assignments", verbose_name=_("building")
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="party_assignments",
        verbose_name=_("household"),
    )
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=16, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on ending"), max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("takes over from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ended by")
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("coverage assignment")
        verbose_name_plural = _("coverage assignments")
        ordering = ["community", "role", "-start"]
        indexes = [
            models.Index(fields=["member", "role"], condition=Q(end__isnull=True), name="assignment_member_active"),
            models.Index(fields=["community", "role", "end"], name="assignment_community_role"),
            # the few dated to take effect later (coverage summaries hold until the first of them)
            models.Index(fields=["start"], name="assignment_start"),
            models.Index(fields=["end"], name="assignment_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="assignment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | ~Q(end_reason=""), name="assignment_ended_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(role=CoverageRole.POINT, zone__isnull=True, building__isnull=True, household__isnull=True)
                | Q(role=CoverageRole.ZONE, zone__isnull=False, building__isnull=True, household__isnull=True)
                | Q(role=CoverageRole.BUILDING, zone__isnull=True, building__isnull=False, household__isnull=True)
                | Q(role=CoverageRole.HOUSEHOLD, zone__isnull=True, building__isnull=True, household__isnull=False),
                name="assignment_target_matches_role",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(end__isnull=True, role=CoverageRole.POINT),
                name="assignment_one_active_point",
            ),
            models.UniqueConstraint(
                fields=["zone"],
                condition=Q(end__isnull=True, role=CoverageRole.ZONE),
                name="assignment_one_active_zone",
            ),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(end__isnull=True, role=CoverageRole.BUILDING),
                name="assignment_one_active_building",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end__isnull=True, role=CoverageRole.HOUSEHOLD),
                name="assignment_one_active_household",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_role_display()} {self.target}"

    @property
    def target(self):
        return {
            CoverageRole.POINT: self.community,
            CoverageRole.ZONE: self.zone,
            CoverageRole.BUILDING: self.building,
            CoverageRole.HOUSEHOLD: self.household,
        }[self.role]

    @property
    def is_active(self) -> bool:
        return self.end is None


class Visit(TimeStamped):
    """走访: a liaison visit of a party member to a household."""

    community_path = "household__building__zone__community"
    unit_columns = ("community", "town")

    member = models.ForeignKey(PartyMember, models.PROTECT, related_name="visits", verbose_name=_("party member"))
    household = models.ForeignKey(Household, models.PROTECT, related_name="party_visits", verbose_name=_("household"))
    community = unit_column(Community, _("community"))
    town = unit_column(Town, _("town"))
    date = models.DateField(_("date"))
    way = models.CharField(_("way"), max_length=8, choices=VisitWay.choices, default=VisitWay.DOOR)
    raised = models.TextField(_("what was raised"), blank=True)
    needs_follow_up = models.BooleanField(_("needs follow-up"), default=False)
    by_coverer = models.BooleanField(
        _("by the covering member"),
        default=True,
        editable=False,
        help_text=_("Unticked (flagged) when the visitor did not cover this household on that day."),
    )
    service_request_code = models.CharField(
        _("service request"),
        max_length=40,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The tracking code of the service request made from what was raised."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "community", "town"])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["household", "date"], name="visit_household_date"),
            models.Index(fields=["member", "date"], name="visit_member_date"),
            models.Index(fields=["date"], name="visit_date"),
            models.Index(fields=["community", "date", "id"], name="visit_community_date"),
            models.Index(fields=["town", "date", "id"], name="visit_town_date"),
        ]

    def __str__(self):
        return f"{self.date} {self.member} → {self.household}"


class VisitsDueNotice(TimeStamped):
    """The weekly list of visits due sent to a branch secretary (one per branch and week)."""

    community_path = "branch__community"

    branch = models.ForeignKey(
        PartyOrganisation, models.PROTECT, related_name="visits_due_notices", verbose_name=_("branch")
    )
    week = models.DateField(_("week starting"))
    recipient = models.ForeignKey(
        PartyMember, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent to")
    )
    email = models.EmailField(_("email"), blank=True)
    due_days = models.PositiveSmallIntegerField(_("not visited for (days)"))
    household_count = models.PositiveIntegerField(_("households due"))
    body = models.TextField(_("text"))
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visits-due notice")
        verbose_name_plural = _("visits-due notices")
        ordering = ["-week", "branch"]
        constraints = [models.UniqueConstraint(fields=["branch", "week"], name="visitsdue_one_per_branch_week")]

    def __str__(self):
        return f"{self.branch} {self.week}"


class CoverageReport(TimeStamped):
    """The monthly coverage report section of a community (made once per month)."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="party_coverage_reports", verbose_name=_("community")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    households = models.PositiveIntegerField(_("households"))
    covered = models.PositiveIntegerField(_("households covered"))
    visited_30 = models.PositiveIntegerField(_("households visited in the last 30 days"))
    visited_90 = models.PositiveIntegerField(_("households visited in the last 90 days"))
    visits = models.PositiveIntegerField(_("visits in the month"))
    members = models.PositiveIntegerField(_("active party members"))
    members_outside_band = models.PositiveIntegerField(_("members with a load outside the band"))
    zones_uncovered = models.PositiveIntegerField(_("zones nobody covers"))
    buildings_uncovered = models.PositiveIntegerField(_("buildings nobody covers"))
    ended_without_successor = models.PositiveIntegerField(_("assignments ended without a successor"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage report")
        verbose_name_plural = _("coverage reports")
        ordering = ["-month", "community"]
        constraints = [models.UniqueConstraint(fields=["community", "month"], name="coveragereport_one_per_month")]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"

    @property
    def uncovered(self) -> int:
        return self.households - self.covered


# --- summary rows: the coverage figures kept on write (read by the county and town indicators) -----------


class CoverageSummaryQuerySet(ScopedQuerySet):
    def fresh(self, on):
        """The rows that hold on ``on``: computed by then, and no dated row of theirs taking effect since."""
        return self.filter(as_of__lte=on).filter(Q(changes_on__isnull=True) | Q(changes_on__gt=on))


class CommunityCoverageSummary(models.Model):
    """One community's coverage figures as of a day, rewritten by every action that changes them.

    Derived rows: ``partybuild.actions.rebuild_coverage_summaries`` recomputes them from the records
    (the actions call it for the communities they touch, the core's hierarchy writes reach it through
    ``partybuild.signals``, bulk loads and the nightly job for everything).  The figures hold from
    ``as_of`` until the day before ``changes_on`` (a start, end, registration or departure dated
    later); a community with no row, or a row that no longer holds, is counted live.  No database
    constraint ties the rows to their community, so the set-based removal of a county is never blocked
    by them (a rebuild drops the rows of communities gone).
    """

    community_path = "community"

    community = models.OneToOneField(
        Community,
        models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("community"),
    )
    as_of = models.DateField(_("figures as of"))
    changes_on = models.DateField(
        _("figures change on"),
        null=True,
        blank=True,
        help_text=_("The first later day a dated record takes effect; the figures must be recomputed then."),
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    covered = models.PositiveIntegerField(_("households covered"), default=0)
    zones = models.PositiveIntegerField(_("zones counted"), default=0)
    zones_uncovered = models.PositiveIntegerField(_("zones nobody covers"), default=0)
    buildings = models.PositiveIntegerField(_("buildings counted"), default=0)
    buildings_uncovered = models.PositiveIntegerField(_("buildings nobody covers"), default=0)
    point_covered = models.BooleanField(_("community covered (包点)"), default=False)
    ended_without_successor = models.PositiveIntegerField(_("assignments ended without a successor"), default=0)
    refreshed_at = models.DateTimeField(_("recomputed at"))

    objects = CoverageSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("community coverage summary")
        verbose_name_plural = _("community coverage summaries")
        ordering = ["community"]
        constraints = [
            models.CheckConstraint(condition=Q(covered__lte=models.F("households")), name="coveragesummary_covered"),
            models.CheckConstraint(
                condition=Q(zones_uncovered__lte=models.F("zones")), name="coveragesummary_zones_uncovered"
            ),
            models.CheckConstraint(
                condition=Q(buildings_uncovered__lte=models.F("buildings")), name="coveragesummary_buildings_uncovered"
            ),
        ]

    def __str__(self):
        return f"{self.community_id} {self.as_of}"

    @property
    def uncovered(self) -> int:
        return self.households - self.covered


class MemberLoadSummary(models.Model):
    """An active member's load (households covered) as of the community row's day: the members' list of the
    coverage indicators.  Kept with, and valid with, the member's ``CommunityCoverageSummary``."""

    community_path = "community"

    member = models.OneToOneField(
        PartyMember,
        models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("party member"),
    )
    community = models.ForeignKey(
        Community, models.CASCADE, db_constraint=False, related_name="+", verbose_name=_("community")
    )
    load = models.PositiveIntegerField(_("households covered"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member load summary")
        verbose_name_plural = _("member load summaries")
        ordering = ["community", "member"]

    def __str__(self):
        return f"{self.member_id}: {self.load}"


class VisitDaySummary(models.Model):
    """A community's visits of one day, and how many of its households were last visited that day: the
    visits of any period and the households visited in the last 30 or 90 days, without reading the visits.
    Kept with, and valid with, the community's ``CommunityCoverageSummary``."""

    community_path = "community"

    community = models.ForeignKey(
        Community, models.CASCADE, db_constraint=False, related_name="+", verbose_name=_("community")
    )
    date = models.DateField(_("date"))
    visits = models.PositiveIntegerField(_("visits that day"))
    last_visits = models.PositiveIntegerField(_("households last visited that day"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit day summary")
        verbose_name_plural = _("visit day summaries")
        ordering = ["community", "date"]
        constraints = [models.UniqueConstraint(fields=["community", "date"], name="visitdaysummary_one_per_day")]

    def __str__(self):
        return f"{self.community_id} {self.date}"
