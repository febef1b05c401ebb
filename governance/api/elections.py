"""API of committee elections: the election's steps, the roll, objections, candidates, ballot boxes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from community.actions import record_save
from community.api_base import (
    BoundedDateField,
    CursorPagination,
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedViewSet,
)
from community.models import Resident

from .. import actions, selectors
from ..choices import ElectionStatus, ObjectionKind
from ..filters import BallotBoxFilter, CandidateFilter, ElectionFilter, ObjectionFilter, VoterFilter
from ..models import BallotBox, Candidate, Election, RollObjection, Tally, Voter
from .common import fill, valid

# --- elections --------------------------------------------------------------------------------


class ElectionSerializer(ScopedModelSerializer):
    class Meta:
        model = Election
        fields = [
            "id",
            "community",
            "title",
            "election_day",
            "objection_deadline",
            "seats",
            "term_start",
            "term_end",
            "status",
            "voters",
            "ballots_cast",
            "turnout",
            "valid",
            "result_notice",
            "seated_at",
        ]
        read_only_fields = [
            "objection_deadline",
            "status",
            "voters",
            "ballots_cast",
            "turnout",
            "valid",
            "result_notice",
            "seated_at",
        ]


class RollDeadlineSerializer(serializers.Serializer):
    objection_deadline = BoundedDateField(required=False, allow_null=True)


class ElectionViewSet(ScopedViewSet):
    """An election from the roll to the seated committee, one POST per step."""

    queryset = Election.objects.all()
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.election_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = actions.election_create(by=self.request.user, election=fill(serializer))

    def perform_update(self, serializer):
        if serializer.instance.status != ElectionStatus.PREPARING:
            raise ValidationError(_("An election can only be edited while its roll is being prepared."))
        serializer.instance = record_save(by=self.request.user, instance=fill(serializer))

    def _step(self, fn, **kwargs):
        election = self.get_object()
        fn(by=self.request.user, election_id=election.pk, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=election.pk)).data)

    @extend_schema(request=None, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"], url_path="generate-roll")
    def generate_roll(self, request, pk=None):
        """(Re)make the voter roll from the register: 18 or over and living here on election day."""
        return self._step(actions.roll_generate)

    @extend_schema(request=RollDeadlineSerializer, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"], url_path="publish-roll")
    def publish_roll(self, request, pk=None):
        return self._step(actions.roll_publish, **valid(RollDeadlineSerializer, request.data))

    @extend_schema(request=None, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"], url_path="open-voting")
    def open_voting(self, request, pk=None):
        return self._step(actions.voting_open)

    @extend_schema(request=None, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        return self._step(actions.election_count)

    @extend_schema(request=None, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"], url_path="publish-result")
    def publish_result(self, request, pk=None):
        return self._step(actions.election_publish)

    @extend_schema(request=None, responses={200: ElectionSerializer})
    @action(detail=True, methods=["post"])
    def seat(self, request, pk=None):
        """The elected become the committee on the staffing roster."""
        return self._step(actions.election_seat)


class VoterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Voter
        fields = ["id", "election", "resident", "on_roll", "change", "reason"]


class VoterViewSet(ReadOnlyScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = Voter.objects.all()
    serializer_class = VoterSerializer
    filterset_class = VoterFilter
    pagination_class = CursorPagination


class RollObjectionSerializer(ScopedModelSerializer):
    kind = serializers.ChoiceField(choices=ObjectionKind.choices)

    class Meta:
        model = RollObjection
        fields = ["id", "election", "resident", "kind", "reason", "status", "decision", "decided_at"]
        read_only_fields = ["status", "decision", "decided_at"]


class ObjectionDecisionSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=500)


class ObjectionViewSet(ScopedViewSet):
    queryset = RollObjection.objects.all()
    serializer_class = RollObjectionSerializer
    filterset_class = ObjectionFilter
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.objection_lodge(
            by=self.request.user,
            election_id=data["election"].pk,
            resident=data["resident"],
            kind=data["kind"],
            reason=data["reason"],
        )

    @extend_schema(request=ObjectionDecisionSerializer, responses={200: RollObjectionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Uphold (the roll changes, with history) or reject an objection."""
        objection_id = self.get_object().pk  # another community's row is a 404 before its input is read
        data = valid(ObjectionDecisionSerializer, request.data)
        objection = actions.objection_decide(by=request.user, objection_id=objection_id, **data)
        return Response(self.get_serializer(objection).data)


class CandidateSerializer(ScopedModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "election", "resident", "post", "education", "party_member", "votes", "rank", "elected"]
        read_only_fields = ["votes", "rank", "elected"]


class CandidateViewSet(ScopedViewSet):
    queryset = Candidate.objects.all()
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = actions.candidate_add(
            by=self.request.user,
            election_id=data["election"].pk,
            resident=data["resident"],
            post=data["post"],
            education=data["education"],
            party_member=data.get("party_member", False),
        )


class BoxTallySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tally
        fields = ["candidate", "votes"]


class BallotBoxSerializer(ScopedModelSerializer):
    tallies = BoxTallySerializer(many=True, read_only=True)

    class Meta:
        model = BallotBox
        fields = [
            "id",
            "election",
            "name",
            "ballots_issued",
            "ballots_returned",
            "invalid_ballots",
            "counted",
            "tallies",
        ]
        read_only_fields = ["ballots_returned", "invalid_ballots", "counted"]


class BoxCountSerializer(serializers.Serializer):
    ballots_returned = serializers.IntegerField(min_value=0, max_value=10_000_000)
    invalid_ballots = serializers.IntegerField(min_value=0, max_value=10_000_000)
    votes = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10_000_000))


class BallotIssueInputSerializer(serializers.Serializer):
    resident = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BallotBoxViewSet(ScopedViewSet):
    queryset = BallotBox.objects.all()
    serializer_class = BallotBoxSerializer
    filterset_class = BallotBoxFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, queryset):
        return queryset.prefetch_related(Prefetch("tallies", queryset=Tally.objects.order_by("candidate_id")))

    def perform_write(self, serializer):
        serializer.instance = actions.box_save(by=self.request.user, box=fill(serializer))

    @extend_schema(request=BoxCountSerializer, responses={200: BallotBoxSerializer})
    @action(detail=True, methods=["post"])
    def tally(self, request, pk=None):
        """Enter the box's count; more ballots than issued, or votes than valid ballots, are refused."""
        box_id = self.get_object().pk  # another community's row is a 404 before its input is read
        data = valid(BoxCountSerializer, request.data)
        box = actions.tally_record(by=request.user, box_id=box_id, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=box.pk)).data)

    @extend_schema(request=BallotIssueInputSerializer, responses={200: BallotBoxSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Hand a ballot to a voter of the roll (refused for anyone else)."""

        box = self.get_object()  # another community's row is a 404 before its input is read
        data = valid(BallotIssueInputSerializer, request.data)
        resident = Resident.objects.for_user(request.user).filter(pk=data["resident"]).first()
        if resident is None:
            raise ValidationError({"resident": _("This person is not on the voter roll.")})
        actions.ballot_issue(by=request.user, box_id=box.pk, resident=resident)
        return Response(self.get_serializer(self.get_queryset().get(pk=box.pk)).data)
