"""Writes of the departments' staff placed in communities (工作人员配置到社区)."""

from __future__ import annotations

from django.db import transaction

from community.actions import record_save
from community.scoping import ADD, CHANGE, ensure_allowed


@transaction.atomic
def placement_save(*, by, placement):
    """Create or edit a placement: a liaison places the department's own staff, in any community of the county."""
    ensure_allowed(by, placement, CHANGE if placement.pk else ADD)
    return record_save(by=by, instance=placement)
