"""The 人民调解委员会's confidential records: mediation, legal aid and consultation, public order.

Never on a public page or the public API.  The parties' names and phones are shown masked to everyone but
the handling staff member (``visible_to``); anyone else with ``reveal_case_parties`` may reveal them, logged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community import validators
from community.models import Community, TimeStamped
from community.scoping import RestrictedQuerySet

from ..choices import DisputeKind, LegalAidKind, LegalAidOutcome, LegalMatter, MediationOutcome, OrderKind, OrderOutcome


class ConfidentialCase(TimeStamped):
    """What the three records share: the community, a number, the handler, the closing date."""

    community_path = "community"
    # (name field, phone field) pairs that are personal data
    PARTY_FIELDS: tuple[tuple[str, str], ...] = ()

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", verbose_name=_("community"))
    number = models.CharField(_("case number"), max_length=30)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.number

    def clean(self):

        errors = self.case_errors()
        opened = getattr(self, "received_on", None)
        if self.closed_on and opened and self.closed_on < opened:
            errors["closed_on"] = _("A case cannot be closed before it was received.")
        if errors:
            raise ValidationError(errors)

    def case_errors(self) -> dict:
        return {}

    def handled_by(self, user) -> bool:
        return user is not None and user.is_authenticated and self.handler_id == user.pk

    def parties(self, *, reveal: bool) -> list[dict]:
        """Each party's name and phone, masked unless ``reveal``."""
        out = []
        for name_field, phone_field in self.PARTY_FIELDS:
            name, phone = getattr(self, name_field), getattr(self, phone_field)
            if not name and not phone:
                continue
            if not reveal:
                name, phone = validators.mask_name(name), validators.mask_phone(phone)
            out.append({"name": name, "phone": phone})
        return out

    def parties_text(self, *, reveal: bool) -> str:
        return "；".join(f"{p['name']} {p['phone']}".strip() for p in self.parties(reveal=reveal))


def _phone(label):
    return models.CharField(label, max_length=20, blank=True, validators=[validators.validate_phone])


class MediationCase(ConfidentialCase):
    """调解: a dispute brought to the mediation committee."""

    PARTY_FIELDS = (("applicant_name", "applicant_phone"), ("respondent_name", "respondent_phone"))

    received_on = models.DateField(_("received on"), db_index=True)
    dispute_kind = models.CharField(_("kind of dispute"), max_length=12, choices=DisputeKind.choices)
    applicant_name = models.CharField(_("applicant"), max_length=40)
    applicant_phone = _phone(_("applicant's phone"))
    respondent_name = models.CharField(_("other party"), max_length=40)
    respondent_phone = _phone(_("other party's phone"))
    summary = models.TextField(_("what the dispute is about"), max_length=4000)
    mediators = models.CharField(_("mediators"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=MediationOutcome.choices, default=MediationOutcome.OPEN
    )
    agreement = models.TextField(_("agreement (调解协议)"), blank=True, max_length=8000)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def case_errors(self) -> dict:
        errors = {}
        if self.outcome == MediationOutcome.AGREED:
            if not self.agreement.strip():
                errors["agreement"] = _("Write down the agreement that was reached.")
            if not self.agreement_signed_on:
                errors["agreement_signed_on"] = _("Give the date the agreement was signed.")
        return errors

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases (调解)")
        ordering = ["-received_on", "-id"]
        permissions = [("reveal_case_parties", _("Can reveal the parties of confidential cases"))]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="governance_mediation_number"),
            models.CheckConstraint(
                condition=~Q(outcome="agreed") | (~Q(agreement="") & Q(agreement_signed_on__isnull=False)),
                name="governance_mediation_agreement",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
                name="governance_mediation_closed_after",
            ),
        ]


class LegalAidCase(ConfidentialCase):
    """法律援助 / 咨询: a resident's legal question or request for aid."""

    PARTY_FIELDS = (("applicant_name", "applicant_phone"),)

    received_on = models.DateField(_("received on"), db_index=True)
    kind = models.CharField(_("kind"), max_length=14, choices=LegalAidKind.choices)
    matter = models.CharField(_("matter"), max_length=10, choices=LegalMatter.choices)
    applicant_name = models.CharField(_("applicant"), max_length=40)
    applicant_phone = _phone(_("applicant's phone"))
    question = models.TextField(_("question"), max_length=4000)
    advice = models.TextField(_("advice given"), blank=True, max_length=8000)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=LegalAidOutcome.choices, default=LegalAidOutcome.OPEN
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def case_errors(self) -> dict:
        if self.outcome == LegalAidOutcome.REFERRED and not self.referred_to.strip():
            return {"referred_to": _("Say where the case was referred to.")}
        return {}

    class Meta:
        verbose_name = _("legal aid or consultation case")
        verbose_name_plural = _("legal aid and consultation (法律援助/咨询)")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="governance_legalaid_number"),
            models.CheckConstraint(
                condition=~Q(outcome="referred") | ~Q(referred_to=""), name="governance_legalaid_referred_to"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
                name="governance_legalaid_closed_after",
            ),
        ]


class PublicOrderRecord(ConfidentialCase):
    """治安: an incident of public order the committee recorded."""

    PARTY_FIELDS = (("involved_name", "involved_phone"), ("reporter_name", "reporter_phone"))

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    location = models.CharField(_("location"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=OrderKind.choices)
    reporter_name = models.CharField(_("reported by"), max_length=40, blank=True)
    reporter_phone = _phone(_("reporter's phone"))
    involved_name = models.CharField(_("person involved"), max_length=40, blank=True)
    involved_phone = _phone(_("phone of the person involved"))
    description = models.TextField(_("what happened"), max_length=4000)
    action_taken = models.TextField(_("action taken"), blank=True, max_length=4000)
    police_reference = models.CharField(_("police reference"), max_length=60, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=OrderOutcome.choices, default=OrderOutcome.OPEN)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def case_errors(self) -> dict:
        if self.outcome == OrderOutcome.POLICE and not self.police_reference.strip():
            return {"police_reference": _("Give the police's reference for a record handed to them.")}
        return {}

    class Meta:
        verbose_name = _("public-order record")
        verbose_name_plural = _("public-order records (治安)")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="governance_order_number"),
            models.CheckConstraint(
                condition=~Q(outcome="police") | ~Q(police_reference=""), name="governance_order_police_reference"
            ),
        ]
