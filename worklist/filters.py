"""FilterSets of the work list app, shared by the API and the pages."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATUSES, AssignmentStatus, CommunityRole, GuidanceKind, IssuerKind, SupportStatus
from .models import GuidanceRecord, HandedTask, SupportRequest, TaskAssignment, WorkListItem


class WorkListItemFilter(filters.FilterSet):
    community_role = filters.ChoiceFilter(choices=CommunityRole.choices)
    department = filters.NumberFilter(field_name="department_id")
    valid_on = filters.DateFilter(method="filter_valid_on", label=_("In force on"))
    q = filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = WorkListItem
        fields = ["county", "community_role", "department"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(legal_basis__icontains=value) | Q(number=value))


class HandedTaskFilter(filters.FilterSet):
    issuer_kind = filters.ChoiceFilter(choices=IssuerKind.choices)
    department = filters.NumberFilter(field_name="department_id")
    town = filters.NumberFilter(field_name="town_id")
    work_item = filters.NumberFilter(field_name="work_item_id")
    outside_list = filters.BooleanFilter(field_name="work_item", lookup_expr="isnull", label=_("Outside the list"))
    deadline_after = filters.DateFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = HandedTask
        fields = ["issuer_kind", "department", "town", "work_item"]


class TaskAssignmentFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    task = filters.NumberFilter(field_name="task_id")
    status = filters.MultipleChoiceFilter(choices=AssignmentStatus.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = TaskAssignment
        fields = ["community", "task", "status"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=OPEN_STATUSES, task__deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class GuidanceRecordFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    kind = filters.ChoiceFilter(choices=GuidanceKind.choices)
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = GuidanceRecord
        fields = ["community", "kind"]


class SupportRequestFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    status = filters.ChoiceFilter(choices=SupportStatus.choices)

    class Meta:
        model = SupportRequest
        fields = ["community", "status"]
