"""API of the work list app under ``/api/v1/tasks/…``: every write goes through ``worklist.actions``."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from community.api_base import CursorPagination, ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from community.models import Community, Department, Town

from . import actions, selectors
from .choices import AssignmentStatus, IssuerKind
from .filters import (
    GuidanceRecordFilter,
    HandedTaskFilter,
    SupportRequestFilter,
    TaskAssignmentFilter,
    WorkListItemFilter,
)
from .models import (
    AssignmentTransition,
    GuidanceRecord,
    HandedTask,
    ListException,
    SupportRequest,
    TaskAssignment,
    TaskAttachment,
    WorkListItem,
)

# --- the work list ---------------------------------------------------------------------------------


class WorkListItemSerializer(ScopedModelSerializer):
    # the department's county is checked by the action (a plain choice: departments are county rows)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)

    class Meta:
        model = WorkListItem
        fields = [
            "id",
            "county",
            "number",
            "title",
            "legal_basis",
            "department",
            "community_role",
            "valid_from",
            "valid_until",
        ]


class WorkListItemViewSet(ScopedViewSet):
    """社区工作事项清单: the county's work list; the county's officials add and change items."""

    queryset = WorkListItem.objects.all()
    serializer_class = WorkListItemSerializer
    filterset_class = WorkListItemFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("department")

    def perform_write(self, serializer):
        item = serializer.instance or WorkListItem()
        for name, value in serializer.validated_data.items():
            setattr(item, name, value)
        serializer.instance = actions.work_item_save(by=self.request.user, item=item)


class ListExceptionSerializer(ScopedModelSerializer):
    approved_by = serializers.StringRelatedField(read_only=True)
    used_by_task = serializers.SerializerMethodField()

    class Meta:
        model = ListException
        fields = ["id", "county", "title", "reason", "approved_by", "approved_at", "used_by_task"]
        read_only_fields = ["approved_at"]

    def get_used_by_task(self, obj) -> int | None:
        task = getattr(obj, "task", None)
        return task.pk if task is not None else None


class ListExceptionViewSet(ScopedViewSet):
    """Exceptions to the work list, each approved by a county official with its reason."""

    queryset = ListException.objects.all()
    serializer_class = ListExceptionSerializer
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("approved_by", "task")

    def perform_write(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.list_exception_approve(
            by=self.request.user, county=data["county"], title=data["title"], reason=data["reason"]
        )


# --- tasks handed down -------------------------------------------------------------------------------


class TaskAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskAttachment
        fields = ["id", "name", "file"]


class HandedTaskSerializer(ScopedModelSerializer):
    communities = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), many=True, write_only=True, allow_empty=True
    )
    issuer_kind = serializers.ChoiceField(choices=IssuerKind.choices, required=False)
    # issuers are checked by the action against the caller's scope (403 outside it)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all(), allow_null=True, required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    issuer = serializers.CharField(source="issuer_name", read_only=True)
    outside_list = serializers.BooleanField(read_only=True)
    attachments = TaskAttachmentSerializer(many=True, read_only=True)
    communities_count = serializers.IntegerField(read_only=True)
    reported_count = serializers.IntegerField(read_only=True)
    confirmed_count = serializers.IntegerField(read_only=True)
    returned_count = serializers.IntegerField(read_only=True)
    overdue_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = HandedTask
        fields = [
            "id",
            "issuer_kind",
            "town",
            "department",
            "office",
            "issuer",
            "title",
            "description",
            "work_item",
            "exception",
            "outside_list",
            "deadline",
            "feedback_kind",
            "feedback_label",
            "communities",
            "attachments",
            "communities_count",
            "reported_count",
            "confirmed_count",
            "returned_count",
            "overdue_count",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"work_item": {"required": False}, "exception": {"required": False}}


class TaskAssignmentRowSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = TaskAssignment
        fields = [
            "id",
            "community",
            "community_name",
            "status",
            "overdue",
            "accepted_at",
            "reported_at",
            "confirmed_at",
            "return_reason",
            "feedback_text",
            "feedback_number",
            "feedback_file",
        ]


class HandedTaskViewSet(ScopedViewSet):
    """交办事项: tasks handed down to communities; the issuer sees its own, a community those sent to it."""

    queryset = HandedTask.objects.all()
    serializer_class = HandedTaskSerializer
    filterset_class = HandedTaskFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.task_list(user=self.request.user).prefetch_related("attachments")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = actions.handed_task_create(
            by=request.user,
            title=data.get("title", ""),
            deadline=data.get("deadline"),
            communities=data.get("communities", []),
            office=data.get("office", ""),
            description=data.get("description", ""),
            work_item=data.get("work_item"),
            exception=data.get("exception"),
            feedback_kind=data.get("feedback_kind", "text"),
            feedback_label=data.get("feedback_label", ""),
            issuer_kind=data.get("issuer_kind"),
            town=data.get("town"),
            department=data.get("department"),
        )
        created = self.get_queryset().get(pk=task.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TaskAssignmentRowSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="status", pagination_class=None)
    def status_board(self, request, pk=None):
        """Every community's status of this task, on one page."""
        task = self.get_object()
        rows = selectors.task_status_board(task=task)
        return Response(TaskAssignmentRowSerializer(rows, many=True, context={"request": request}).data)


