"""API of the resident units' obligations and their yearly fulfilment, under ``/api/v1/services/…``."""

from __future__ import annotations

from community.api_base import ScopedModelSerializer, ScopedViewSet

from . import obligations
from .models import ObligationFulfilment, UnitObligation


class ObligationSerializer(ScopedModelSerializer):
    class Meta:
        model = UnitObligation
        fields = ["id", "unit", "category", "duty", "agreed_on"]


class FulfilmentSerializer(ScopedModelSerializer):
    class Meta:
        model = ObligationFulfilment
        fields = ["id", "obligation", "year", "status", "note"]
        validators = []  # the action refuses a second record of a year with a clear message


def _fill(serializer, model):
    instance = serializer.instance or model()
    for name, value in serializer.validated_data.items():
        setattr(instance, name, value)
    return instance


class ObligationViewSet(ScopedViewSet):
    queryset = UnitObligation.objects.all()
    serializer_class = ObligationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["unit", "category"]

    def select(self, queryset):
        return queryset.select_related("unit")

    def perform_write(self, serializer):
        serializer.instance = obligations.obligation_save(
            by=self.request.user, obligation=_fill(serializer, UnitObligation)
        )


class FulfilmentViewSet(ScopedViewSet):
    queryset = ObligationFulfilment.objects.all()
    serializer_class = FulfilmentSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["obligation", "year", "status"]

    def perform_write(self, serializer):
        serializer.instance = obligations.fulfilment_record(
            by=self.request.user, fulfilment=_fill(serializer, ObligationFulfilment)
        )


def register(router):
    router.register("services/unit-obligations", ObligationViewSet, basename="unit-obligation")
    router.register("services/obligation-fulfilments", FulfilmentViewSet, basename="obligation-fulfilment")
