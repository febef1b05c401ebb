"""The facility standard (assessments, investments) and the public disclosure with residents' questions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets

from community.actions import record_save
from community.api_base import (
    ScopedModelSerializer,
    ScopedViewSet,
)

from .. import actions
from ..filters import (
    AssessmentFilter,
    QuestionFilter,
)
from ..models import (
    Disclosure,
    DisclosureQuestion,
    FacilityAssessment,
    FacilityInvestment,
    FacilityItem,
)


class AssessmentSerializer(ScopedModelSerializer):
    items_met = serializers.PrimaryKeyRelatedField(many=True, queryset=FacilityItem.objects.all(), required=False)

    class Meta:
        model = FacilityAssessment
        fields = [
            "id",
            "community",
            "assessed_on",
            "office_area",
            "items_met",
            "has_tv",
            "has_vcd",
            "computerised",
            "note",
        ]


class AssessmentViewSet(ScopedViewSet):
    queryset = FacilityAssessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def select(self, queryset):
        return queryset.prefetch_related("items_met")

    def perform_write(self, serializer):

        data = dict(serializer.validated_data)
        items = data.pop("items_met", None)
        instance = serializer.instance or FacilityAssessment()
        for name, value in data.items():
            setattr(instance, name, value)
        instance = record_save(by=self.request.user, instance=instance)
        if items is not None:
            instance.items_met.set(items)
        serializer.instance = instance


class InvestmentSerializer(ScopedModelSerializer):
    class Meta:
        model = FacilityInvestment
        fields = ["id", "entry", "item", "amount"]


class InvestmentViewSet(ScopedViewSet):
    """Ties a voucher to the facility item it paid for."""

    queryset = FacilityInvestment.objects.all()
    serializer_class = InvestmentSerializer
    filterset_fields = ["entry", "item"]


class DisclosureSerializer(ScopedModelSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "year", "quarter", "sha256", "published_by", "published_at", "content"]
        read_only_fields = ["sha256", "published_by", "published_at", "content"]
        validators = []  # a second publication of a quarter is refused by the action, with a message


class DisclosureViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Quarterly public disclosures (财务公开); POST publishes an immutable snapshot."""

    queryset = Disclosure.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = DisclosureSerializer
    filterset_fields = ["community", "year", "quarter"]

    def get_queryset(self):
        return Disclosure.objects.for_user(self.request.user).select_related("community")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.disclosure_publish(
            by=self.request.user, community=data["community"], year=data["year"], quarter=data["quarter"]
        )


class QuestionSerializer(ScopedModelSerializer):
    class Meta:
        model = DisclosureQuestion
        fields = ["id", "disclosure", "line", "question", "contact", "asked_at", "answer", "answered_at"]
        read_only_fields = ["asked_at", "answered_at"]
        extra_kwargs = {"contact": {"write_only": True}, "line": {"required": False}, "question": {"required": False}}


class QuestionViewSet(ScopedViewSet):
    """Residents' questions about disclosure lines; staff record ones received otherwise (POST) and answer (PATCH)."""

    queryset = DisclosureQuestion.objects.all()
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("disclosure")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.question_ask(
            disclosure=data["disclosure"],
            line=data.get("line") or 0,
            question=data.get("question", ""),
            contact=data.get("contact", ""),
        )

    def perform_update(self, serializer):

        data = serializer.validated_data
        question = serializer.instance
        if "disclosure" in data and data["disclosure"].pk != question.disclosure_id:
            raise ValidationError({"disclosure": _("A question stays with its disclosure.")})
        if not self.request.user.has_perm("funding.change_disclosurequestion"):
            raise PermissionDenied(_("Your role may not answer questions."))
        serializer.instance = actions.question_answer(
            by=self.request.user, question_id=question.pk, answer=data.get("answer", "")
        )