# --- the communities' queue --------------------------------------------------------------------------


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = AssignmentTransition
        fields = ["old", "new", "by", "at", "note"]


class TaskAssignmentSerializer(TaskAssignmentRowSerializer):
    task_title = serializers.CharField(source="task.title", read_only=True)
    issuer = serializers.CharField(source="task.issuer_name", read_only=True)
    deadline = serializers.DateField(source="task.deadline", read_only=True)
    feedback_kind = serializers.CharField(source="task.feedback_kind", read_only=True)
    feedback_label = serializers.CharField(source="task.feedback_label", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(TaskAssignmentRowSerializer.Meta):
        fields = [
            *TaskAssignmentRowSerializer.Meta.fields,
            "task",
            "task_title",
            "issuer",
            "deadline",
            "feedback_kind",
            "feedback_label",
            "transitions",
        ]


class TransitionRequestSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=AssignmentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="")
    number = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    file = serializers.FileField(required=False, allow_null=True, default=None)


class TaskAssignmentViewSet(ReadOnlyScopedViewSet):
    """A community's queue of tasks; steps through ``POST …/{id}/transition/`` (accept, start, report, return,
    and for the issuer confirm or send back)."""

    queryset = TaskAssignment.objects.all()
    serializer_class = TaskAssignmentSerializer
    filterset_class = TaskAssignmentFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.assignment_queue(user=self.request.user).prefetch_related(
            Prefetch("transitions", queryset=AssignmentTransition.objects.select_related("by"))
        )

    @extend_schema(request=TransitionRequestSerializer, responses={200: TaskAssignmentSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transition(self, request, pk=None):
        assignment = self.get_object()  # 404 outside the caller's reach
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        actions.assignment_move(
            by=request.user,
            assignment_id=assignment.pk,
            to=data["to"],
            note=data["note"],
            text=data["text"],
            number=data["number"],
            file=data["file"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)


# --- guidance and support ------------------------------------------------------------------------------


class GuidanceRecordSerializer(ScopedModelSerializer):
    recorded_by = serializers.StringRelatedField(read_only=True, allow_null=True)  # a record its writer outlived

    class Meta:
        model = GuidanceRecord
        fields = ["id", "community", "kind", "date", "topic", "attendees", "attendee_count", "notes", "recorded_by"]


class GuidanceRecordViewSet(ScopedViewSet):
    """The town's guidance visits and trainings for the committees."""

    queryset = GuidanceRecord.objects.all()
    serializer_class = GuidanceRecordSerializer
    filterset_class = GuidanceRecordFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("recorded_by")

    def perform_write(self, serializer):
        record = serializer.instance or GuidanceRecord()
        for name, value in serializer.validated_data.items():
            setattr(record, name, value)
        serializer.instance = actions.guidance_record_save(by=self.request.user, record=record)


class SupportRequestSerializer(ScopedModelSerializer):
    requested_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    answered_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "community",
            "title",
            "body",
            "status",
            "requested_by",
            "created_at",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = ["status", "created_at", "answer", "answered_at"]


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


class SupportRequestViewSet(ScopedViewSet):
    """The committees' requests for support; the town answers them (``POST …/{id}/answer/``)."""

    queryset = SupportRequest.objects.all()
    serializer_class = SupportRequestSerializer
    filterset_class = SupportRequestFilter
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("requested_by", "answered_by")

    def perform_write(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.support_request_create(
            by=self.request.user, community=data["community"], title=data["title"], body=data["body"]
        )

    @extend_schema(request=AnswerSerializer, responses={200: SupportRequestSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def answer(self, request, pk=None):
        support = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.support_request_answer(by=request.user, request_id=support.pk, answer=body.validated_data["answer"])
        return Response(self.get_serializer(self.get_queryset().get(pk=support.pk)).data)


# the status board answers rows of a serializer defined after the viewset
HandedTaskViewSet.status_board = extend_schema(responses={200: TaskAssignmentRowSerializer(many=True)})(
    HandedTaskViewSet.status_board
)


def register(router):
    router.register("tasks/items", WorkListItemViewSet, basename="worklistitem")
    router.register("tasks/exceptions", ListExceptionViewSet, basename="listexception")
    router.register("tasks/handed", HandedTaskViewSet, basename="handedtask")
    router.register("tasks/assignments", TaskAssignmentViewSet, basename="taskassignment")
    router.register("tasks/guidance", GuidanceRecordViewSet, basename="guidancerecord")
    router.register("tasks/support", SupportRequestViewSet, basename="supportrequest")
