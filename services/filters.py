"""FilterSets of the services app, shared by the API and the pages."""

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Resident

from .actions import overdue_q
from .choices import OPEN_STATUSES, ActivityKind, Channel, Rating, Status
from .models import Activity, Commitment, CommunityEvent, Evaluation, Facility, FacilityBooking, ServiceRequest


class ServiceRequestFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    category = filters.CharFilter(field_name="category__code", label=_("category code"))
    community = filters.NumberFilter(field_name="community_id")
    building = filters.NumberFilter(field_name="building_id")
    channel = filters.ChoiceFilter(choices=Channel.choices)
    rating = filters.ChoiceFilter(choices=Rating.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    open = filters.BooleanFilter(method="filter_open", label=_("open"))
    vulnerable = filters.BooleanFilter(method="filter_vulnerable", label=_("from a vulnerable household"))
    submitted_after = filters.DateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = filters.DateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = ServiceRequest
        fields = ["status", "category", "community", "building", "channel", "rating"]

    def filter_overdue(self, queryset, name, value):

        condition = overdue_q(timezone.now()) | Q(overdue=True, status__in=OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_vulnerable(self, queryset, name, value):
        vulnerable = Exists(Resident.objects.current().vulnerable().filter(household_id=OuterRef("household_id")))
        return queryset.filter(vulnerable) if value else queryset.exclude(vulnerable)


class CommitmentFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    department = filters.NumberFilter(field_name="department_id")
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)

    class Meta:
        model = Commitment
        fields = ["community", "department", "year", "kind"]


class ActivityFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    department = filters.NumberFilter(field_name="department_id")
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = ["community", "department", "kind"]


class EvaluationFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    department = filters.NumberFilter(field_name="department_id")

    class Meta:
        model = Evaluation
        fields = ["community", "department", "year", "grade"]


class FacilityFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="unit__community_id")
    unit = filters.NumberFilter(field_name="unit_id")

    class Meta:
        model = Facility
        fields = ["community", "unit", "kind", "public"]


class FacilityBookingFilter(filters.FilterSet):
    facility = filters.NumberFilter(field_name="facility_id")
    community = filters.NumberFilter(field_name="facility__unit__community_id")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = FacilityBooking
        fields = ["facility", "community", "status"]


class CommunityEventFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    starts_after = filters.DateTimeFilter(field_name="starts_at", lookup_expr="gte")

    class Meta:
        model = CommunityEvent
        fields = ["community", "kind", "status"]
