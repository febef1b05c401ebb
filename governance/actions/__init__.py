"""Every write of the governance app with rules in it; admin, API and pages call these.

Split by concern (notices, meetings, elections, confidential cases); import them from here.
"""

from .cases import case_reveal, case_save
from .departments import placement_save
from .elections import (
    ELECTION_TRANSITIONS,
    ballot_issue,
    box_save,
    candidate_add,
    election_count,
    election_create,
    election_publish,
    election_seat,
    objection_decide,
    objection_lodge,
    roll_generate,
    roll_publish,
    tally_record,
    voting_open,
)
from .meetings import (
    attendee_add,
    attendee_remove,
    meeting_cancel,
    meeting_create,
    meeting_record_held,
    meeting_save,
    resolution_publish,
    resolution_record,
)
from .notices import attachment_add, notice_publish, notice_save, notice_unpublish, validate_attachment

__all__ = [
    "ELECTION_TRANSITIONS",
    "attachment_add",
    "attendee_add",
    "attendee_remove",
    "ballot_issue",
    "box_save",
    "candidate_add",
    "case_reveal",
    "case_save",
    "election_count",
    "election_create",
    "election_publish",
    "election_seat",
    "meeting_cancel",
    "meeting_create",
    "meeting_record_held",
    "meeting_save",
    "notice_publish",
    "notice_save",
    "notice_unpublish",
    "objection_decide",
    "objection_lodge",
    "placement_save",
    "resolution_publish",
    "resolution_record",
    "roll_generate",
    "roll_publish",
    "tally_record",
    "validate_attachment",
    "voting_open",
]
