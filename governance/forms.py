"""Admin forms whose saving is an action: a refused rule becomes a form error and nothing is half-written."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.actions import record_save
from utilities.forms import ActionModelForm

from . import actions
from .choices import ElectionStatus
from .models import BallotBox, Candidate, Meeting, Resolution, RollObjection


class MeetingForm(ActionModelForm):
    class Meta:
        model = Meeting
        fields = [
            "community",
            "kind",
            "title",
            "starts_at",
            "location",
            "eligible",
            "quorum_basis",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_strict",
            "minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            for name in ("quorum_basis", "quorum_numerator", "quorum_denominator", "quorum_strict"):
                self.fields.pop(name, None)
            self.fields["eligible"].required = False
            self.fields["eligible"].help_text = _(
                "Only for a representatives' meeting: households and adults are counted from the register."
            )

    def run(self, cleaned):
        if self.instance.pk:
            for name, value in cleaned.items():
                setattr(self.instance, name, value)
            return actions.meeting_save(by=self.user, meeting=self.instance)
        return actions.meeting_create(
            by=self.user,
            community=cleaned["community"],
            kind=cleaned["kind"],
            title=cleaned["title"],
            starts_at=cleaned["starts_at"],
            location=cleaned["location"],
            eligible=cleaned.get("eligible") or None,
            minutes=cleaned.get("minutes", ""),
        )


class ResolutionForm(ActionModelForm):
    class Meta:
        model = Resolution
        fields = ["meeting", "agenda_item", "title", "text", "votes_for", "votes_against", "abstentions"]

    def run(self, cleaned):
        return actions.resolution_record(
            by=self.user,
            meeting_id=cleaned["meeting"].pk,
            title=cleaned["title"],
            text=cleaned["text"],
            votes_for=cleaned["votes_for"],
            votes_against=cleaned["votes_against"],
            abstentions=cleaned["abstentions"],
            agenda_item=cleaned.get("agenda_item"),
            resolution_id=self.instance.pk,
        )


class ObjectionForm(ActionModelForm):
    class Meta:
        model = RollObjection
        fields = ["election", "resident", "kind", "reason"]

    def run(self, cleaned):
        if self.instance.pk:
            raise ValidationError(_("An objection is decided, not edited: use the admin actions."))
        return actions.objection_lodge(
            by=self.user,
            election_id=cleaned["election"].pk,
            resident=cleaned["resident"],
            kind=cleaned["kind"],
            reason=cleaned["reason"],
        )


class CandidateForm(ActionModelForm):
    class Meta:
        model = Candidate
        fields = ["election", "resident", "post", "education", "party_member"]

    def run(self, cleaned):
        if self.instance.pk:
            for name, value in cleaned.items():
                setattr(self.instance, name, value)

            if self.instance.election.status not in (ElectionStatus.PREPARING, ElectionStatus.ROLL_PUBLISHED):
                raise ValidationError(_("Candidates cannot be changed once voting has opened."))
            return record_save(by=self.user, instance=self.instance)
        return actions.candidate_add(
            by=self.user,
            election_id=cleaned["election"].pk,
            resident=cleaned["resident"],
            post=cleaned["post"],
            education=cleaned["education"],
            party_member=cleaned.get("party_member", False),
        )


class BallotBoxForm(ActionModelForm):
    """A box's ballots issued; while voting, its count too (ballots returned and spoilt, votes per candidate)."""

    ballots_returned = forms.IntegerField(label=_("ballots returned"), min_value=0, required=False)
    invalid_ballots = forms.IntegerField(label=_("invalid ballots"), min_value=0, required=False)

    class Meta:
        model = BallotBox
        fields = ["election", "name", "ballots_issued"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = []
        box = self.instance
        if box.pk and box.election.status == ElectionStatus.VOTING and not box.counted:
            self.candidates = list(box.election.candidates.select_related("resident").order_by("pk"))
            for candidate in self.candidates:
                self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                    label=_("votes for candidate #%(n)d (%(post)s)")
                    % {"n": candidate.pk, "post": candidate.get_post_display()},
                    min_value=0,
                    required=False,
                )
        else:
            self.fields.pop("ballots_returned")
            self.fields.pop("invalid_ballots")

    def run(self, cleaned):
        for name in ("election", "name", "ballots_issued"):
            setattr(self.instance, name, cleaned[name])
        box = actions.box_save(by=self.user, box=self.instance)
        if self.candidates and cleaned.get("ballots_returned") is not None:
            votes = {c.pk: cleaned.get(f"votes_{c.pk}") or 0 for c in self.candidates}
            box = actions.tally_record(
                by=self.user,
                box_id=box.pk,
                ballots_returned=cleaned["ballots_returned"],
                invalid_ballots=cleaned.get("invalid_ballots") or 0,
                votes=votes,
            )
        return box
