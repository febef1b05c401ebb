"""Serializers and viewsets of the core, registered on the one router in ``config/urls.py``."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors
from .api_base import CursorPagination, ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from .filters import (
    BuildingFilter,
    CommunityFilter,
    HouseholdFilter,
    ResidentFilter,
    ResidentUnitFilter,
    ZoneFilter,
)
from .models import Building, Community, Department, Household, Resident, ResidentUnit, Town, Zone
from .validators import mask_phone


class TownSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "name", "code", "kind", "county"]


class CommunitySerializer(ScopedModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "code", "town", "address", "phone", "established"]
        read_only_fields = ["town", "code"]


class ZoneSerializer(ScopedModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "name", "community"]


class BuildingSerializer(ScopedModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "name", "zone", "address", "floors"]


class HouseholdSerializer(ScopedModelSerializer):
    resident_count = serializers.IntegerField(read_only=True)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "building", "number", "phone", "phone_masked", "note", "resident_count"]
        extra_kwargs = {"phone": {"write_only": True}}

    @extend_schema_field(serializers.CharField())
    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)


class ResidentCommunityField(serializers.IntegerField):
    """A resident's community: the list's ``community_pk`` (``selectors.resident_list``), or else, for a row just
    written, its household's path."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, resident):
        pk = getattr(resident, "community_pk", None)
        return pk if pk is not None else resident.household.building.zone.community_id


class ResidentSerializer(ScopedModelSerializer):
    community = ResidentCommunityField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "community",
            "name",
            "id_number",
            "masked_id_number",
            "gender",
            "birth_date",
            "birth_year",
            "phone",
            "masked_phone",
            "relation",
            "residence_type",
            "moved_in",
            "moved_out",
            "elderly_alone",
            "low_income",
            "disabled",
            "special_care",
            "left_behind_child",
        ]
        read_only_fields = ["gender", "birth_date", "masked_id_number", "masked_phone"]
        extra_kwargs = {
            "id_number": {"write_only": True},
            "phone": {"write_only": True},
            "birth_date": {"allow_null": True, "help_text": "Null without the reveal permission: see birth_year."},
        }
        reveal_only = ["birth_date"]

    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)
    masked_id_number = serializers.CharField(read_only=True)
    masked_phone = serializers.CharField(read_only=True)


class ResidentUnitSerializer(ScopedModelSerializer):
    class Meta:
        model = ResidentUnit
        fields = [
            "id",
            "community",
            "name",
            "kind",
            "address",
            "member_since",
            "contact_name",
            "contact_phone",
            "duties",
        ]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "county", "duties"]


class TownViewSet(ReadOnlyScopedViewSet):
    """Towns (镇/街道) the caller's scope reaches."""

    queryset = Town.objects.all()
    serializer_class = TownSerializer
    filterset_fields = ["county", "kind"]


class CommunityViewSet(ScopedViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    http_method_names = ["get", "put", "patch", "head", "options"]


class ZoneViewSet(ScopedViewSet):
    queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilter


class BuildingViewSet(ScopedViewSet):
    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter


class HouseholdViewSet(ScopedViewSet):
    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    pagination_class = CursorPagination

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)


class ResidentViewSet(ScopedViewSet):
    """Residents; ID numbers and phones are masked (write-only in full), birth dates shown as the year only
    without the reveal permission (and never a sort key: an order of birth dates narrows the hidden digits)."""

    queryset = Resident.objects.all()
    ordering_fields = ["id", "name", "household", "relation", "residence_type", "moved_in", "moved_out"]
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    pagination_class = CursorPagination

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)


class ResidentUnitViewSet(ScopedViewSet):
    queryset = ResidentUnit.objects.all()
    serializer_class = ResidentUnitSerializer
    filterset_class = ResidentUnitFilter

    def select(self, queryset):
        return queryset.select_related("community")


class DepartmentViewSet(ReadOnlyScopedViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["code"]


def register(router):
    router.register("towns", TownViewSet)
    router.register("communities", CommunityViewSet)
    router.register("zones", ZoneViewSet)
    router.register("buildings", BuildingViewSet)
    router.register("households", HouseholdViewSet)
    router.register("residents", ResidentViewSet)
    router.register("units", ResidentUnitViewSet, basename="unit")
    router.register("departments", DepartmentViewSet)
