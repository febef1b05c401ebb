"""Choices of the governance app (居务公开, meetings, elections, confidential case records)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeCategory(models.TextChoices):
    """居务公开's four kinds: 事务、财务、党务、服务."""

    AFFAIRS = "affairs", _("Community affairs (事务)")
    FINANCE = "finance", _("Finances (财务)")
    PARTY = "party", _("Party affairs (党务)")
    SERVICE = "service", _("Services (服务)")


class NoticeOrigin(models.TextChoices):
    WRITTEN = "written", _("Written by staff")
    RESOLUTION = "resolution", _("Meeting resolution")
    ELECTION = "election", _("Election result")


class MeetingKind(models.TextChoices):
    RESIDENTS = "residents", _("Residents' meeting (居民会议)")
    REPRESENTATIVES = "representatives", _("Residents' representatives' meeting (居民代表会议)")


class QuorumBasis(models.TextChoices):
    HOUSEHOLDS = "households", _("Households represented")
    RESIDENTS = "residents", _("Adult residents present")
    REPRESENTATIVES = "representatives", _("Representatives present")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", pgettext_lazy("meeting", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


@dataclass(frozen=True)
class QuorumRule:
    """Attendees needed: ``numerator/denominator`` of the eligible, strictly more when ``strict``."""

    basis: str
    numerator: int
    denominator: int
    strict: bool


# 城市居民委员会组织法 art. 9: a residents' meeting needs more than half of the households; a
# representatives' meeting (by local rules) at least two thirds of the representatives.
QUORUM_RULES = {
    MeetingKind.RESIDENTS: QuorumRule(QuorumBasis.HOUSEHOLDS, 1, 2, True),
    MeetingKind.REPRESENTATIVES: QuorumRule(QuorumBasis.REPRESENTATIVES, 2, 3, False),
}


class ElectionStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing the voter roll")
    ROLL_PUBLISHED = "roll_published", _("Voter roll published (objections open)")
    VOTING = "voting", _("Voting")
    COUNTED = "counted", _("Counted")
    PUBLISHED = "published", _("Result published")
    SEATED = "seated", _("Committee seated")


class VoterChange(models.TextChoices):
    GENERATED = "generated", _("From the resident register")
    ADDED = "added", _("Added on an objection")
    REMOVED = "removed", _("Removed on an objection")


class ObjectionKind(models.TextChoices):
    ADD = "add", _("Should be on the roll")
    REMOVE = "remove", _("Should not be on the roll")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class CommitteePost(models.TextChoices):
    DIRECTOR = "director", _("Director (主任)")
    DEPUTY = "deputy", _("Deputy director (副主任)")
    MEMBER = "member", _("Committee member (委员)")


# --- confidential case records ---------------------------------------------------------------


class DisputeKind(models.TextChoices):
    NEIGHBOURS = "neighbours", _("Between neighbours")
    FAMILY = "family", _("Marriage and family")
    PROPERTY = "property", _("Housing and property")
    LABOUR = "labour", _("Wages and labour")
    DAMAGES = "damages", _("Damages and compensation")
    OTHER = "other", _("Other")


class MediationOutcome(models.TextChoices):
    OPEN = "open", _("Being mediated")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    REFERRED = "referred", _("Referred elsewhere")


class LegalAidKind(models.TextChoices):
    CONSULTATION = "consultation", _("Legal consultation (咨询)")
    AID = "aid", _("Legal aid (援助)")


class LegalMatter(models.TextChoices):
    FAMILY = "family", _("Marriage, family and inheritance")
    LABOUR = "labour", _("Labour and wages")
    CONTRACT = "contract", _("Contracts and debts")
    PROPERTY = "property", _("Housing and property")
    INJURY = "injury", _("Injury and compensation")
    OTHER = "other", _("Other")


class LegalAidOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    ADVISED = "advised", _("Advice given")
    REFERRED = "referred", _("Referred to the legal-aid centre")
    CLOSED = "closed", _("Closed")


class OrderKind(models.TextChoices):
    THEFT = "theft", _("Theft")
    FIGHT = "fight", _("Fight or quarrel")
    NOISE = "noise", _("Noise or nuisance")
    FRAUD = "fraud", _("Fraud")
    FIRE = "fire", _("Fire hazard")
    OTHER = "other", _("Other")


class OrderOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    SETTLED = "settled", _("Settled on the spot")
    POLICE = "police", _("Handed to the police")
    CLOSED = "closed", _("Closed")
