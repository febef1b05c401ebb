"""API of the services app under /api/v1/services/…, scoped to the caller."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from community.api_base import (
    CursorPagination,
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSet,
)
from community.choices import ScopeLevel
from community.models import Community, Department
from community.scoping import ensure_in_scope, scope_of

from . import actions, obligations_api, selectors
from .choices import Channel
from .filters import (
    ActivityFilter,
    CommitmentFilter,
    CommunityEventFilter,
    EvaluationFilter,
    FacilityBookingFilter,
    FacilityFilter,
    ServiceRequestFilter,
)
from .forms import ProcessForm
from .models import (
    Activity,
    Commitment,
    CommunityEvent,
    Evaluation,
    Facility,
    FacilityBooking,
    RequestEvent,
    ServiceCategory,
    ServiceRequest,
)


class ServiceCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = [
            "id",
            "code",
            "name",
            "group",
            "description",
            "department",
            "accept_within_hours",
            "resolve_within_days",
            "paid",
            "price",
            "questions",
            "active",
        ]


class ServiceRequestSerializer(ScopedModelSerializer):
    tracking_code = serializers.CharField(source="display_code", read_only=True)
    masked_phone = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    door_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    # every channel comes back (web, Open311…); staff log only what reached them by phone or at the counter
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)

    STAFF_CHANNELS = (Channel.PHONE, Channel.COUNTER)

    def validate_channel(self, value):
        if value not in self.STAFF_CHANNELS:
            raise serializers.ValidationError(
                _("Staff log requests that came by phone or to the counter; the others arrive by themselves.")
            )
        return value

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "tracking_code",
            "community",
            "category",
            "channel",
            "status",
            "building",
            "door_number",
            "address",
            "description",
            "answers",
            "contact_name",
            "contact_phone",
            "masked_phone",
            "submitted_at",
            "accept_due",
            "resolve_due",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "assigned_user",
            "assigned_department",
            "assigned_party_member_name",
            "duplicate_of",
            "reject_reason",
            "overdue",
            "escalated_at",
            "fee",
            "fee_posted",
            "rating",
            "rating_comment",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "accept_due",
            "resolve_due",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "assigned_user",
            "assigned_department",
            "assigned_party_member_name",
            "duplicate_of",
            "reject_reason",
            "overdue",
            "escalated_at",
            "fee",
            "fee_posted",
            "rating",
            "rating_comment",
        ]


class RequestEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = ["id", "at", "kind", "old_status", "new_status", "note", "public", "by"]


class ProcessSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=[op for op, _label in ProcessForm.OPERATIONS])
    note = serializers.CharField(required=False, allow_blank=True)
    public = serializers.BooleanField(required=False)
    user = serializers.IntegerField(required=False)
    department = serializers.IntegerField(required=False)
    party_member = serializers.BooleanField(required=False)
    fee = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    duplicate_of = serializers.IntegerField(required=False)
    reached = serializers.BooleanField(required=False)
    satisfaction = serializers.CharField(required=False, allow_blank=True)


class ServiceCategoryViewSet(ReadOnlyScopedViewSet):
    """The service catalogue (edited in the admin)."""

    queryset = ServiceCategory.objects.all()
    serializer_class = ServiceCategorySerializer
    filterset_fields = ["active", "paid", "group"]

    def select(self, queryset):
        return queryset.select_related("department")


class ServiceRequestViewSet(ScopedViewSet):
    """Service requests of the caller's communities; staff log phone or counter requests with POST."""

    queryset = ServiceRequest.objects.all()
    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.request_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.request_submit(
            by=self.request.user,
            community=data["community"],
            category=data["category"],
            channel=data.get("channel", Channel.PHONE),
            building=data.get("building"),
            door_number=data.get("door_number", ""),
            address=data.get("address", ""),
            description=data.get("description", ""),
            answers=data.get("answers") or {},
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
        )

    @extend_schema(request=ProcessSerializer, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def process(self, request, pk=None):
        """Accept, assign, start, resolve, close, reject, mark duplicate, note, follow up, escalate, post fee."""
        obj = self.get_object()
        if not request.user.has_perm("services.triage_servicerequest"):
            raise DjangoPermissionDenied
        form = ProcessForm(data=request.data, request_obj=obj, user=request.user)
        if not form.is_valid() or not form.run(by=request.user):
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data)

    @extend_schema(responses={200: RequestEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        obj = self.get_object()
        events = RequestEvent.objects.filter(request=obj).order_by("at", "id")
        return Response(RequestEventSerializer(events, many=True).data)


# --- department-owned rows ----------------------------------------------------------------------


class DepartmentCommunityField(ScopedPrimaryKeyRelatedField):
    """Communities a writer may choose: the scope's, or every community of the county for a liaison."""

    def get_queryset(self):
        request = self.context.get("request")
        scope = scope_of(request.user) if request is not None else None
        if scope is not None and scope.level == ScopeLevel.DEPARTMENT:
            return Community.objects.filter(town__county_id=scope.county_id)
        return super().get_queryset()


class CountyDepartmentField(serializers.PrimaryKeyRelatedField):
    """Departments a writer may choose: their own (liaison) or those of their county."""

    def get_queryset(self):
        request = self.context.get("request")
        scope = scope_of(request.user) if request is not None else None
        if scope is None:
            return Department.objects.none()
        if scope.level == ScopeLevel.DEPARTMENT:
            return Department.objects.filter(pk=scope.department_id)
        if scope.is_all:
            return Department.objects.all()
        return Department.objects.filter(county_id=scope.county_id)


class DepartmentWorkSerializer(ScopedModelSerializer):
    community = DepartmentCommunityField(queryset=Community.objects.all())
    department = CountyDepartmentField(queryset=Department.objects.all())


class CommitmentSerializer(DepartmentWorkSerializer):
    target = serializers.IntegerField(read_only=True)
    done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "community",
            "department",
            "year",
            "kind",
            "title",
            "times",
            "per",
            "staff_assigned",
            "budget",
            "target",
            "done",
        ]


class ActivitySerializer(DepartmentWorkSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "community",
            "department",
            "commitment",
            "kind",
            "date",
            "title",
            "description",
            "participants",
            "staff_involved",
            "staff_count",
            "amount_spent",
            "fund",
        ]


class EvaluationSerializer(DepartmentWorkSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "community", "department", "year", "score", "grade", "comment"]


class ServicesWriteMixin:
    def perform_write(self, serializer):
        instance = serializer.instance or serializer.Meta.model()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = actions.record_save(by=self.request.user, instance=instance)

    def perform_destroy(self, instance):
        ensure_in_scope(self.request.user, instance)
        instance.delete()


class CommitmentViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return selectors.commitment_progress(commitments=queryset).order_by("-year", "community_id", "kind", "id")


class ActivityViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    pagination_class = CursorPagination


class EvaluationViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = Evaluation.objects.all()
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


# --- facilities and events ----------------------------------------------------------------------


class FacilitySerializer(ScopedModelSerializer):
    class Meta:
        model = Facility
        fields = ["id", "unit", "name", "kind", "description", "opening_hours", "capacity", "free", "public"]


class FacilityBookingSerializer(ScopedModelSerializer):
    class Meta:
        model = FacilityBooking
        fields = ["id", "facility", "date", "start", "end", "organiser", "purpose", "status", "attendees"]


class CommunityEventSerializer(ScopedModelSerializer):
    class Meta:
        model = CommunityEvent
        fields = [
            "id",
            "community",
            "kind",
            "title",
            "description",
            "location",
            "starts_at",
            "ends_at",
            "status",
            "public",
            "capacity",
            "attendance",
            "minutes",
        ]
        read_only_fields = ["status", "attendance"]


class FacilityViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class FacilityBookingViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = FacilityBooking.objects.all()
    serializer_class = FacilityBookingSerializer
    filterset_class = FacilityBookingFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class CommunityEventViewSet(ServicesWriteMixin, ScopedViewSet):
    queryset = CommunityEvent.objects.all()
    serializer_class = CommunityEventSerializer
    filterset_class = CommunityEventFilter

    @extend_schema(
        request=inline_serializer(
            "AttendanceSerializer",
            {"attendance": serializers.IntegerField(), "minutes": serializers.CharField(required=False)},
        ),
        responses={200: CommunityEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record how many attended (the event becomes held)."""
        event = self.get_object()
        event = actions.event_record_attendance(
            by=request.user,
            event_id=event.pk,
            attendance=request.data.get("attendance"),
            minutes=request.data.get("minutes", ""),
        )
        return Response(self.get_serializer(event).data)


def register(router):
    router.register("services/categories", ServiceCategoryViewSet, basename="service-category")
    router.register("services/requests", ServiceRequestViewSet, basename="service-request")
    router.register("services/commitments", CommitmentViewSet, basename="service-commitment")
    router.register("services/activities", ActivityViewSet, basename="service-activity")
    router.register("services/evaluations", EvaluationViewSet, basename="service-evaluation")
    router.register("services/facilities", FacilityViewSet, basename="service-facility")
    router.register("services/bookings", FacilityBookingViewSet, basename="service-booking")
    router.register("services/events", CommunityEventViewSet, basename="service-event")

    obligations_api.register(router)
