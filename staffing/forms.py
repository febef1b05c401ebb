"""Forms: the admin's action forms (each one calls an action in ``clean``) and the public objection form."""

from __future__ import annotations

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from utilities.forms import ActionModelForm

from . import actions
from .actions import calendar as calendar_actions
from .choices import Stage
from .models import (
    Applicant,
    Application,
    BonusPoint,
    CalendarYear,
    Campaign,
    CampaignRules,
    Examiner,
    ExaminerRelation,
    InterviewScore,
    Objection,
    PayrollRun,
    Post,
    ScoreCorrection,
    WorkdayOverride,
)


class CampaignForm(ActionModelForm):
    class Meta:
        model = Campaign
        fields = ["town", "kind", "title", "announcement"]

    def run(self, cleaned):
        if self.instance.pk:
            return actions.campaign_edit(
                by=self.user,
                campaign_id=self.instance.pk,
                town=cleaned["town"],
                kind=cleaned["kind"],
                title=cleaned["title"],
                announcement=cleaned["announcement"],
            )
        return actions.campaign_create(
            by=self.user,
            town=cleaned["town"],
            kind=cleaned["kind"],
            title=cleaned["title"],
            announcement=cleaned["announcement"],
        )


class RulesForm(ActionModelForm):
    class Meta:
        model = CampaignRules
        fields = ["campaign", "reason", *actions.RULE_FIELDS]

    def run(self, cleaned):
        data = {name: cleaned[name] for name in actions.RULE_FIELDS if name in cleaned}
        return actions.rules_update(by=self.user, campaign_id=cleaned["campaign"].pk, reason=cleaned["reason"], **data)


class CalendarYearForm(ActionModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "notice"]

    def run(self, cleaned):
        year = self.instance if self.instance.pk else CalendarYear()
        year.year, year.notice = cleaned["year"], cleaned["notice"]
        return calendar_actions.calendar_year_save(by=self.user, year=year)


class CalendarDayForm(ActionModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_workday", "holiday", "note"]

    def run(self, cleaned):
        day = self.instance if self.instance.pk else WorkdayOverride()
        for name in ("date", "is_workday", "holiday", "note"):
            setattr(day, name, cleaned[name])
        return calendar_actions.calendar_day_save(by=self.user, day=day)


class PostForm(ActionModelForm):
    class Meta:
        model = Post
        fields = [
            "campaign",
            "community",
            "title",
            "staff_post",
            "headcount",
            "min_education",
            "max_age",
            "local_registration_required",
            "other_conditions",
        ]

    def run(self, cleaned):
        data = dict(cleaned)
        campaign, community = data.pop("campaign"), data.pop("community")
        if self.instance.pk:  # a change, not a second post (the campaign stays the post's own)
            return actions.post_update(by=self.user, post_id=self.instance.pk, community=community, **data)
        return actions.post_add(by=self.user, campaign_id=campaign.pk, community=community, **data)


class ApplicantForm(ActionModelForm):
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label=_("post"))

    class Meta:
        model = Applicant
        fields = [
            "post",
            "name",
            "id_number",
            "phone",
            "education",
            "local_registration",
            "party_member",
            "computer_certificate",
            "incumbent",
        ]

    def run(self, cleaned):
        data = dict(cleaned)
        post = data.pop("post")
        return actions.applicant_register(by=self.user, post_id=post.pk, **data).applicant


class BonusForm(ActionModelForm):
    class Meta:
        model = BonusPoint
        fields = ["application", "reason", "points"]

    def run(self, cleaned):
        return actions.bonus_add(
            by=self.user, application_id=cleaned["application"].pk, reason=cleaned["reason"], points=cleaned["points"]
        )


class ExaminerForm(ActionModelForm):
    class Meta:
        model = Examiner
        fields = ["campaign", "name", "organisation"]

    def run(self, cleaned):
        return actions.examiner_add(by=self.user, **cleaned)


class RelationForm(ActionModelForm):
    class Meta:
        model = ExaminerRelation
        fields = ["examiner", "applicant", "relation"]

    def run(self, cleaned):
        return actions.relation_declare(
            by=self.user,
            examiner_id=cleaned["examiner"].pk,
            applicant_id=cleaned["applicant"].pk,
            relation=cleaned["relation"],
        )


class InterviewScoreForm(ActionModelForm):
    class Meta:
        model = InterviewScore
        fields = ["application", "examiner", "score"]

    def run(self, cleaned):
        saved = actions.interview_panel_record(
            by=self.user,
            application_id=cleaned["application"].pk,
            scores={cleaned["examiner"].pk: cleaned["score"]},
        )
        return saved[0]


