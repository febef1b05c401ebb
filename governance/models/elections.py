"""换届选举: the voter roll and its objections, candidates, ballot boxes and tallies, the result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community.models import Community, Resident, TimeStamped
from community.scoping import RestrictedQuerySet
from staffing.choices import Education

from ..choices import CommitteePost, ElectionStatus, ObjectionKind, ObjectionStatus, VoterChange
from .notices import Notice


class Election(TimeStamped):
    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="elections", verbose_name=_("community"))
    title = models.CharField(_("title"), max_length=200)
    election_day = models.DateField(_("election day"))
    objection_deadline = models.DateField(_("objections until"), null=True, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=5, validators=[MinValueValidator(1)])
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    status = models.CharField(
        _("status"), max_length=16, choices=ElectionStatus.choices, default=ElectionStatus.PREPARING, editable=False
    )
    voters = models.PositiveIntegerField(_("voters on the roll"), default=0, editable=False)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), default=0, editable=False)
    turnout = models.DecimalField(
        _("turnout (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), editable=False
    )
    valid = models.BooleanField(_("valid (more than half voted)"), null=True, editable=False)
    result_notice = models.OneToOneField(
        Notice,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="election",
        editable=False,
        verbose_name=_("result notice"),
    )
    seated_at = models.DateTimeField(_("committee seated at"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("committee election")
        verbose_name_plural = _("committee elections (换届选举)")
        ordering = ["-election_day", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="governance_term_order"),
            models.CheckConstraint(
                condition=Q(objection_deadline__isnull=True) | Q(objection_deadline__lt=models.F("election_day")),
                name="governance_objections_before_day",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):

        return reverse("governance:election", kwargs={"code": self.community.code, "pk": self.pk})

    def clean(self):

        errors = {}
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            errors["term_end"] = _("The term must end after it starts.")
        if self.objection_deadline and self.election_day and self.objection_deadline >= self.election_day:
            errors["objection_deadline"] = _("Objections must close before election day.")
        if errors:
            raise ValidationError(errors)


class Voter(models.Model):
    """A line of the roll; removing a voter keeps the line (``on_roll`` false) and its history."""

    community_path = "election__community"

    election = models.ForeignKey(Election, models.CASCADE, related_name="roll", verbose_name=_("election"))
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="+", verbose_name=_("resident"))
    on_roll = models.BooleanField(_("on the roll"), default=True)
    change = models.CharField(
        _("last change"), max_length=10, choices=VoterChange.choices, default=VoterChange.GENERATED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voter roll")
        ordering = ["election", "resident_id"]
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="governance_voter_once")]

    def __str__(self):
        return f"{self.election_id}:{self.resident_id}"


class RollObjection(TimeStamped):
    """异议: someone missing from the roll, or on it who should not be."""

    community_path = "election__community"

    election = models.ForeignKey(Election, models.PROTECT, related_name="objections", verbose_name=_("election"))
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="+", verbose_name=_("resident concerned"))
    kind = models.CharField(_("asks that the resident"), max_length=8, choices=ObjectionKind.choices)
    reason = models.TextField(_("reason given"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING, editable=False
    )
    decision = models.CharField(_("decision"), max_length=500, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("objection to the roll")
        verbose_name_plural = _("objections to the roll")
        ordering = ["election", "-created_at"]

    def __str__(self):
        return f"{self.election_id} {self.get_kind_display()}"


class Candidate(models.Model):
    community_path = "election__community"

    election = models.ForeignKey(Election, models.PROTECT, related_name="candidates", verbose_name=_("election"))
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="+", verbose_name=_("resident"))
    post = models.CharField(_("post"), max_length=10, choices=CommitteePost.choices, default=CommitteePost.MEMBER)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    party_member = models.BooleanField(_("party member"), default=False)
    votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True, editable=False)
    elected = models.BooleanField(_("elected"), default=False, editable=False)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["election", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="governance_candidate_once")]

    def __str__(self):
        return f"{self.election_id}:{self.resident_id}"


class BallotBox(models.Model):
    """投票箱 (a polling station or a mobile box): ballots issued, returned and spoilt."""

    community_path = "election__community"

    election = models.ForeignKey(Election, models.PROTECT, related_name="boxes", verbose_name=_("election"))
    name = models.CharField(_("name"), max_length=60)
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), default=0)
    ballots_returned = models.PositiveIntegerField(_("ballots returned"), default=0)
    invalid_ballots = models.PositiveIntegerField(_("invalid ballots"), default=0)
    counted = models.BooleanField(_("counted"), default=False, editable=False)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")
        ordering = ["election", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="governance_box_name"),
            models.CheckConstraint(
                condition=Q(ballots_returned__lte=models.F("ballots_issued")), name="governance_box_returned"
            ),
            models.CheckConstraint(
                condition=Q(invalid_ballots__lte=models.F("ballots_returned")), name="governance_box_invalid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def valid_ballots(self) -> int:
        return self.ballots_returned - self.invalid_ballots


class BallotIssue(models.Model):
    """One voter's ballot handed out at a box (boxes that record ballots voter by voter)."""

    community_path = "box__election__community"

    box = models.ForeignKey(BallotBox, models.PROTECT, related_name="issues", verbose_name=_("ballot box"))
    voter = models.OneToOneField(Voter, models.PROTECT, related_name="ballot", verbose_name=_("voter"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot handed out")
        verbose_name_plural = _("ballots handed out")
        ordering = ["box", "id"]

    def __str__(self):
        return f"{self.box_id}:{self.voter_id}"


class Tally(models.Model):
    community_path = "box__election__community"

    box = models.ForeignKey(BallotBox, models.CASCADE, related_name="tallies", verbose_name=_("ballot box"))
    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="tallies", verbose_name=_("candidate"))
    votes = models.PositiveIntegerField(_("votes"))

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        ordering = ["box", "candidate"]
        constraints = [models.UniqueConstraint(fields=["box", "candidate"], name="governance_tally_once")]

    def __str__(self):
        return f"{self.box_id}:{self.candidate_id}={self.votes}"
