"""FilterSets of the core: one per list, shared by the API, the pages and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Relation, ResidenceType, Vulnerability
from .models import Building, Community, Household, Resident, ResidentUnit, Zone
from .permissions import may_reveal
from .selectors import resident_search


class CommunityFilter(filters.FilterSet):
    town = filters.NumberFilter(field_name="town_id")
    q = filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Community
        fields = ["town", "code"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class ZoneFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = Zone
        fields = ["community"]


class BuildingFilter(filters.FilterSet):
    zone = filters.NumberFilter(field_name="zone_id")
    community = filters.NumberFilter(field_name="zone__community_id")

    class Meta:
        model = Building
        fields = ["zone", "community"]


class HouseholdFilter(filters.FilterSet):
    building = filters.NumberFilter(field_name="building_id")
    zone = filters.NumberFilter(field_name="building__zone_id")
    community = filters.NumberFilter(field_name="community_id")  # its unit column (community.unit_columns)
    number = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Household
        fields = ["building", "zone", "community", "number"]


class ResidentFilter(filters.FilterSet):
    household = filters.NumberFilter(field_name="household_id")
    building = filters.NumberFilter(field_name="household__building_id")
    community = filters.NumberFilter(field_name="community_id")  # its unit column (community.unit_columns)
    residence_type = filters.ChoiceFilter(choices=ResidenceType.choices)
    relation = filters.ChoiceFilter(choices=Relation.choices)
    vulnerability = filters.ChoiceFilter(choices=Vulnerability.choices, method="filter_vulnerability")
    vulnerable = filters.BooleanFilter(method="filter_vulnerable")
    current = filters.BooleanFilter(field_name="moved_out", lookup_expr="isnull")
    name = filters.CharFilter(lookup_expr="startswith")
    born_after = filters.DateFilter(
        method="filter_born", help_text=_("Born on or after; by year only without the reveal permission.")
    )
    born_before = filters.DateFilter(
        method="filter_born", help_text=_("Born on or before; by year only without the reveal permission.")
    )
    q = filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Name, pinyin (zs or zhangsan), ID number or phone.")
    )

    class Meta:
        model = Resident
        fields = ["household", "building", "community", "residence_type", "relation", "gender"]

    def _may_reveal(self) -> bool:
        """Without a request the caller is the export job, whose file (export permission) holds full data."""

        return self.request is None or may_reveal(getattr(self.request, "user", None))

    def search(self, queryset, name, value):

        return resident_search(queryset, value, personal=self._may_reveal())

    def filter_born(self, queryset, name, value):
        """A birth date bisected day by day would give back the digits the ID mask hides: years only, then."""
        lookup = "gte" if name == "born_after" else "lte"
        if self._may_reveal():
            return queryset.filter(**{f"birth_date__{lookup}": value})
        return queryset.filter(**{f"birth_date__year__{lookup}": value.year})

    def filter_vulnerability(self, queryset, name, value):
        return queryset.filter(**{value: True})

    def filter_vulnerable(self, queryset, name, value):
        return queryset.vulnerable() if value else queryset.exclude(pk__in=queryset.vulnerable().values("pk"))


class ResidentUnitFilter(filters.FilterSet):
    community = filters.NumberFilter(field_name="community_id")

    class Meta:
        model = ResidentUnit
        fields = ["community", "kind"]