class CorrectionForm(ActionModelForm):
    class Meta:
        model = ScoreCorrection
        fields = ["application", "kind", "examiner", "new", "reason"]

    def run(self, cleaned):
        return actions.score_correct(
            by=self.user,
            application_id=cleaned["application"].pk,
            kind=cleaned["kind"],
            new=cleaned["new"],
            reason=cleaned["reason"],
            examiner_id=cleaned["examiner"].pk if cleaned.get("examiner") else None,
        )


class ResolveForm(ActionModelForm):
    upheld = forms.BooleanField(label=_("objection upheld"), required=False)
    resolution_text = forms.CharField(label=_("resolution"), widget=forms.Textarea)

    class Meta:
        model = Objection
        fields = []

    def run(self, cleaned):
        return actions.objection_resolve(
            by=self.user, objection_id=self.instance.pk, upheld=cleaned["upheld"], resolution=cleaned["resolution_text"]
        )


class PayrollForm(ActionModelForm):
    class Meta:
        model = PayrollRun
        fields = ["community", "month"]

    def run(self, cleaned):
        return actions.payroll_run(by=self.user, community_id=cleaned["community"].pk, month=cleaned["month"])


class ApplicationActionForm(ActionForm):
    """The changelist's action bar: where to move the selected applications, when and why."""

    to = forms.ChoiceField(label=_("to stage"), choices=[("", "---------"), *Stage.choices], required=False)
    on = forms.DateField(label=_("on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ScoreImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("Excel sheet"), required=False, help_text=_("Column A: exam number; column B: score (empty = absent).")
    )
    text = forms.CharField(
        label=_("or type the scores"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One “exam number, score” per line."),
    )

    def scores(self) -> dict:
        if self.cleaned_data.get("sheet"):
            return actions.read_score_sheet(self.cleaned_data["sheet"])
        rows = {}
        for number, line in enumerate((self.cleaned_data.get("text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 2:
                raise ValidationError(_("Line %(n)s: write “exam number, score”.") % {"n": number})
            rows[parts[0]] = parts[1]
        if not rows:
            raise ValidationError(_("Upload a sheet or type the scores."))
        return rows


class ObjectionForm(forms.Form):
    """The public objection form (rate limited in the view)."""

    exam_number = forms.CharField(label=_("Exam number you object to (optional)"), max_length=20, required=False)
    text = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    contact = forms.CharField(label=_("How to reach you (optional)"), max_length=60, required=False)


class InterviewGrid:
    """The interview panel's grid of one post: a row per shortlisted application, a column per examiner.

    Cells are named ``s-<application id>-<examiner id>``; a related examiner's cell (回避) is shown
    disabled.  Checking the values is the action's job (``actions.interview_grid_record``): the grid
    only gathers them, and shows the action's refusals above the table with the values as typed.
    Four queries, whatever the number of applicants.
    """

    def __init__(self, *, campaign, post, data=None):

        self.campaign = campaign
        self.post = post
        self.data = data
        self.errors: list[str] = []
        self.examiners = list(Examiner.objects.filter(campaign=campaign).order_by("pk"))
        if post is None:
            self.applications = []
        else:
            self.applications = list(
                Application.objects.filter(post=post, stage=Stage.SHORTLISTED)
                .select_related("applicant")
                .order_by("exam_number")
            )
        applicant_ids = [a.applicant_id for a in self.applications]
        self.related = set(
            ExaminerRelation.objects.filter(examiner__campaign=campaign, applicant_id__in=applicant_ids).values_list(
                "examiner_id", "applicant_id"
            )
        )
        self.saved = {
            (s.application_id, s.examiner_id): s.score
            for s in InterviewScore.objects.filter(application__in=[a.pk for a in self.applications])
        }

    @staticmethod
    def name(application_id: int, examiner_id: int) -> str:
        return f"s-{application_id}-{examiner_id}"

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def is_valid(self) -> bool:
        return self.data is not None and self.post is not None

    def cells(self) -> dict:
        """``{(application id, examiner id): typed value}`` of every cell posted (blank: no score)."""
        cells = {}
        for app in self.applications:
            for examiner in self.examiners:
                value = (self.data.get(self.name(app.pk, examiner.pk)) or "").strip()
                if (examiner.pk, app.applicant_id) in self.related and not value:
                    continue  # a recused cell is not part of the grid unless someone typed into it
                cells[(app.pk, examiner.pk)] = value
        return cells

    def errors_from(self, exc: ValidationError) -> None:
        self.errors = list(exc.messages)

    def rows(self) -> list[dict]:
        rows = []
        for app in self.applications:
            cells = []
            for examiner in self.examiners:
                name = self.name(app.pk, examiner.pk)
                if self.data is not None:
                    value = self.data.get(name, "")
                else:
                    saved = self.saved.get((app.pk, examiner.pk))
                    value = "" if saved is None else saved
                cells.append({"name": name, "value": value, "recused": (examiner.pk, app.applicant_id) in self.related})
            rows.append({"application": app, "cells": cells})
        return rows
