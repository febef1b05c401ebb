"""居民会议 / 居民代表会议: agenda, attendance from the register, quorum and resolutions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community.models import Community, Household, Resident, ResidentUnit, TimeStamped
from community.scoping import RestrictedQuerySet

from ..choices import MeetingKind, MeetingStatus, QuorumBasis
from .notices import Notice


class Meeting(TimeStamped):
    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="meetings", verbose_name=_("community"))
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    location = models.CharField(_("location"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED, editable=False
    )
    quorum_basis = models.CharField(_("quorum counted in"), max_length=16, choices=QuorumBasis.choices)
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), validators=[MinValueValidator(1)])
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), validators=[MinValueValidator(1)])
    quorum_strict = models.BooleanField(_("strictly more than the share"), default=True)
    eligible = models.PositiveIntegerField(
        _("eligible"), default=0, help_text=_("Households, adult residents or representatives who may attend.")
    )
    present = models.PositiveIntegerField(_("present (counted for the quorum)"), default=0, editable=False)
    attendee_count = models.PositiveIntegerField(_("attendees"), default=0, editable=False)
    quorate = models.BooleanField(_("quorum reached"), null=True, editable=False)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("residents' meeting")
        verbose_name_plural = _("residents' meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_numerator__lte=models.F("quorum_denominator")), name="governance_quorum_share"
            ),
            models.CheckConstraint(condition=Q(quorum_denominator__gte=1), name="governance_quorum_denominator"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):

        return reverse("governance:meeting", kwargs={"code": self.community.code, "pk": self.pk})

    def clean(self):

        if self.quorum_numerator and self.quorum_denominator and self.quorum_numerator > self.quorum_denominator:
            raise ValidationError({"quorum_numerator": _("The quorum share cannot be more than the whole.")})

    @property
    def quorum_needed(self) -> int:
        """The fewest attendees that make the quorum."""
        share = self.eligible * self.quorum_numerator
        whole, rest = divmod(share, self.quorum_denominator)
        if self.quorum_strict:
            return whole + 1
        return whole + (1 if rest else 0)


class AgendaItem(models.Model):
    community_path = "meeting__community"

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("item"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return self.title


class Attendee(models.Model):
    """Who came: a resident, a household (its representative) or a resident unit, from the register."""

    community_path = "meeting__community"

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendees", verbose_name=_("meeting"))
    resident = models.ForeignKey(
        Resident, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resident")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("household")
    )
    unit = models.ForeignKey(
        ResidentUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resident unit")
    )
    representative = models.BooleanField(_("attends as a representative"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False, household__isnull=True, unit__isnull=True)
                | Q(resident__isnull=True, household__isnull=False, unit__isnull=True)
                | Q(resident__isnull=True, household__isnull=True, unit__isnull=False),
                name="governance_attendee_one_kind",
            ),
            models.UniqueConstraint(fields=["meeting", "resident"], name="governance_attendee_resident_once"),
            models.UniqueConstraint(fields=["meeting", "household"], name="governance_attendee_household_once"),
            models.UniqueConstraint(fields=["meeting", "unit"], name="governance_attendee_unit_once"),
        ]

    def __str__(self):
        return str(self.unit or self.household or self.resident_id)


class Resolution(TimeStamped):
    """A decision put to the vote; passed with more than half of the attendees' votes."""

    community_path = "meeting__community"

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="resolutions", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(
        AgendaItem, models.SET_NULL, null=True, blank=True, related_name="resolutions", verbose_name=_("agenda item")
    )
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstaining"), default=0)
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    notice = models.OneToOneField(
        Notice,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolution",
        editable=False,
        verbose_name=_("published as"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting", "number", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="governance_resolution_number")]

    def __str__(self):
        return self.title

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions
