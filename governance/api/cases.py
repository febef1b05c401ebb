"""API of the confidential case records, for staff only; parties masked for everyone but the handler."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from community.api_base import CursorPagination, ScopedModelSerializer, ScopedViewSet
from community.models import Community, User
from community.validators import mask_name, mask_phone

from .. import actions
from ..filters import LegalAidCaseFilter, MediationCaseFilter, PublicOrderRecordFilter
from ..models import LegalAidCase, MediationCase, PublicOrderRecord
from .common import fill, valid

# --- confidential case records ----------------------------------------------------------------


class HandlerField(serializers.PrimaryKeyRelatedField):
    """Handlers a writer may name: accounts of the communities in their scope."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return User.objects.none()
        return User.objects.filter(community__in=Community.objects.for_user(request.user), is_active=True)


class CaseSerializer(ScopedModelSerializer):
    """Parties' names and phones masked for everyone but the handler."""

    handler = HandlerField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not instance.handled_by(request.user):
            for name_field, phone_field in instance.PARTY_FIELDS:
                data[name_field] = mask_name(data.get(name_field) or "")
                data[phone_field] = mask_phone(data.get(phone_field) or "")
        return data


_CASE_COMMON = ["id", "community", "number", "handler", "closed_on"]


class MediationCaseSerializer(CaseSerializer):
    class Meta:
        model = MediationCase
        fields = [
            *_CASE_COMMON,
            "received_on",
            "dispute_kind",
            "applicant_name",
            "applicant_phone",
            "respondent_name",
            "respondent_phone",
            "summary",
            "mediators",
            "outcome",
            "agreement",
            "agreement_signed_on",
        ]


class LegalAidCaseSerializer(CaseSerializer):
    class Meta:
        model = LegalAidCase
        fields = [
            *_CASE_COMMON,
            "received_on",
            "kind",
            "matter",
            "applicant_name",
            "applicant_phone",
            "question",
            "advice",
            "referred_to",
            "outcome",
        ]


class PublicOrderRecordSerializer(CaseSerializer):
    class Meta:
        model = PublicOrderRecord
        fields = [
            *_CASE_COMMON,
            "occurred_at",
            "location",
            "kind",
            "reporter_name",
            "reporter_phone",
            "involved_name",
            "involved_phone",
            "description",
            "action_taken",
            "police_reference",
            "outcome",
        ]


class CaseRevealSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CasePartySerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class CaseViewSet(ScopedViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = CursorPagination

    def select(self, queryset):
        return queryset.select_related("community")

    def perform_write(self, serializer):
        serializer.instance = actions.case_save(by=self.request.user, case=fill(serializer))

    @extend_schema(request=CaseRevealSerializer, responses={200: CasePartySerializer(many=True)})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The parties unmasked, for the handler or with a reason; every reveal is logged."""
        data = valid(CaseRevealSerializer, request.data)
        parties = actions.case_reveal(by=request.user, case=self.get_object(), reason=data.get("reason", ""))
        return Response(CasePartySerializer(parties, many=True).data)


class MediationCaseViewSet(CaseViewSet):
    queryset = MediationCase.objects.all()
    serializer_class = MediationCaseSerializer
    filterset_class = MediationCaseFilter


class LegalAidCaseViewSet(CaseViewSet):
    queryset = LegalAidCase.objects.all()
    serializer_class = LegalAidCaseSerializer
    filterset_class = LegalAidCaseFilter


class PublicOrderRecordViewSet(CaseViewSet):
    queryset = PublicOrderRecord.objects.all()
    serializer_class = PublicOrderRecordSerializer
    filterset_class = PublicOrderRecordFilter
