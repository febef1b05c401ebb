"""FilterSets of the funding app, shared by the API, the admin pages and the exports."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from . import selectors
from .choices import AccountType, EntryKind, EntryStatus, Restriction, SourceKind
from .models import (
    Budget,
    DisclosureQuestion,
    FacilityAssessment,
    Fund,
    FundBalance,
    JournalEntry,
    JournalLine,
    Project,
)


class FundFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    town = filters.NumberFilter(field_name="community__town_id")
    source = filters.NumberFilter(field_name="source_id")
    source_kind = filters.ChoiceFilter(field_name="source__kind", choices=SourceKind.choices)
    restriction = filters.ChoiceFilter(choices=Restriction.choices)
    project = filters.NumberFilter(field_name="project_id")

    class Meta:
        model = Fund
        fields = ["community", "town", "source", "source_kind", "restriction", "project"]


class FundBalanceFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="fund__community_id")
    source_kind = filters.ChoiceFilter(field_name="fund__source__kind", choices=SourceKind.choices)
    fund = filters.NumberFilter(field_name="fund_id")

    class Meta:
        model = FundBalance
        fields = ["community", "source_kind", "fund"]


class EntryFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")
    status = filters.ChoiceFilter(choices=EntryStatus.choices)
    kind = filters.ChoiceFilter(choices=EntryKind.choices)
    year = filters.NumberFilter()
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from"))
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("until"))
    # vouchers with a line on the fund (account): one EXISTS a voucher, not a join of every line made DISTINCT
    fund = filters.NumberFilter(field_name="fund_id", method="with_a_line")
    account = filters.NumberFilter(field_name="account_id", method="with_a_line")

    class Meta:
        model = JournalEntry
        fields = ["community", "status", "kind", "year", "date_from", "date_to", "fund", "account"]

    def with_a_line(self, queryset, name, value):
        return selectors.with_a_line(queryset, **{name: value})


class LineFilter(filters.FilterSet):
    """A fund's or an account's ledger: ``?fund=…`` or ``?account=…`` with a period."""

    community = filters.NumberFilter(field_name="community_id")  # its unit column (community.unit_columns)
    fund = filters.NumberFilter(field_name="fund_id")
    account = filters.NumberFilter(field_name="account_id")
    account_type = filters.ChoiceFilter(field_name="account__type", choices=AccountType.choices)
    source_kind = filters.ChoiceFilter(field_name="fund__source__kind", choices=SourceKind.choices)
    status = filters.ChoiceFilter(field_name="entry__status", choices=EntryStatus.choices)
    date_from = filters.DateFilter(field_name="entry__date", lookup_expr="gte", label=_("from"))
    date_to = filters.DateFilter(field_name="entry__date", lookup_expr="lte", label=_("until"))

    class Meta:
        model = JournalLine
        fields = ["community", "fund", "account", "account_type", "source_kind", "status", "date_from", "date_to"]


class BudgetFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = Budget
        fields = ["community", "year", "status"]


class ProjectFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = Project
        fields = ["community", "status"]


class AssessmentFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = FacilityAssessment
        fields = ["community"]


class QuestionFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="disclosure__community_id")
    answered = filters.BooleanFilter(field_name="answered_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = DisclosureQuestion
        fields = ["community", "disclosure", "answered"]
