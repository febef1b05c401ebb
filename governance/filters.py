"""FilterSets of the governance app, shared by the API and the pages.

The confidential cases filter on their own columns only: never on a party's name or phone, so no filter
rebuilds a masked value.
"""

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    DisputeKind,
    ElectionStatus,
    LegalAidKind,
    LegalAidOutcome,
    LegalMatter,
    MediationOutcome,
    MeetingKind,
    MeetingStatus,
    NoticeCategory,
    ObjectionStatus,
    OrderKind,
    OrderOutcome,
)
from .models import (
    BallotBox,
    Candidate,
    Election,
    LegalAidCase,
    MediationCase,
    Meeting,
    Notice,
    PublicOrderRecord,
    Resolution,
    RollObjection,
    Voter,
)


class NoticeFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=NoticeCategory.choices)
    community = filters.NumberFilter(field_name="community_id")
    published = filters.BooleanFilter(method="filter_published", label=_("published now"))
    pinned = filters.BooleanFilter()

    class Meta:
        model = Notice
        fields = ["category", "community", "pinned"]

    def filter_published(self, queryset, name, value):
        live = queryset.published(timezone.now())
        return live if value else queryset.exclude(pk__in=live.values("pk"))


class MeetingFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)
    community = filters.NumberFilter(field_name="community_id")
    quorate = filters.BooleanFilter()
    after = filters.DateTimeFilter(field_name="starts_at", lookup_expr="gte")
    before = filters.DateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["kind", "status", "community", "quorate"]


class ResolutionFilter(filters.FilterSet):
    meeting = filters.NumberFilter(field_name="meeting_id")
    passed = filters.BooleanFilter()

    class Meta:
        model = Resolution
        fields = ["meeting", "passed"]


class ElectionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ElectionStatus.choices)
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = Election
        fields = ["status", "community"]


class VoterFilter(filters.FilterSet):
    election = filters.NumberFilter(field_name="election_id")
    on_roll = filters.BooleanFilter()

    class Meta:
        model = Voter
        fields = ["election", "on_roll"]


class ObjectionFilter(filters.FilterSet):
    election = filters.NumberFilter(field_name="election_id")
    status = filters.ChoiceFilter(choices=ObjectionStatus.choices)

    class Meta:
        model = RollObjection
        fields = ["election", "status"]


class CandidateFilter(filters.FilterSet):
    election = filters.NumberFilter(field_name="election_id")
    elected = filters.BooleanFilter()

    class Meta:
        model = Candidate
        fields = ["election", "elected"]


class BallotBoxFilter(filters.FilterSet):
    election = filters.NumberFilter(field_name="election_id")

    class Meta:
        model = BallotBox
        fields = ["election"]


class CaseFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    open = filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull", label=_("open"))
    mine = filters.BooleanFilter(method="filter_mine", label=_("handled by me"))

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(handler=user) if value else queryset.exclude(handler=user)


class MediationCaseFilter(CaseFilter):
    dispute_kind = filters.ChoiceFilter(choices=DisputeKind.choices)
    outcome = filters.ChoiceFilter(choices=MediationOutcome.choices)
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = MediationCase
        fields = ["community", "dispute_kind", "outcome"]


class LegalAidCaseFilter(CaseFilter):
    kind = filters.ChoiceFilter(choices=LegalAidKind.choices)
    matter = filters.ChoiceFilter(choices=LegalMatter.choices)
    outcome = filters.ChoiceFilter(choices=LegalAidOutcome.choices)

    class Meta:
        model = LegalAidCase
        fields = ["community", "kind", "matter", "outcome"]


class PublicOrderRecordFilter(CaseFilter):
    kind = filters.ChoiceFilter(choices=OrderKind.choices)
    outcome = filters.ChoiceFilter(choices=OrderOutcome.choices)

    class Meta:
        model = PublicOrderRecord
        fields = ["community", "kind", "outcome"]
