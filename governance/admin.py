"""Admin of the governance app, built on the scoped admin (Chinese labels come from the catalogue)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.actions import personal_data_log
from community.admin_base import ScopedAdmin
from community.choices import ScopeLevel
from community.dashboard_links import unit_filter
from community.models import Department, PersonalDataAccess, User
from community.scoping import community_of, ensure_in_scope, scope_of
from community.validators import mask_name
from utilities.forms import ActionModelForm

from . import actions
from .choices import ElectionStatus
from .forms import BallotBoxForm, CandidateForm, MeetingForm, ObjectionForm, ResolutionForm
from .models import (
    AgendaItem,
    BallotBox,
    Candidate,
    DepartmentPlacement,
    Election,
    LegalAidCase,
    MediationCase,
    Meeting,
    Notice,
    NoticeAttachment,
    PublicOrderRecord,
    Resolution,
    RollObjection,
    Tally,
    Voter,
)


def _run(admin_obj, request, queryset, fn, done_message, **kwargs):
    """Call an action for each selected row; report what was done and what was refused."""
    done, refused = 0, []
    for pk in queryset.values_list("pk", flat=True):
        try:
            fn(by=request.user, pk=pk, **kwargs)
        except (PermissionDenied, ValidationError) as exc:
            refused.append(f"#{pk}: {'; '.join(getattr(exc, 'messages', None) or [str(exc)])}")
        else:
            done += 1
    if done:
        admin_obj.message_user(request, done_message % {"n": done}, messages.SUCCESS)
    if refused:
        admin_obj.message_user(request, gettext("Refused: %(list)s") % {"list": ", ".join(refused)}, messages.ERROR)


class ActionFormAdmin(ScopedAdmin):
    """An admin whose form saves through an action (the form's ``result``)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, ActionModelForm):
            return form

        class WithUser(form):
            user = request.user

        WithUser.__name__ = form.__name__
        return WithUser

    def save_form(self, request, form, change):
        return getattr(form, "result", None) or super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if getattr(form, "result", None) is None:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # the action saved the row (an action form has no many-to-many fields to save afterwards)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- notices ----------------------------------------------------------------------------------


class AttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    fields = ["title", "file", "size", "content_type"]
    readonly_fields = ["size", "content_type"]
    extra = 0


@admin.register(Notice)
class NoticeAdmin(ScopedAdmin):
    list_display = ["title", "community", "category", "publish_at", "unpublish_at", "pinned", "origin", "attachments"]
    list_filter = [unit_filter(), "category", "pinned", "origin", "community"]
    list_select_related = ["community"]
    search_fields = ["title"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["community"]
    fields = ["community", "category", "title", "body", "publish_at", "unpublish_at", "pinned"]
    inlines = [AttachmentInline]
    actions = ["publish_now", "unpublish_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attachment_total=Count("attachments"))

    @admin.display(description=_("attachments"), ordering="attachment_total")
    def attachments(self, obj):
        return obj.attachment_total

    def save_model(self, request, obj, form, change):
        actions.notice_save(by=request.user, notice=obj)

    def save_formset(self, request, form, formset, change):
        for attachment in formset.save(commit=False):
            if attachment.pk is None:
                actions.attachment_add(
                    by=request.user, notice_id=form.instance.pk, upload=attachment.file.file, title=attachment.title
                )
            else:
                attachment.save(update_fields=["title"])
        for attachment in formset.deleted_objects:
            attachment.delete()

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield _validated_attachments(formset), inline

    @admin.action(description=_("Publish the selected notices now"), permissions=["change"])
    def publish_now(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.notice_publish(by=by, notice_id=pk),
            gettext("%(n)d notices published."),
        )

    @admin.action(description=_("Take the selected notices down now"), permissions=["change"])
    def unpublish_now(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.notice_unpublish(by=by, notice_id=pk),
            gettext("%(n)d notices taken down."),
        )


def _validated_attachments(formset_class):
    """The attachment inline's forms refuse a file of the wrong type or size as a form error."""

    class Checked(formset_class):
        def clean(self):
            super().clean()
            for form in self.forms:
                upload = form.cleaned_data.get("file") if hasattr(form, "cleaned_data") else None
                if upload is None or not hasattr(upload, "size") or form.instance.pk:
                    continue
                try:
                    actions.validate_attachment(upload)
                except ValidationError as exc:
                    form.add_error("file", exc.message_dict.get("file", exc.messages))

    Checked.__name__ = formset_class.__name__
    return Checked


# --- meetings ---------------------------------------------------------------------------------


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    fields = ["order", "title", "description"]
    extra = 0


class ResolutionInline(admin.TabularInline):
    model = Resolution
    fields = ["number", "title", "votes_for", "votes_against", "abstentions", "passed", "notice"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ActionFormAdmin):
    form = MeetingForm
    list_display = ["title", "community", "kind", "starts_at", "status", "attendee_count", "present", "quorate"]
    list_filter = [unit_filter(), "kind", "status", "quorate", "community"]
    list_select_related = ["community"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["community"]
    readonly_fields = ["status", "present", "attendee_count", "quorate"]
    inlines = [AgendaInline, ResolutionInline]
    actions = ["record_held", "cancel"]

    def get_fields(self, request, obj=None):
        fields = list(self.form._meta.fields)
        if obj is None:
            return [f for f in fields if not f.startswith("quorum_")]
        return [*fields, *self.readonly_fields]

    def save_formset(self, request, form, formset, change):

        for instance in formset.save(commit=False):
            ensure_in_scope(request.user, community_of(instance))
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()

    @admin.action(description=_("Record the selected meetings as held (checks the quorum)"), permissions=["change"])
    def record_held(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.meeting_record_held(by=by, meeting_id=pk),
            gettext("%(n)d meetings recorded as held."),
        )

    @admin.action(description=_("Cancel the selected meetings"), permissions=["change"])
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.meeting_cancel(by=by, meeting_id=pk),
            gettext("%(n)d meetings cancelled."),
        )


@admin.register(Resolution)
class ResolutionAdmin(ActionFormAdmin):
    form = ResolutionForm
    list_display = ["title", "meeting", "number", "votes_for", "votes_against", "abstentions", "passed", "notice"]
    list_filter = ["passed"]
    list_select_related = ["meeting", "notice"]
    search_fields = ["title"]
    autocomplete_fields = ["meeting"]
    readonly_fields = ["number", "passed", "notice"]
    actions = ["publish"]

    @admin.action(description=_("Publish the selected resolutions to the notice board"), permissions=["change"])
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.resolution_publish(by=by, resolution_id=pk),
            gettext("%(n)d resolutions published."),
        )


# --- elections --------------------------------------------------------------------------------


class CandidateInline(admin.TabularInline):
    model = Candidate
    fields = ["post", "education", "party_member", "votes", "rank", "elected"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


STEPS = {
    "generate_roll": (actions.roll_generate, _("Generate the voter roll from the register")),
    "publish_roll": (actions.roll_publish, _("Publish the voter roll (objections open)")),
    "open_voting": (actions.voting_open, _("Open voting")),
    "count": (actions.election_count, _("Count the ballot boxes")),
    "publish_result": (actions.election_publish, _("Publish the result to the notice board")),
    "seat": (actions.election_seat, _("Seat the elected committee on the staffing roster")),
}


def _step_action(name):
    fn, label = STEPS[name]

    def step(modeladmin, request, queryset):
        _run(
            modeladmin,
            request,
            queryset,
            lambda by, pk: fn(by=by, election_id=pk),
            gettext("%(n)d elections moved on."),
        )

    step.__name__ = name
    return admin.action(description=label, permissions=["change"])(step)


@admin.register(Election)
class ElectionAdmin(ScopedAdmin):
    list_display = ["title", "community", "election_day", "status", "voters", "ballots_cast", "turnout", "valid"]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["title"]
    autocomplete_fields = ["community"]
    fields = ["community", "title", "election_day", "seats", "term_start", "term_end"]
    readonly_fields = ["objection_deadline", "status", "voters", "ballots_cast", "turnout", "valid", "seated_at"]
    inlines = [CandidateInline]
    actions = [_step_action(name) for name in STEPS]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            actions.election_create(by=request.user, election=obj)


@admin.register(Voter)
class VoterAdmin(ScopedAdmin):
    """The roll is made from the register and changed by upheld objections only."""

    list_display = ["election", "resident_masked", "on_roll", "change", "reason"]
    list_filter = ["on_roll", "change"]
    list_select_related = ["election", "resident"]
    readonly_fields = ["election", "resident_masked", "on_roll", "change", "reason"]
    fields = readonly_fields

    @admin.display(description=_("resident"))
    def resident_masked(self, obj):

        return mask_name(obj.resident.name)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RollObjection)
class RollObjectionAdmin(ActionFormAdmin):
    form = ObjectionForm
    list_display = ["election", "kind", "status", "created_at", "decided_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["election"]
    autocomplete_fields = ["resident"]
    readonly_fields = ["status", "decision", "decided_by", "decided_at"]
    actions = ["uphold", "reject"]

    def _decide(self, request, queryset, upheld):
        _run(
            self,
            request,
            queryset,
            lambda by, pk: actions.objection_decide(
                by=by,
                objection_id=pk,
                upheld=upheld,
                decision=gettext("Upheld in the admin") if upheld else gettext("Rejected in the admin"),
            ),
            gettext("%(n)d objections decided."),
        )

    @admin.action(description=_("Uphold the selected objections (the roll changes)"), permissions=["change"])
    def uphold(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected objections"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(Candidate)
class CandidateAdmin(ActionFormAdmin):
    form = CandidateForm
    list_display = ["election", "post", "party_member", "education", "votes", "rank", "elected"]
    list_filter = ["elected", "post"]
    list_select_related = ["election"]
    autocomplete_fields = ["resident"]


class TallyInline(admin.TabularInline):
    model = Tally
    fields = ["candidate", "votes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BallotBox)
class BallotBoxAdmin(ActionFormAdmin):
    form = BallotBoxForm
    list_display = ["name", "election", "ballots_issued", "ballots_returned", "invalid_ballots", "counted"]
    list_filter = ["counted"]
    list_select_related = ["election"]
    inlines = [TallyInline]

    def get_fields(self, request, obj=None):
        fields = ["election", "name", "ballots_issued"]
        if obj is not None and obj.election.status == ElectionStatus.VOTING and not obj.counted:
            candidates = obj.election.candidates.order_by("pk").values_list("pk", flat=True)
            fields += ["ballots_returned", "invalid_ballots", *[f"votes_{pk}" for pk in candidates]]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None or self.has_change_permission(request, obj):
            kwargs["fields"] = None  # the form declares its own (the count's fields are made per candidate)
        return super().get_form(request, obj, **kwargs)


# --- confidential case records ----------------------------------------------------------------


class CaseAdmin(ScopedAdmin):
    """Parties shown masked to everyone but the handler; other staff may reveal them with a logged action."""

    list_select_related = ["community", "handler"]
    actions = ["reveal_parties"]
    search_fields = ["number"]

    def get_list_display(self, request):
        user = request.user

        @admin.display(description=_("parties"))
        def parties(obj):
            return obj.parties_text(reveal=obj.handled_by(user))

        return [*self.list_display, parties]

    def _party_fields(self):
        return [f for pair in self.model.PARTY_FIELDS for f in pair]

    def _masked(self, request, obj):
        return obj is not None and not obj.handled_by(request.user)

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "parties_masked"]
        if self._masked(request, obj):
            return ["parties_masked", *[f for f in fields if f not in self._party_fields()]]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["parties_masked"] if self._masked(request, obj) else []

    @admin.display(description=_("parties"))
    def parties_masked(self, obj):
        return obj.parties_text(reveal=False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "handler":
            scope = scope_of(request.user)
            users = User.objects.filter(is_active=True, community__isnull=False)
            kwargs["queryset"] = users.filter(community__in=scope.communities()) if scope else users.none()
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actions.case_save(by=request.user, case=obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if hasattr(response, "context_data") else None
        if request.method == "GET" and obj is not None and obj.handled_by(request.user):
            fields = ",".join(self._party_fields())
            personal_data_log(by=request.user, kind=PersonalDataAccess.Kind.REVEAL, obj=obj, fields=fields)
        return response

    @admin.action(description=_("Reveal the parties of the selected cases (logged)"), permissions=["change"])
    def reveal_parties(self, request, queryset):
        for case in queryset[:20]:
            try:
                parties = actions.case_reveal(by=request.user, case=case, reason=gettext("Revealed in the admin"))
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{case.number}: {exc}", messages.ERROR)
            else:
                text = "；".join(f"{p['name']} {p['phone']}".strip() for p in parties)
                self.message_user(request, f"{case.number}: {text}", messages.INFO)


@admin.register(MediationCase)
class MediationCaseAdmin(CaseAdmin):
    list_display = ["number", "community", "received_on", "dispute_kind", "outcome", "handler", "closed_on"]
    list_filter = ["dispute_kind", "outcome", "community"]
    date_hierarchy = "received_on"


@admin.register(LegalAidCase)
class LegalAidCaseAdmin(CaseAdmin):
    list_display = ["number", "community", "received_on", "kind", "matter", "outcome", "handler", "closed_on"]
    list_filter = ["kind", "matter", "outcome", "community"]
    date_hierarchy = "received_on"


@admin.register(PublicOrderRecord)
class PublicOrderRecordAdmin(CaseAdmin):
    list_display = ["number", "community", "occurred_at", "kind", "outcome", "handler", "closed_on"]
    list_filter = ["kind", "outcome", "community"]
    date_hierarchy = "occurred_at"


# --- 工作人员配置到社区: department staff placed in communities ------------------------------------


@admin.register(DepartmentPlacement)
class DepartmentPlacementAdmin(ScopedAdmin):
    list_display = ["person_name", "department", "community", "duty", "phone", "start", "end"]
    list_filter = [unit_filter(), "department", "community"]
    list_select_related = ["department", "community"]
    search_fields = ["person_name", "duty"]
    autocomplete_fields = ["community"]
    date_hierarchy = "start"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":  # a liaison places their own department's staff; others see the county's
            scope = scope_of(request.user)
            action = "change" if scope is not None and scope.level == ScopeLevel.DEPARTMENT else "view"
            kwargs["queryset"] = Department.objects.for_scope(scope, action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actions.placement_save(by=request.user, placement=obj)
