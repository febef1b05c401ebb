"""Choices of the party liaison network (四联四包), shared by models, forms, filters and API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Town party committee (党委)")
    BRANCH = "branch", _("Party branch (党支部)")
    GROUP = "group", _("Party group (党小组)")


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member (正式党员)")
    PROBATIONARY = "probationary", _("Probationary member (预备党员)")


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("Resident member")
    SERVING = "serving", _("Serving member reporting to the community (在职党员双报到)")
    MOBILE = "mobile", _("Mobile member (流动党员)")


class PositionRole(models.TextChoices):
    COMMITTEE_SECRETARY = "committee_secretary", _("Party committee secretary (党委书记)")
    COMMITTEE_MEMBER = "committee_member", _("Party committee member (党委委员)")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary (支部书记)")
    BRANCH_COMMITTEE_MEMBER = "branch_committee_member", _("Branch committee member (支部委员)")
    GROUP_LEADER = "group_leader", _("Party group leader (党小组长)")


# the organisation kind each position is held in
POSITION_LEVEL = {
    PositionRole.COMMITTEE_SECRETARY: OrgKind.COMMITTEE,
    PositionRole.COMMITTEE_MEMBER: OrgKind.COMMITTEE,
    PositionRole.BRANCH_SECRETARY: OrgKind.BRANCH,
    PositionRole.BRANCH_COMMITTEE_MEMBER: OrgKind.BRANCH,
    PositionRole.GROUP_LEADER: OrgKind.GROUP,
}
# positions only one person holds at a time in an organisation
SINGLE_HOLDER = [PositionRole.COMMITTEE_SECRETARY, PositionRole.BRANCH_SECRETARY, PositionRole.GROUP_LEADER]


class LiaisonKind(models.TextChoices):
    """The first three of the four links (四联); the fourth, member ↔ household, is the 包户 coverage."""

    COMMITTEE_BRANCH = "committee_branch", _("Town party committee ↔ branch")
    MEMBER_SECRETARY = "member_secretary", _("Committee member ↔ branch secretary")
    BRANCH_MEMBER = "branch_member", _("Branch ↔ party member")


class CoverageRole(models.TextChoices):
    """The four coverage duties (四包) by rank."""

    POINT = "point", _("Covers a community (包点)")
    ZONE = "zone", _("Covers a zone (包片)")
    BUILDING = "building", _("Covers a building (包楼)")
    HOUSEHOLD = "household", _("Covers a household (包户)")


# the positions that may hold each coverage duty (an empty list: any active party member)
COVERAGE_POSITIONS = {
    CoverageRole.POINT: [PositionRole.COMMITTEE_SECRETARY, PositionRole.COMMITTEE_MEMBER],
    CoverageRole.ZONE: [PositionRole.BRANCH_SECRETARY],
    CoverageRole.BUILDING: [PositionRole.BRANCH_SECRETARY, PositionRole.BRANCH_COMMITTEE_MEMBER],
    CoverageRole.HOUSEHOLD: [],
}


class EndReason(models.TextChoices):
    TRANSFERRED_OUT = "transferred_out", _("Transferred out (组织关系转出)")
    MOVED = "moved", _("Moved away")
    REBALANCED = "rebalanced", _("Handed over (rebalancing)")
    POSITION_ENDED = "position_ended", _("Position ended")
    TARGET_GONE = "target_gone", _("Household or unit no longer exists")
    OTHER = "other", _("Other")


class LeaveReason(models.TextChoices):
    TRANSFERRED_OUT = "transferred_out", _("Transferred out (组织关系转出)")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class VisitWay(models.TextChoices):
    DOOR = "door", _("At the door")
    PHONE = "phone", _("By phone")
    WECHAT = "wechat", _("By WeChat")
