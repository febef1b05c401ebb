"""Admin of the party liaison network: scoped lists, history, and every rule-bearing write through actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.admin_base import ScopedAdmin, ScopedAdminMixin
from community.dashboard_links import contribute_filter, day_filter, unit_filter
from community.models import Household
from community.scoping import DELETE, ensure_in_scope

from . import actions, selectors
from .choices import CoverageRole, EndReason, LeaveReason
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


def _messages_of(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class TownLevelAdmin(ScopedAdmin):
    """For rows that may sit at town level (the town party committee, its members and positions)."""

    def organisation_of(self, obj):
        return obj if isinstance(obj, PartyOrganisation) else obj.organisation

    def get_form(self, request, obj=None, **kwargs):
        # skip the community-only scoped form: the organisation decides the scope here
        form = super(ScopedAdminMixin, self).get_form(request, obj, **kwargs)
        admin_self, user = self, request.user

        class TownLevelForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    organisation = admin_self.organisation_of(self.instance)
                except PartyOrganisation.DoesNotExist:
                    return
                if isinstance(self.instance, PartyOrganisation) and self.instance.community_id:
                    self.instance.town_id = self.instance.community.town_id
                try:
                    ensure_in_scope(user, organisation)
                    self.check_rules()
                except (PermissionDenied, ValidationError) as exc:
                    self.add_error(None, _messages_of(exc))

            def check_rules(self):
                admin_self.check_rules(self.instance)

        TownLevelForm.__name__ = form.__name__
        return TownLevelForm

    def check_rules(self, instance):
        pass

    def delete_model(self, request, obj):
        ensure_in_scope(request.user, obj, DELETE)
        obj.delete()


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(TownLevelAdmin):
    list_display = ["name", "kind", "parent", "town", "community", "established"]
    list_filter = ["kind", "town", "community"]
    list_select_related = ["parent", "town", "community"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "town", "community"]
    readonly_fields = ["town"]

    def check_rules(self, instance):
        actions.organisation_check(instance)

    def save_model(self, request, obj, form, change):
        actions.organisation_save(by=request.user, instance=obj)


class PositionInline(admin.TabularInline):
    model = Position
    fk_name = "member"
    fields = ["organisation", "role", "start", "end"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartyMember)
class PartyMemberAdmin(TownLevelAdmin):
    list_display = ["name", "organisation", "status", "kind", "is_committee_staff", "registered", "left"]
    list_filter = [
        unit_filter("organisation__community"),
        day_filter(
            "active_on", _("active"), _("Active on %(day)s"), lambda qs, day: qs.filter(selectors.active_member_q(day))
        ),
        "status",
        "kind",
        "is_committee_staff",
        "organisation__community",
        "left_reason",
    ]
    list_select_related = ["organisation"]
    search_fields = ["name", "workplace"]
    autocomplete_fields = ["organisation", "resident", "user"]
    readonly_fields = ["left", "left_reason", "left_to"]
    inlines = [PositionInline]
    actions = ["moved_away"]

    def save_model(self, request, obj, form, change):
        actions.member_save(by=request.user, instance=obj)

    @admin.action(description=_("Moved away: end the selected members' duties"), permissions=["change"])
    def moved_away(self, request, queryset):
        done = 0
        for member in queryset.filter(left__isnull=True):
            try:
                actions.member_transfer_out(by=request.user, member_id=member.pk, reason=LeaveReason.MOVED)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{member}: {_messages_of(exc)}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d members marked as moved away; their duties ended.") % {"n": done})


@admin.register(Position)
class PositionAdmin(TownLevelAdmin):
    list_display = ["member", "role", "organisation", "start", "end"]
    list_filter = ["role", "organisation__town", "organisation__community"]
    list_select_related = ["member", "organisation"]
    search_fields = ["member__name", "organisation__name"]
    autocomplete_fields = ["member", "organisation"]

    def check_rules(self, instance):
        actions.position_check(instance)

    def save_model(self, request, obj, form, change):
        actions.position_save(by=request.user, instance=obj)


class RecordAdmin(ScopedAdmin):
    """Records written only by actions: added through a checked form, then read-only."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_end_permission(self, request):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def save_model(self, request, obj, form, change):
        """``save_form`` already wrote the row through the action."""

    def save_related(self, request, form, formsets, change):
        """No many-to-many fields or inlines: the action wrote everything."""


