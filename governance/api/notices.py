"""API of notices and residents' meetings (/api/v1/governance/notices, meetings, agenda, attendees, resolutions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from community.api_base import BoundedDateTimeField, ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from utilities.parsers import SafeJSONParser

from .. import actions, selectors
from ..filters import MeetingFilter, NoticeFilter, ResolutionFilter
from ..models import AgendaItem, Attendee, Meeting, Notice, NoticeAttachment, Resolution
from .common import fill, valid

# --- notices ----------------------------------------------------------------------------------


class NoticeAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeAttachment
        fields = ["id", "notice", "title", "file", "size", "content_type", "uploaded_at"]
        read_only_fields = fields


class NoticeSerializer(ScopedModelSerializer):
    is_published = serializers.BooleanField(read_only=True)
    attachment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "community",
            "category",
            "title",
            "body",
            "origin",
            "publish_at",
            "unpublish_at",
            "pinned",
            "is_published",
            "attachment_count",
            "created_by",
        ]
        read_only_fields = ["origin", "created_by"]


class NoticePublishSerializer(serializers.Serializer):
    at = BoundedDateTimeField(required=False, allow_null=True)
    until = BoundedDateTimeField(required=False, allow_null=True)


class NoticeUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class NoticeViewSet(ScopedViewSet):
    """Notices of the caller's communities; drafts until published."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return selectors.notice_list(user=self.request.user)

    def perform_write(self, serializer):
        serializer.instance = actions.notice_save(by=self.request.user, notice=fill(serializer))

    @extend_schema(request=NoticePublishSerializer, responses={200: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = valid(NoticePublishSerializer, request.data)
        notice = actions.notice_publish(by=request.user, notice_id=self.get_object().pk, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(request=None, responses={200: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        notice = actions.notice_unpublish(by=request.user, notice_id=self.get_object().pk)
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(request=NoticeUploadSerializer, responses={201: NoticeAttachmentSerializer})
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        notice_id = self.get_object().pk  # another community's row is a 404 before its input is read
        data = valid(NoticeUploadSerializer, request.data)
        attachment = actions.attachment_add(
            by=request.user, notice_id=notice_id, upload=data["file"], title=data.get("title", "")
        )
        return Response(NoticeAttachmentSerializer(attachment).data, status=201)


class AttachmentViewSet(ReadOnlyScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = NoticeAttachment.objects.all()
    serializer_class = NoticeAttachmentSerializer
    filterset_fields = ["notice"]


# --- meetings ---------------------------------------------------------------------------------


class MeetingSerializer(ScopedModelSerializer):
    eligible = serializers.IntegerField(required=False, min_value=1, max_value=10_000_000)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "community",
            "kind",
            "title",
            "starts_at",
            "location",
            "status",
            "quorum_basis",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_strict",
            "eligible",
            "present",
            "attendee_count",
            "quorate",
            "minutes",
        ]
        read_only_fields = ["status", "present", "attendee_count", "quorate"]
        extra_kwargs = {
            "quorum_basis": {"required": False},
            "quorum_numerator": {"required": False},
            "quorum_denominator": {"required": False},
        }


class MeetingMinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class MeetingViewSet(ScopedViewSet):
    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.meeting_create(
            by=self.request.user,
            community=data["community"],
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            location=data["location"],
            eligible=data.get("eligible"),
            minutes=data.get("minutes", ""),
        )

    def perform_update(self, serializer):
        serializer.instance = actions.meeting_save(by=self.request.user, meeting=fill(serializer))

    @extend_schema(request=MeetingMinutesSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """Record that the meeting took place: the quorum is checked against the attendees."""
        data = valid(MeetingMinutesSerializer, request.data)
        meeting = actions.meeting_record_held(by=request.user, meeting_id=self.get_object().pk, **data)
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=None, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = actions.meeting_cancel(by=request.user, meeting_id=self.get_object().pk)
        return Response(self.get_serializer(meeting).data)


class AgendaItemSerializer(ScopedModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "order", "title", "description"]


class AgendaItemViewSet(ScopedViewSet):
    queryset = AgendaItem.objects.all()
    serializer_class = AgendaItemSerializer
    filterset_fields = ["meeting"]


class AttendeeSerializer(ScopedModelSerializer):
    class Meta:
        model = Attendee
        fields = ["id", "meeting", "resident", "household", "unit", "representative"]


class AttendeeViewSet(ScopedViewSet):
    """Attendees from the register; adding or removing one re-checks the quorum."""

    queryset = Attendee.objects.all()
    serializer_class = AttendeeSerializer
    filterset_fields = ["meeting"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.attendee_add(
            by=self.request.user,
            meeting_id=data["meeting"].pk,
            resident=data.get("resident"),
            household=data.get("household"),
            unit=data.get("unit"),
            representative=data.get("representative", False),
        )

    def perform_destroy(self, instance):
        actions.attendee_remove(by=self.request.user, attendee_id=instance.pk)


class ResolutionSerializer(ScopedModelSerializer):
    class Meta:
        model = Resolution
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "number",
            "title",
            "text",
            "votes_for",
            "votes_against",
            "abstentions",
            "passed",
            "notice",
        ]
        read_only_fields = ["number", "passed", "notice"]


class ResolutionViewSet(ScopedViewSet):
    """Resolutions with their votes: more votes than attendees are refused."""

    queryset = Resolution.objects.all()
    serializer_class = ResolutionSerializer
    filterset_class = ResolutionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("meeting")

    def perform_write(self, serializer):
        instance = serializer.instance
        data = serializer.validated_data

        def value(name, default=None):
            return data[name] if name in data else getattr(instance, name, default)

        serializer.instance = actions.resolution_record(
            by=self.request.user,
            meeting_id=value("meeting").pk,
            title=value("title", ""),
            text=value("text", ""),
            votes_for=value("votes_for", 0),
            votes_against=value("votes_against", 0),
            abstentions=value("abstentions", 0),
            agenda_item=value("agenda_item"),
            resolution_id=instance.pk if instance else None,
        )

    @extend_schema(request=None, responses={200: ResolutionSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Put the resolution on the community's notice board."""
        resolution = actions.resolution_publish(by=request.user, resolution_id=self.get_object().pk)
        return Response(self.get_serializer(resolution).data)
