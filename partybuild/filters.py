"""FilterSets of the party liaison network, shared by the API and the pages."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .choices import CoverageRole, LiaisonKind, MemberKind, MemberStatus, OrgKind, PositionRole, VisitWay
from .models import Assignment, Liaison, PartyMember, PartyOrganisation, Position, Visit


class PartyOrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrgKind.choices)
    town = filters.NumberFilter(field_name="town_id")
    community = filters.NumberFilter(field_name="community_id")
    parent = filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = PartyOrganisation
        fields = ["kind", "town", "community", "parent"]


class PartyMemberFilter(filters.FilterSet):
    organisation = filters.NumberFilter(field_name="organisation_id")
    community = filters.NumberFilter(field_name="organisation__community_id")
    status = filters.ChoiceFilter(choices=MemberStatus.choices)
    kind = filters.ChoiceFilter(choices=MemberKind.choices)
    active = filters.BooleanFilter(field_name="left", lookup_expr="isnull", label=_("Active"))
    is_committee_staff = filters.BooleanFilter()
    name = filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = PartyMember
        fields = ["organisation", "community", "status", "kind", "is_committee_staff"]


class PositionFilter(filters.FilterSet):
    member = filters.NumberFilter(field_name="member_id")
    organisation = filters.NumberFilter(field_name="organisation_id")
    role = filters.ChoiceFilter(choices=PositionRole.choices)
    active = filters.BooleanFilter(field_name="end", lookup_expr="isnull", label=_("Active"))

    class Meta:
        model = Position
        fields = ["member", "organisation", "role"]


class LiaisonFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=LiaisonKind.choices)
    community = filters.NumberFilter(field_name="community_id")
    active = filters.BooleanFilter(field_name="end", lookup_expr="isnull", label=_("Active"))

    class Meta:
        model = Liaison
        fields = ["kind", "community"]


class AssignmentFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=CoverageRole.choices)
    member = filters.NumberFilter(field_name="member_id")
    community = filters.NumberFilter(field_name="community_id")
    zone = filters.NumberFilter(field_name="zone_id")
    building = filters.NumberFilter(field_name="building_id")
    household = filters.NumberFilter(field_name="household_id")
    active = filters.BooleanFilter(field_name="end", lookup_expr="isnull", label=_("Active"))

    class Meta:
        model = Assignment
        fields = ["role", "member", "community", "zone", "building", "household"]


class VisitFilter(filters.FilterSet):
    member = filters.NumberFilter(field_name="member_id")
    household = filters.NumberFilter(field_name="household_id")
    community = filters.NumberFilter(field_name="community_id")  # its unit column (community.unit_columns)
    way = filters.ChoiceFilter(choices=VisitWay.choices)
    since = filters.DateFilter(field_name="date", lookup_expr="gte")
    until = filters.DateFilter(field_name="date", lookup_expr="lte")
    by_coverer = filters.BooleanFilter()
    needs_follow_up = filters.BooleanFilter()

    class Meta:
        model = Visit
        fields = ["member", "household", "community", "way", "by_coverer", "needs_follow_up"]
