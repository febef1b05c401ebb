"""API of the staffing app under /api/v1/staffing/…: scoped lists, and every stage step as an action."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from community.api_base import (
    BoundedDateField,
    CursorPagination,
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedViewSet,
)
from community.models import Community
from community.permissions import ScopedModelPermissions
from community.selectors import dashboard_target

from . import actions, selectors
from .choices import IN_FORCE, CampaignKind, Education, ScoreKind, Stage
from .filters import (
    ApplicationFilter,
    CampaignFilter,
    ObjectionFilter,
    PayrollRunFilter,
    PostFilter,
    StaffFilter,
)
from .models import (
    Application,
    Campaign,
    CampaignRules,
    Certificate,
    Examiner,
    Objection,
    PayrollRun,
    PayScale,
    Post,
    StaffMember,
    StageChange,
)

READ = ["get", "head", "options"]


# --- serializers ------------------------------------------------------------------------------


class RulesSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignRules
        fields = ["id", "version", "reason", "frozen", "status", *actions.RULE_FIELDS, "created_at", "approved_at"]
        read_only_fields = ["version", "frozen", "created_at"]


class CampaignSerializer(serializers.ModelSerializer):
    rules = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "town",
            "kind",
            "title",
            "announcement",
            "status",
            "announced_on",
            "scores_published",
            "interview_published",
            "publicity_start",
            "publicity_end",
            "rules",
        ]
        read_only_fields = [
            "status",
            "announced_on",
            "scores_published",
            "interview_published",
            "publicity_start",
            "publicity_end",
        ]

    def get_rules(self, obj) -> dict:
        versions = getattr(obj, "_rules", None)
        rules = versions[0] if versions else None
        return RulesSerializer(rules).data if rules else {}


class PostSerializer(ScopedModelSerializer):
    class Meta:
        model = Post
        fields = [
            "id",
            "campaign",
            "community",
            "title",
            "staff_post",
            "headcount",
            "min_education",
            "max_age",
            "local_registration_required",
            "other_conditions",
            "cancelled",
        ]
        read_only_fields = ["cancelled"]


class ApplicationSerializer(ScopedModelSerializer):
    name = serializers.CharField(source="applicant.name", read_only=True)
    masked_id_number = serializers.CharField(source="applicant.masked_id_number", read_only=True)
    education = serializers.CharField(source="applicant.education", read_only=True)
    community = serializers.IntegerField(source="post.community_id", read_only=True)
    campaign = serializers.IntegerField(source="post.campaign_id", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "campaign",
            "post",
            "community",
            "exam_number",
            "name",
            "masked_id_number",
            "education",
            "stage",
            "exit_reason",
            "written_score",
            "bonus",
            "interview_score",
            "composite_score",
            "rank",
            "stage_date",
            "publicity_end",
        ]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    education = serializers.ChoiceField(choices=Education.choices)
    local_registration = serializers.BooleanField(default=True)
    party_member = serializers.BooleanField(default=False)
    computer_certificate = serializers.BooleanField(default=False)
    incumbent = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all(), required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["post"].queryset = Post.objects.for_user(request.user)
            self.fields["incumbent"].queryset = StaffMember.objects.for_user(request.user)


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    on = BoundedDateField(required=False, allow_null=True, default=None)


class PanelSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.CharField(), help_text=_("examiner id → score"))


class CorrectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ScoreKind.choices)
    new = serializers.CharField()
    reason = serializers.CharField(max_length=200)
    examiner = serializers.IntegerField(required=False, allow_null=True, default=None)


class WrittenScoresSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), help_text=_("exam number → score")
    )
    on = BoundedDateField(required=False, allow_null=True, default=None)


class StepSerializer(serializers.Serializer):
    on = BoundedDateField(required=False, allow_null=True, default=None)


class RulesChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignRules
        fields = ["reason", *actions.RULE_FIELDS]
        extra_kwargs = {name: {"required": False} for name in ["reason", *actions.RULE_FIELDS]}


class ExaminerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Examiner
        fields = ["id", "campaign", "name", "organisation"]


class RelationSerializer(serializers.Serializer):
    applicant = serializers.IntegerField()
    relation = serializers.CharField(max_length=60)


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "campaign", "exam_number", "text", "status", "resolution", "lodged_at", "resolved_at"]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField()


class StageChangeSerializer(ScopedModelSerializer):
    class Meta:
        model = StageChange
        fields = ["id", "application", "old", "new", "by", "at", "on", "reason"]
        read_only_fields = fields


class StaffSerializer(ScopedModelSerializer):
    masked_id_number = serializers.CharField(read_only=True)
    certificate_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "community",
            "name",
            "id_number",
            "masked_id_number",
            "birth_date",
            "birth_year",
            "post",
            "party_member",
            "education",
            "origin",
            "start",
            "end",
            "certificate_count",
        ]
        read_only_fields = ["birth_date", "origin"]
        extra_kwargs = {"id_number": {"write_only": True}, "birth_date": {"allow_null": True}}
        reveal_only = ["birth_date"]  # beside the masked ID number, the full date would give back its 8 digits

    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)


class CertificateSerializer(ScopedModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "staff", "kind", "obtained"]


class PayScaleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayScale
        fields = ["id", "county", "monthly_amount", "effective_from", "note"]


class PayrollRunSerializer(ScopedModelSerializer):
    shares = serializers.SerializerMethodField()

    class Meta:
        model = PayrollRun
        fields = ["id", "community", "month", "total", "status", "ledger_reference", "journal_entry_id", "shares"]
        read_only_fields = fields

    def get_shares(self, obj) -> list[dict]:
        return [
            {"payer": s.payer, "payer_kind": s.payer_kind, "basis_points": s.basis_points, "amount": str(s.amount)}
            for s in obj.shares.all()
        ]


class PayrollRequestSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["community"].queryset = Community.objects.for_user(request.user)


# --- viewsets -------------------------------------------------------------------------------------


def _input(serializer_class, request, view):
    serializer = serializer_class(data=request.data, context={"request": request, "view": view})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CampaignViewSet(viewsets.ModelViewSet):
    """Campaigns (招考 / 竞争上岗) of the towns in scope; every stage step is a POST action."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):

        return (
            Campaign.objects.for_user(self.request.user)
            .select_related("town")
            .prefetch_related(
                Prefetch(
                    "rule_versions",
                    queryset=CampaignRules.objects.filter(status__in=IN_FORCE).order_by("-version"),
                    to_attr="_rules",
                )
            )
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        campaign = actions.campaign_create(
            by=self.request.user,
            town=data["town"],
            kind=data.get("kind", CampaignKind.RECRUITMENT),
            title=data["title"],
            announcement=data.get("announcement", ""),
        )
        serializer.instance = self.get_queryset().get(pk=campaign.pk)

    def perform_update(self, serializer):
        campaign = actions.campaign_edit(
            by=self.request.user, campaign_id=serializer.instance.pk, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=campaign.pk)

    def _done(self, result):
        return Response(result if isinstance(result, dict) else {"count": result})

    @extend_schema(request=RulesChangeSerializer, responses=RulesSerializer)
    @action(detail=True, methods=["post"])
    def rules(self, request, pk=None):
        campaign = self.get_object()
        data = dict(_input(RulesChangeSerializer, request, self))
        reason = data.pop("reason", "")
        rules = actions.rules_update(by=request.user, campaign_id=campaign.pk, reason=reason, **data)
        return Response(RulesSerializer(rules).data)

    @extend_schema(request=StepSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        campaign = self.get_object()
        actions.campaign_announce(
            by=request.user, campaign_id=campaign.pk, on=_input(StepSerializer, request, self)["on"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        return self._done(actions.eligibility_review(by=request.user, campaign_id=self.get_object().pk, on=on))

    @extend_schema(request=WrittenScoresSerializer)
    @action(detail=True, methods=["post"], url_path="written-scores")
    def written_scores(self, request, pk=None):
        data = _input(WrittenScoresSerializer, request, self)
        return self._done(
            actions.written_scores_record(
                by=request.user, campaign_id=self.get_object().pk, scores=data["scores"], on=data["on"]
            )
        )

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"], url_path="publish-written")
    def publish_written(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        return self._done(actions.written_scores_publish(by=request.user, campaign_id=self.get_object().pk, on=on))

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"], url_path="publish-interview")
    def publish_interview(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        campaign = self.get_object()
        result = actions.interview_publish(by=request.user, campaign_id=campaign.pk, on=on)
        result["ranked"] = actions.campaign_rank(by=request.user, campaign_id=campaign.pk, on=on)
        return self._done(result)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def inspection(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        return self._done(actions.inspection_start(by=request.user, campaign_id=self.get_object().pk, on=on))

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def publicity(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        return self._done(actions.publicity_start(by=request.user, campaign_id=self.get_object().pk, on=on))

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        return self._done(actions.publicity_conclude(by=request.user, campaign_id=self.get_object().pk, on=on))

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        on = _input(StepSerializer, request, self)["on"]
        actions.campaign_close(by=request.user, campaign_id=self.get_object().pk, on=on)
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)


class PostViewSet(ScopedViewSet):
    queryset = Post.objects.all()
    serializer_class = PostSerializer
    filterset_class = PostFilter
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.select_related("community")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        campaign, community = data.pop("campaign"), data.pop("community")
        if not Campaign.objects.for_user(self.request.user).filter(pk=campaign.pk).exists():
            raise serializers.ValidationError({"campaign": [_("Unknown campaign.")]})
        serializer.instance = actions.post_add(
            by=self.request.user, campaign_id=campaign.pk, community=community, **data
        )


class ApplicationViewSet(ScopedViewSet):
    """Applications (scoped to the posts' communities); registration and every move go through actions."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    pagination_class = CursorPagination
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.application_list(user=self.request.user)

    @extend_schema(request=RegisterSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        data = dict(_input(RegisterSerializer, request, self))
        post = data.pop("post")
        app = actions.applicant_register(by=request.user, post_id=post.pk, **data)
        return Response(ApplicationSerializer(app).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        app = self.get_object()
        data = _input(MoveSerializer, request, self)
        app = actions.application_move(
            by=request.user, application_id=app.pk, to=data["to"], reason=data["reason"], on=data["on"]
        )
        return Response(ApplicationSerializer(app).data)

    @extend_schema(request=PanelSerializer)
    @action(detail=True, methods=["post"])
    def interview(self, request, pk=None):
        app = self.get_object()
        scores = _input(PanelSerializer, request, self)["scores"]
        try:
            scores = {int(k): v for k, v in scores.items()}
        except ValueError:
            raise serializers.ValidationError({"scores": [_("Key the scores by examiner id.")]})
        saved = actions.interview_panel_record(by=request.user, application_id=app.pk, scores=scores)
        return Response({"count": len(saved)})

    @extend_schema(request=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        app = self.get_object()
        data = _input(CorrectionSerializer, request, self)
        actions.score_correct(
            by=request.user,
            application_id=app.pk,
            kind=data["kind"],
            new=data["new"],
            reason=data["reason"],
            examiner_id=data["examiner"],
        )
        return Response(ApplicationSerializer(self.get_queryset().get(pk=app.pk)).data)


class StageChangeViewSet(ReadOnlyScopedViewSet):
    queryset = StageChange.objects.all()
    serializer_class = StageChangeSerializer
    filterset_fields = ["application", "new"]
    pagination_class = CursorPagination
    http_method_names = READ


class ExaminerViewSet(viewsets.ModelViewSet):
    queryset = Examiner.objects.all()
    serializer_class = ExaminerSerializer
    filterset_fields = ["campaign"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Examiner.objects.for_user(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = actions.examiner_add(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=RelationSerializer)
    @action(detail=True, methods=["post"])
    def relation(self, request, pk=None):
        examiner = self.get_object()
        data = _input(RelationSerializer, request, self)
        actions.relation_declare(
            by=request.user, examiner_id=examiner.pk, applicant_id=data["applicant"], relation=data["relation"]
        )
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


class PostIsChange(ScopedModelPermissions):
    """A POST that changes an existing row (resolving an objection) needs the change permission."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class ObjectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Objections to publicity lists (lodged on the public page); the town's office resolves them."""

    permission_classes = [PostIsChange]
    queryset = Objection.objects.all()
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Objection.objects.for_user(self.request.user)

    @extend_schema(request=ResolveSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        objection = self.get_object()
        data = _input(ResolveSerializer, request, self)
        objection = actions.objection_resolve(
            by=request.user, objection_id=objection.pk, upheld=data["upheld"], resolution=data["resolution"]
        )
        return Response(ObjectionSerializer(objection).data)


class StaffViewSet(ScopedViewSet):
    """The roster (社区工作者); ID numbers write-only, shown masked."""

    queryset = StaffMember.objects.all()
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["id", "name", "community", "post", "education", "origin", "start", "end"]  # no birth date
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.staff_list(user=self.request.user)


class CertificateViewSet(ScopedViewSet):
    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    filterset_fields = ["staff", "kind"]

    def select(self, queryset):
        return queryset.select_related("staff")


class PayScaleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PayScale.objects.all()
    serializer_class = PayScaleSerializer
    filterset_fields = ["county"]
    http_method_names = READ

    def get_queryset(self):
        return PayScale.objects.for_user(self.request.user)


class PayrollRunViewSet(ReadOnlyScopedViewSet):
    queryset = PayrollRun.objects.all()
    serializer_class = PayrollRunSerializer
    filterset_class = PayrollRunFilter
    http_method_names = ["get", "post", "head", "options"]

    def select(self, queryset):
        return queryset.prefetch_related("shares")

    @extend_schema(request=PayrollRequestSerializer, responses=PayrollRunSerializer)
    @action(detail=False, methods=["post"])
    def run(self, request):
        data = _input(PayrollRequestSerializer, request, self)
        payroll_run = actions.payroll_run(by=request.user, community_id=data["community"].pk, month=data["month"])
        return Response(PayrollRunSerializer(self.get_queryset().get(pk=payroll_run.pk)).data)


class CompositionViewSet(viewsets.ViewSet):
    """Composition of the roster for a county, town or community (``?scope=town&id=…``)."""

    @extend_schema(responses={200: dict})
    def list(self, request):

        try:
            target = dashboard_target(
                user=request.user, level=request.query_params.get("scope"), pk=request.query_params.get("id")
            )
        except ValueError as exc:
            raise Http404(str(exc))
        except PermissionDenied:
            raise
        scope = target.scope()
        c = selectors.composition(scope=scope)
        return Response(
            {
                "scope": {"level": target.level, "id": target.obj.pk, "name": target.name},
                "total": c.total,
                "party_members": c.party_members,
                "party_share": str(c.party_share),
                "education": c.education,
                "technical_secondary_or_above": c.technical_or_above,
                "certificates": c.certificates,
                "ages": c.ages,
                "origins": c.origins,
                "communities": selectors.composition_by_community(scope=scope),
            }
        )


def register(router):
    router.register("staffing/campaigns", CampaignViewSet, basename="staffing-campaign")
    router.register("staffing/posts", PostViewSet, basename="staffing-post")
    router.register("staffing/applications", ApplicationViewSet, basename="staffing-application")
    router.register("staffing/stage-changes", StageChangeViewSet, basename="staffing-stagechange")
    router.register("staffing/examiners", ExaminerViewSet, basename="staffing-examiner")
    router.register("staffing/objections", ObjectionViewSet, basename="staffing-objection")
    router.register("staffing/staff", StaffViewSet, basename="staffing-staff")
    router.register("staffing/certificates", CertificateViewSet, basename="staffing-certificate")
    router.register("staffing/pay-scales", PayScaleViewSet, basename="staffing-payscale")
    router.register("staffing/payroll-runs", PayrollRunViewSet, basename="staffing-payrollrun")
    router.register("staffing/composition", CompositionViewSet, basename="staffing-composition")
