"""Serializers and viewsets under ``/api/v1/partybuild/…``: scoped, filtered, every write through actions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from community.api_base import (
    BoundedDateField,
    BoundedDateTimeField,
    CursorPagination,
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedViewSet,
)
from community.models import Community
from community.scoping import scope_of

from . import actions, selectors
from .choices import CoverageRole, EndReason, LeaveReason
from .filters import (
    AssignmentFilter,
    LiaisonFilter,
    PartyMemberFilter,
    PartyOrganisationFilter,
    PositionFilter,
    VisitFilter,
)
from .models import (
    Assignment,
    CoverageReport,
    Liaison,
    PartyMember,
    PartyOrganisation,
    Position,
    Visit,
    VisitsDueNotice,
)
from .views import resolve_unit

# --- serializers ------------------------------------------------------------------------


class PartyOrganisationSerializer(ScopedModelSerializer):
    class Meta:
        model = PartyOrganisation
        fields = ["id", "kind", "name", "parent", "town", "community", "established"]
        read_only_fields = ["town"]
        validators = []  # the tree and uniqueness rules live in actions.organisation_save


class PartyMemberSerializer(ScopedModelSerializer):
    community = serializers.IntegerField(source="organisation.community_id", read_only=True, allow_null=True)
    load = serializers.SerializerMethodField()

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "name",
            "organisation",
            "community",
            "resident",
            "status",
            "kind",
            "workplace",
            "joined_party",
            "registered",
            "is_committee_staff",
            "email",
            "left",
            "left_reason",
            "left_to",
            "load",
        ]
        read_only_fields = ["left", "left_reason", "left_to"]
        validators = []

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_load(self, obj) -> int | None:
        return getattr(obj, "load", None)


class TransferOutSerializer(serializers.Serializer):
    on = BoundedDateField(required=False)
    left_reason = serializers.ChoiceField(choices=LeaveReason.choices, default=LeaveReason.TRANSFERRED_OUT)
    destination = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class PositionSerializer(ScopedModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "member", "organisation", "role", "start", "end"]
        validators = []


class EndSerializer(serializers.Serializer):
    on = BoundedDateField(required=False)
    end_reason = serializers.ChoiceField(choices=EndReason.choices, default=EndReason.OTHER)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ScopedCommunityField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return Community.objects.for_user(request.user) if request is not None else Community.objects.none()


class LiaisonSerializer(ScopedModelSerializer):
    community = ScopedCommunityField(
        queryset=Community.objects.all(),
        required=False,
        help_text="Optional: where the link lies (derived from its ends; must agree when given).",
    )

    class Meta:
        model = Liaison
        fields = [
            "id",
            "kind",
            "community",
            "from_org",
            "from_member",
            "to_org",
            "to_member",
            "start",
            "end",
            "end_reason",
            "note",
        ]
        read_only_fields = ["end", "end_reason"]
        validators = []


class AssignmentSerializer(ScopedModelSerializer):
    community = ScopedCommunityField(
        queryset=Community.objects.all(), required=False, help_text="The community covered (包点)."
    )
    member_name = serializers.CharField(source="member.name", read_only=True)
    target_name = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "member",
            "member_name",
            "role",
            "community",
            "zone",
            "building",
            "household",
            "target_name",
            "start",
            "end",
            "end_reason",
            "end_note",
            "replaces",
            "created_by",
        ]
        read_only_fields = ["end", "end_reason", "end_note", "replaces", "created_by"]
        validators = []

    @extend_schema_field(serializers.CharField())
    def get_target_name(self, obj) -> str:
        target = {
            CoverageRole.POINT: obj.community,
            CoverageRole.ZONE: obj.zone,
            CoverageRole.BUILDING: obj.building,
            CoverageRole.HOUSEHOLD: obj.household,
        }[obj.role]
        if obj.role == CoverageRole.HOUSEHOLD:
            return f"{target.building.name} {target.number}"
        return getattr(target, "name", str(target))

    def validate(self, attrs):
        role = attrs.get("role")
        field = {CoverageRole.POINT: "community"}.get(role, role)
        if field and attrs.get(field) is None:
            what = Assignment._meta.get_field(field).verbose_name
            raise serializers.ValidationError({field: _("Choose the %(what)s to cover.") % {"what": what}})
        return attrs


class AssignmentHistorySerializer(serializers.Serializer):
    """One recorded version of an assignment (django-simple-history): what it was after each change."""

    history_id = serializers.IntegerField()
    history_date = BoundedDateTimeField()
    history_type = serializers.CharField(help_text="+ created, ~ changed, - deleted")
    history_user = serializers.CharField(source="history_user.username", allow_null=True, default=None)
    member = serializers.IntegerField(source="member_id")
    start = BoundedDateField()
    end = BoundedDateField(allow_null=True)
    end_reason = serializers.CharField()
    end_note = serializers.CharField()
    replaces = serializers.IntegerField(source="replaces_id", allow_null=True)
    ended_by = serializers.IntegerField(source="ended_by_id", allow_null=True)


class HandoverSerializer(serializers.Serializer):
    to_member = serializers.IntegerField()
    on = BoundedDateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class BulkAssignSerializer(serializers.Serializer):
    building = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    start = BoundedDateField(required=False)


class RebalanceSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    on = BoundedDateField(required=False)


class VisitSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "member",
            "member_name",
            "household",
            "date",
            "way",
            "raised",
            "needs_follow_up",
            "by_coverer",
            "service_request_code",
            "recorded_by",
        ]
        read_only_fields = ["by_coverer", "service_request_code", "recorded_by"]
        validators = []


class LinkRequestSerializer(serializers.Serializer):
    request_code = serializers.CharField(max_length=40)


class VisitsDueNoticeSerializer(ScopedModelSerializer):
    class Meta:
        model = VisitsDueNotice
        fields = ["id", "branch", "week", "recipient", "email", "due_days", "household_count", "body", "emailed_at"]


class CoverageReportSerializer(ScopedModelSerializer):
    class Meta:
        model = CoverageReport
        fields = [
            "id",
            "community",
            "month",
            "households",
            "covered",
            "visited_30",
            "visited_90",
            "visits",
            "members",
            "members_outside_band",
            "zones_uncovered",
            "buildings_uncovered",
            "ended_without_successor",
        ]


# --- viewsets ---------------------------------------------------------------------------


class PartyOrganisationViewSet(ScopedViewSet):
    """The party-organisation tree: the town committee, community branches, party groups."""

    queryset = PartyOrganisation.objects.all()
    serializer_class = PartyOrganisationSerializer
    filterset_class = PartyOrganisationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("town", "community", "parent")

    def perform_write(self, serializer):
        instance = serializer.instance or PartyOrganisation()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = actions.organisation_save(by=self.request.user, instance=instance)


class PartyMemberViewSet(ScopedViewSet):
    """Party members, with the number of households each covers (``load``)."""

    queryset = PartyMember.objects.all()
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        # a correlated count on the active-assignment index: computed for the page's rows only, where a
        # JOIN … GROUP BY would aggregate every member's assignments before the LIMIT
        return queryset.select_related("organisation").annotate(load=selectors.household_load())

    def perform_write(self, serializer):
        instance = serializer.instance or PartyMember()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = actions.member_save(by=self.request.user, instance=instance)

    @extend_schema(request=TransferOutSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-out")
    def transfer_out(self, request, pk=None):
        """The member leaves (组织关系转接 or a move); every assignment ends with that reason."""
        member = self.get_object()
        params = TransferOutSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        member, _ended = actions.member_transfer_out(
            by=request.user,
            member_id=member.pk,
            on=data.get("on"),
            reason=data["left_reason"],
            destination=data["destination"],
        )
        return Response(PartyMemberSerializer(member, context=self.get_serializer_context()).data)


class PositionViewSet(ScopedViewSet):
    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("member", "organisation")

    def perform_write(self, serializer):
        instance = serializer.instance or Position()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = actions.position_save(by=self.request.user, instance=instance)

    @extend_schema(request=EndSerializer, responses=PositionSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        position = self.get_object()
        params = EndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        position = actions.position_end(by=request.user, position_id=position.pk, on=params.validated_data.get("on"))
        return Response(PositionSerializer(position, context=self.get_serializer_context()).data)


class LiaisonViewSet(ScopedViewSet):
    """四联: committee ↔ branch, committee member ↔ branch secretary, branch ↔ member (time-bounded)."""

    queryset = Liaison.objects.all()
    serializer_class = LiaisonSerializer
    filterset_class = LiaisonFilter
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("community", "from_org", "to_org", "from_member", "to_member")

    def perform_create(self, serializer):
        data = serializer.validated_data
        liaison = actions.liaison_create(
            by=self.request.user,
            kind=data["kind"],
            from_org_id=getattr(data.get("from_org"), "pk", None),
            to_org_id=getattr(data.get("to_org"), "pk", None),
            from_member_id=getattr(data.get("from_member"), "pk", None),
            to_member_id=getattr(data.get("to_member"), "pk", None),
            start=data.get("start"),
            note=data.get("note", ""),
        )
        if data.get("community") is not None and data["community"].pk != liaison.community_id:
            raise DjangoValidationError({"community": _("This link lies in another community.")})
        serializer.instance = liaison

    @extend_schema(request=EndSerializer, responses=LiaisonSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        liaison = self.get_object()
        params = EndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        liaison = actions.liaison_end(
            by=request.user,
            liaison_id=liaison.pk,
            on=params.validated_data.get("on"),
            reason=params.validated_data["end_reason"],
        )
        return Response(LiaisonSerializer(liaison, context=self.get_serializer_context()).data)


class AssignmentViewSet(ScopedViewSet):
    """四包: coverage duties; created, ended, handed over, bulk-assigned and rebalanced through actions."""

    queryset = Assignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("member", "community", "zone", "building", "household__building")

    def perform_create(self, serializer):
        data = serializer.validated_data
        role = data["role"]
        target = data[{CoverageRole.POINT: "community"}.get(role, role)]
        fields = actions.target_fields(role, target) if role != CoverageRole.POINT else {"community": target}
        if (
            role != CoverageRole.POINT
            and data.get("community") is not None
            and data["community"] != fields["community"]
        ):
            raise DjangoValidationError({"community": _("The target lies in another community.")})
        serializer.instance = actions.assignment_create(
            by=self.request.user, member_id=data["member"].pk, role=role, target_id=target.pk, start=data.get("start")
        )

    def _respond(self, instance, status=200):
        return Response(AssignmentSerializer(instance, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=EndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        params = EndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._respond(
            actions.assignment_end(
                by=request.user,
                assignment_id=assignment.pk,
                reason=params.validated_data["end_reason"],
                on=params.validated_data.get("on"),
                note=params.validated_data["note"],
            )
        )

    @extend_schema(responses=AssignmentHistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Every recorded version of the assignment, oldest first, with who made the change."""
        assignment = self.get_object()
        records = selectors.assignment_history(assignment_id=assignment.pk)
        return Response(AssignmentHistorySerializer(records, many=True).data)

    @extend_schema(request=HandoverSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        assignment = self.get_object()
        params = HandoverSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        created = actions.assignment_handover(
            by=request.user,
            assignment_id=assignment.pk,
            to_member_id=data["to_member"],
            on=data.get("on"),
            note=data.get("note", ""),
        )
        return self._respond(created, status=201)

    @extend_schema(request=BulkAssignSerializer, responses=AssignmentSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="bulk-assign-building")
    def bulk_assign_building(self, request):
        params = BulkAssignSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        created = actions.coverage_bulk_assign_building(
            by=request.user, building_id=data["building"], member_ids=data["members"], start=data.get("start")
        )
        return Response(
            AssignmentSerializer(created, many=True, context=self.get_serializer_context()).data, status=201
        )

    @extend_schema(request=RebalanceSerializer, responses=AssignmentSerializer(many=True))
    @action(detail=False, methods=["post"])
    def rebalance(self, request):
        params = RebalanceSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        moved = actions.coverage_rebalance(
            by=request.user, community_id=params.validated_data["community"], on=params.validated_data.get("on")
        )
        return Response(AssignmentSerializer(moved, many=True, context=self.get_serializer_context()).data)


class VisitViewSet(ScopedViewSet):
    """走访: recorded through ``visit_record``; ``by_coverer`` is false for a visit by a non-covering member."""

    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("member")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.visit_record(
            by=self.request.user,
            member_id=data["member"].pk,
            household_id=data["household"].pk,
            date=data["date"],
            way=data.get("way", "door"),
            raised=data.get("raised", ""),
            needs_follow_up=data.get("needs_follow_up", False),
        )

    @extend_schema(request=LinkRequestSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"], url_path="link-request")
    def link_request(self, request, pk=None):
        visit = self.get_object()
        params = LinkRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        visit = actions.visit_link_request(
            by=request.user, visit_id=visit.pk, request_code=params.validated_data["request_code"]
        )
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data)


class VisitsDueNoticeViewSet(ReadOnlyScopedViewSet):
    queryset = VisitsDueNotice.objects.all()
    serializer_class = VisitsDueNoticeSerializer
    filterset_fields = ["branch", "week"]


class CoverageReportViewSet(ReadOnlyScopedViewSet):
    queryset = CoverageReport.objects.all()
    serializer_class = CoverageReportSerializer
    filterset_fields = ["community", "month"]


class CoverageViewSet(viewsets.ViewSet):
    """Coverage indicators, drillable county → town → community → zone → building."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=selectors.LEVELS),
            OpenApiParameter("id", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        try:
            level, unit = resolve_unit(request.user, request.query_params.get("level"), request.query_params.get("id"))
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=403)
        except LookupError as exc:
            return Response({"detail": str(exc)}, status=404)
        scope = scope_of(request.user)
        summary = None
        if level in ("county", "town", "community"):
            community_ids = (
                Community.objects.for_scope(scope)
                .filter(**{{"county": "town__county_id", "town": "town_id", "community": "pk"}[level]: unit.pk})
                .values_list("pk", flat=True)
            )
            summary = selectors.coverage_summary(scope=scope, community_ids=community_ids)
        summaries = selectors.summarised_communities(user=request.user, level=level, unit_id=unit.pk)
        children = selectors.uncovered_children(user=request.user, level=level, unit_id=unit.pk, summaries=summaries)
        return Response(
            {
                "level": level,
                "id": unit.pk,
                "name": str(unit),
                "uncovered_households": selectors.uncovered_count(
                    user=request.user, level=level, unit_id=unit.pk, summaries=summaries
                ),
                "children": [c._asdict() for c in children],
                "communities": [
                    {
                        "id": r.id,
                        "name": r.name,
                        "households": r.households,
                        "uncovered": r.uncovered,
                        "zones_uncovered": r.zones_uncovered,
                        "buildings_uncovered": r.buildings_uncovered,
                        "point_covered": r.point_covered,
                        "members": r.members,
                        "members_outside_band": r.members_outside_band,
                        "visited_30": r.visited_30,
                        "visited_90": r.visited_90,
                        "ended_without_successor": r.ended_without_successor,
                    }
                    for r in (summary.rows if summary else [])
                ],
                "members": [
                    {"id": m.id, "name": m.name, "community": m.community_id, "load": m.load, "flag": m.flag}
                    for m in (summary.members if summary else [])
                ],
                "band": list(selectors.load_band()),
            }
        )


def register(router):
    router.register("partybuild/organisations", PartyOrganisationViewSet, basename="partyorganisation")
    router.register("partybuild/members", PartyMemberViewSet, basename="partymember")
    router.register("partybuild/positions", PositionViewSet, basename="partyposition")
    router.register("partybuild/liaisons", LiaisonViewSet, basename="partyliaison")
    router.register("partybuild/assignments", AssignmentViewSet, basename="partyassignment")
    router.register("partybuild/visits", VisitViewSet, basename="partyvisit")
    router.register("partybuild/visits-due", VisitsDueNoticeViewSet, basename="partyvisitsdue")
    router.register("partybuild/coverage-reports", CoverageReportViewSet, basename="partycoveragereport")
    router.register("partybuild/coverage", CoverageViewSet, basename="partycoverage")
