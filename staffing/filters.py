"""FilterSets of the staffing app, shared by the API and the admin-side pages."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import CampaignKind, CampaignStatus, Education, Origin, StaffPost, Stage
from .models import Application, Campaign, Objection, PayrollRun, Post, StaffMember


class CampaignFilter(filters.FilterSet):
    town = filters.NumberFilter(field_name="town_id")
    kind = filters.ChoiceFilter(choices=CampaignKind.choices)
    status = filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["town", "kind", "status"]


class PostFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id")
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = Post
        fields = ["campaign", "community", "cancelled"]


class ApplicationFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="post__campaign_id")
    post = filters.NumberFilter(field_name="post_id")
    community = filters.NumberFilter(field_name="post__community_id")
    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    exam_number = filters.CharFilter(lookup_expr="startswith")
    q = filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Application
        fields = ["campaign", "post", "community", "stage", "exam_number"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(exam_number__startswith=value) | Q(applicant__name__startswith=value))


class StaffFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    post = filters.ChoiceFilter(choices=StaffPost.choices)
    education = filters.ChoiceFilter(choices=Education.choices)
    origin = filters.ChoiceFilter(choices=Origin.choices)
    current = filters.BooleanFilter(field_name="end", lookup_expr="isnull")

    class Meta:
        model = StaffMember
        fields = ["community", "post", "education", "origin", "party_member", "current"]


class ObjectionFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id")

    class Meta:
        model = Objection
        fields = ["campaign", "status"]


class PayrollRunFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    month = filters.DateFilter()

    class Meta:
        model = PayrollRun
        fields = ["community", "month", "status"]
