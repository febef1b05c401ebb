"""API of the department staff placed in communities; the phone comes masked."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.api_base import ScopedModelSerializer, ScopedViewSet
from community.validators import mask_phone

from .. import actions
from ..models import DepartmentPlacement
from .common import fill


class PlacementSerializer(ScopedModelSerializer):
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentPlacement
        fields = ["id", "department", "community", "person_name", "duty", "phone", "phone_masked", "start", "end"]
        extra_kwargs = {"phone": {"write_only": True}}

    @extend_schema_field(serializers.CharField())
    def get_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone)


class PlacementViewSet(ScopedViewSet):
    queryset = DepartmentPlacement.objects.all()
    serializer_class = PlacementSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["department", "community"]

    def select(self, queryset):
        return queryset.select_related("department", "community")

    def perform_write(self, serializer):
        serializer.instance = actions.placement_save(by=self.request.user, placement=fill(serializer))