class LiaisonForm(forms.ModelForm):
    class Meta:
        model = Liaison
        fields = ["kind", "from_org", "from_member", "to_org", "to_member", "start", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            community_id, _ends = actions.liaison_resolve(
                kind=data.get("kind"),
                from_org_id=getattr(data.get("from_org"), "pk", None),
                to_org_id=getattr(data.get("to_org"), "pk", None),
                from_member_id=getattr(data.get("from_member"), "pk", None),
                to_member_id=getattr(data.get("to_member"), "pk", None),
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages)
        self.instance.community_id = community_id
        return data


@admin.register(Liaison)
class LiaisonAdmin(RecordAdmin):
    form = LiaisonForm
    list_display = ["__str__", "kind", "community", "start", "end", "end_reason"]
    list_filter = ["kind", "community", "end_reason"]
    list_select_related = ["community", "from_org", "to_org", "from_member", "to_member"]
    search_fields = ["from_member__name", "to_member__name", "from_org__name", "to_org__name"]
    autocomplete_fields = ["from_org", "to_org", "from_member", "to_member"]
    actions = ["end_links"]

    def save_form(self, request, form, change):
        data = form.cleaned_data
        return actions.liaison_create(
            by=request.user,
            kind=data["kind"],
            from_org_id=getattr(data.get("from_org"), "pk", None),
            to_org_id=getattr(data.get("to_org"), "pk", None),
            from_member_id=getattr(data.get("from_member"), "pk", None),
            to_member_id=getattr(data.get("to_member"), "pk", None),
            start=data.get("start"),
            note=data.get("note", ""),
        )

    @admin.action(description=_("End the selected links"), permissions=["end"])
    def end_links(self, request, queryset):
        done = 0
        for liaison in queryset.filter(end__isnull=True):
            actions.liaison_end(by=request.user, liaison_id=liaison.pk, reason=EndReason.OTHER)
            done += 1
        self.message_user(request, _("%(n)d links ended.") % {"n": done})


class WithoutSuccessorFilter(admin.SimpleListFilter):
    title = _("successor")
    parameter_name = "successor"

    def lookups(self, request, model_admin):
        return [("none", _("Ended, nobody took over"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return selectors.ended_without_successor_qs(timezone.localdate(), queryset)
        return queryset


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["member", "role", "community", "zone", "building", "household", "start"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:  # not on the change form, where the duty's target is read-only
            self.fields["community"].required = False
            self.fields["community"].help_text = _("For 包点; otherwise taken from the zone, building or household.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        role = data.get("role")
        field = {CoverageRole.POINT: "community"}.get(role, role)
        target = data.get(field)
        if target is None:
            raise ValidationError({field: _("Choose what this duty covers.")})
        fields = actions.target_fields(role, target)
        for name in ("zone", "building", "household"):
            data[name] = fields.get(name)
        data["community"] = fields["community"]
        actions.assignment_check(member=data["member"], role=role, target=target, on=data["start"])
        current = actions.active_on_target(role, fields, lock=False)
        if current is not None:
            raise actions.already_covered_error(role, target, current)
        self.target = target
        return data


@admin.register(Assignment)
class AssignmentAdmin(RecordAdmin):
    form = AssignmentForm
    list_display = ["member", "role", "target_display", "community", "start", "end", "end_reason"]
    list_filter = [
        unit_filter(),
        day_filter(
            "unreplaced_on",
            _("successor on a day"),
            _("Ended by %(day)s, nobody took over"),
            lambda qs, day: selectors.ended_without_successor_qs(day, qs),
        ),
        "role",
        "community",
        "end_reason",
        ("end", admin.EmptyFieldListFilter),
        WithoutSuccessorFilter,
    ]
    list_select_related = [
        "member",
        "community",
        "zone__community",
        "building__zone__community",
        "household__building__zone__community",
    ]
    search_fields = ["member__name", "household__number", "building__name", "zone__name"]
    autocomplete_fields = ["member", "community", "zone", "building", "household"]
    actions = ["end_assignments"]

    @admin.display(description=_("covers"))
    def target_display(self, obj):
        return obj.target

    def save_form(self, request, form, change):
        data = form.cleaned_data
        return actions.assignment_create(
            by=request.user,
            member_id=data["member"].pk,
            role=data["role"],
            target_id=form.target.pk,
            start=data["start"],
        )

    @admin.action(description=_("End the selected assignments"), permissions=["end"])
    def end_assignments(self, request, queryset):
        done = 0
        for assignment in queryset.filter(end__isnull=True):
            actions.assignment_end(
                by=request.user, assignment_id=assignment.pk, reason=EndReason.OTHER, note=_("Ended in the admin")
            )
            done += 1
        self.message_user(request, _("%(n)d assignments ended.") % {"n": done})


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["member", "household", "date", "way", "raised", "needs_follow_up"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            actions.visit_check(member=data["member"], date=data["date"], way=data["way"])
        return data


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    form = VisitForm
    list_display = ["date", "member", "household", "way", "by_coverer", "needs_follow_up", "service_request_code"]
    list_filter = [
        unit_filter("household__building__zone__community"),
        "way",
        "by_coverer",
        "needs_follow_up",
        "household__building__zone__community",
    ]
    list_select_related = ["member", "household__building__zone__community"]
    search_fields = ["member__name", "household__number", "raised", "service_request_code"]
    autocomplete_fields = ["member", "household"]
    date_hierarchy = "date"

    def save_form(self, request, form, change):
        data = form.cleaned_data
        visit = actions.visit_record(
            by=request.user,
            member_id=data["member"].pk,
            household_id=data["household"].pk,
            date=data["date"],
            way=data["way"],
            raised=data.get("raised", ""),
            needs_follow_up=data.get("needs_follow_up", False),
        )
        if not visit.by_coverer:
            self.message_user(
                request, _("Recorded, but flagged: this member does not cover this household."), messages.WARNING
            )
        return visit


# the core's household list learns who covers a household from here (community imports no app)
contribute_filter(
    Household,
    day_filter(
        "uncovered_on", _("party coverage"), _("Nobody covers them on %(day)s"), selectors.uncovered_households_qs
    ),
)
# … and which households are due a party visit (the workbench's "visits due")
contribute_filter(
    Household,
    day_filter("visit_due_on", _("party visits"), _("Due a visit on %(day)s"), selectors.visits_due_qs),
)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitsDueNotice)
class VisitsDueNoticeAdmin(ReadOnlyAdmin):
    list_display = ["week", "branch", "recipient", "household_count", "emailed_at"]
    list_filter = ["week", "branch"]
    list_select_related = ["branch", "recipient"]
    search_fields = ["branch__name"]


@admin.register(CoverageReport)
class CoverageReportAdmin(ReadOnlyAdmin):
    list_display = ["month", "community", "households", "covered", "visited_30", "visited_90", "members"]
    list_filter = ["month", "community"]
    list_select_related = ["community"]
    search_fields = ["community__name"]
