"""Models of the governance app: the notice board, meetings, elections and confidential case records."""

from .cases import LegalAidCase, MediationCase, PublicOrderRecord
from .departments import DepartmentPlacement
from .elections import BallotBox, BallotIssue, Candidate, Election, RollObjection, Tally, Voter
from .meetings import AgendaItem, Attendee, Meeting, Resolution
from .notices import Notice, NoticeAttachment

__all__ = [
    "AgendaItem",
    "Attendee",
    "BallotBox",
    "BallotIssue",
    "Candidate",
    "DepartmentPlacement",
    "Election",
    "LegalAidCase",
    "MediationCase",
    "Meeting",
    "Notice",
    "NoticeAttachment",
    "PublicOrderRecord",
    "Resolution",
    "RollObjection",
    "Tally",
    "Voter",
]
