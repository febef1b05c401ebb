"""Writes of the party liaison network.  Admin, API, pages and tasks call these and nothing else.

Every function is keyword-only, runs in one transaction, locks the rows it decides on and
raises ``ValidationError`` naming the rule it refuses on (``PermissionDenied`` outside the scope).
One module a subject: organisations and members, 四联 liaisons, 四包 coverage, 走访 visits, the jobs' writes,
and the coverage summary rows every write that changes coverage rebuilds (``summaries``).
"""

from .coverage import (
    active_on_target,
    already_covered_error,
    assignment_check,
    assignment_create,
    assignment_end,
    assignment_handover,
    coverage_bulk_assign_building,
    coverage_rebalance,
    target_fields,
)
from .jobs import (
    coverage_report_make,
    member_anonymise_for_resident,
    visits_due_notify,
    week_start,
)
from .liaisons import (
    liaison_create,
    liaison_end,
    liaison_resolve,
)
from .members import (
    member_save,
    member_transfer_out,
    organisation_check,
    organisation_save,
    position_check,
    position_end,
    position_save,
)
from .summaries import (
    communities_of_assignments,
    communities_of_places,
    coverage_summaries_added,
    rebuild_coverage_summaries,
)
from .visits import (
    visit_by_coverer,
    visit_check,
    visit_link_request,
    visit_record,
)

__all__ = [
    "active_on_target",
    "already_covered_error",
    "assignment_check",
    "assignment_create",
    "assignment_end",
    "assignment_handover",
    "communities_of_assignments",
    "communities_of_places",
    "coverage_bulk_assign_building",
    "coverage_rebalance",
    "coverage_summaries_added",
    "coverage_report_make",
    "liaison_create",
    "liaison_end",
    "liaison_resolve",
    "member_anonymise_for_resident",
    "member_save",
    "member_transfer_out",
    "organisation_check",
    "organisation_save",
    "position_check",
    "position_end",
    "position_save",
    "rebuild_coverage_summaries",
    "target_fields",
    "visit_by_coverer",
    "visit_check",
    "visit_link_request",
    "visit_record",
    "visits_due_notify",
    "week_start",
]
