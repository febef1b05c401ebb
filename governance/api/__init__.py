"""API of the governance app under /api/v1/governance/…, scoped to the caller.

The confidential case records are here for staff only (the roles table gives them to community staff): the
parties' names and phones come masked to everyone but the case's handler; ``reveal`` unmasks them, logged.
"""

from __future__ import annotations

from .cases import LegalAidCaseViewSet, MediationCaseViewSet, PublicOrderRecordViewSet
from .departments import PlacementViewSet
from .elections import BallotBoxViewSet, CandidateViewSet, ElectionViewSet, ObjectionViewSet, VoterViewSet
from .notices import (
    AgendaItemViewSet,
    AttachmentViewSet,
    AttendeeViewSet,
    MeetingViewSet,
    NoticeViewSet,
    ResolutionViewSet,
)


def register(router):
    router.register("governance/notices", NoticeViewSet, basename="governance-notice")
    router.register("governance/attachments", AttachmentViewSet, basename="governance-attachment")
    router.register("governance/meetings", MeetingViewSet, basename="governance-meeting")
    router.register("governance/agenda", AgendaItemViewSet, basename="governance-agenda")
    router.register("governance/attendees", AttendeeViewSet, basename="governance-attendee")
    router.register("governance/resolutions", ResolutionViewSet, basename="governance-resolution")
    router.register("governance/elections", ElectionViewSet, basename="governance-election")
    router.register("governance/voters", VoterViewSet, basename="governance-voter")
    router.register("governance/objections", ObjectionViewSet, basename="governance-objection")
    router.register("governance/candidates", CandidateViewSet, basename="governance-candidate")
    router.register("governance/boxes", BallotBoxViewSet, basename="governance-box")
    router.register("governance/mediation", MediationCaseViewSet, basename="governance-mediation")
    router.register("governance/legal-aid", LegalAidCaseViewSet, basename="governance-legal-aid")
    router.register("governance/public-order", PublicOrderRecordViewSet, basename="governance-public-order")
    router.register("governance/placements", PlacementViewSet, basename="governance-placement")
