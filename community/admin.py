from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from . import actions, exports, selectors
from .admin_base import ScopedAdmin, ScopedPlainAdmin
from .choices import ResidenceType, Vulnerability
from .dashboard_links import contributed_filters, unit_filter
from .models import (
    Building,
    Community,
    County,
    DataExport,
    Department,
    Household,
    PersonalDataAccess,
    Residence,
    Resident,
    ResidentUnit,
    Town,
    User,
    Zone,
)
from .resources import HouseholdResource, ResidentResource
from .scoping import DELETE, VIEW, permitted, reaches, scope_of
from .validators import mask_phone

admin.site.site_header = _("Community residents' committees platform")
admin.site.site_title = _("Community platform")
admin.site.index_title = _("Administration")


@admin.register(County)
class CountyAdmin(ScopedPlainAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Town)
class TownAdmin(ScopedPlainAdmin):
    list_display = ["name", "code", "kind", "county"]
    list_filter = ["kind"]
    list_select_related = ["county"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["county"]


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["name", "code", "town", "address", "phone"]
    list_filter = [unit_filter("id", town_path="town"), "town"]
    list_select_related = ["town"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["town"]


@admin.register(Zone)
class ZoneAdmin(ScopedAdmin):
    list_display = ["name", "community"]
    list_filter = [unit_filter(), "community__town", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ["name", "zone", "address", "floors"]
    list_filter = [unit_filter("zone__community"), "zone__community"]
    list_select_related = ["zone__community"]
    search_fields = ["name", "address", "zone__name"]
    autocomplete_fields = ["zone"]


class ResidentInline(admin.TabularInline):
    model = Resident
    fields = ["name", "relation", "residence_type", "masked_id", "masked_phone_display"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("phone"))
    def masked_phone_display(self, obj):
        return obj.masked_phone


class ScopedImportExportMixin(ImportExportMixin):
    """Excel and CSV import/export through the scoped resources (see community/resources.py).

    Import needs the add and change permissions, export the ``export_<model>`` permission
    (settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE); both need a scope.  Every export is logged.
    """

    import_formats = [base_formats.XLSX, base_formats.CSV]
    export_formats = [base_formats.XLSX, base_formats.CSV]
    to_encoding = "utf-8-sig"  # Excel opens a CSV with Chinese text correctly only with the BOM
    import_error_display = ("message", "row")
    import_template_name = "admin/community/import.html"

    def has_import_permission(self, request):
        opts = self.model._meta
        return (
            scope_of(request.user) is not None
            and request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
            and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def has_export_permission(self, request):
        return scope_of(request.user) is not None and super().has_export_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def process_result(self, result, request):
        """The confirmed import found bad rows after all (the data changed meanwhile): nothing was written."""
        if result.has_errors() or result.has_validation_errors():
            lines = [str(row.number) for row in result.invalid_rows] + [str(n) for n, _e in result.row_errors()]
            messages.error(
                request,
                gettext("Nothing was imported: the file has errors (lines %(lines)s). Check it and import it again.")
                % {"lines": ", ".join(lines) or "—"},
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)


@admin.register(Household)
class HouseholdAdmin(ScopedImportExportMixin, ScopedAdmin):
    list_display = ["__str__", "building", "number", "masked_phone"]
    list_filter = [unit_filter("building__zone__community"), "building__zone__community"]
    list_select_related = ["building__zone__community"]
    search_fields = ["number", "building__name"]
    autocomplete_fields = ["building"]
    inlines = [ResidentInline]
    resource_classes = [HouseholdResource]
    change_list_template = "admin/community/background_export_change_list.html"

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), *contributed_filters(self.model)]

    @admin.display(description=_("contact phone"))
    def masked_phone(self, obj):

        return mask_phone(obj.phone)


class VulnerableFilter(admin.SimpleListFilter):
    title = _("vulnerability")
    parameter_name = "vulnerable"

    def lookups(self, request, model_admin):
        return [("yes", _("Any vulnerability")), *Vulnerability.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.vulnerable()
        if value in Vulnerability.values:
            return queryset.filter(**{value: True})
        return queryset


class ResidenceInline(admin.TabularInline):
    model = Residence
    fields = ["household", "residence_type", "start", "end", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(ScopedImportExportMixin, ScopedAdmin):
    list_display = ["name", "masked_id", "gender", "birth_date", "masked_phone_display", "household", "residence_type"]
    list_filter = [
        unit_filter("household__building__zone__community"),
        "residence_type",
        "gender",
        VulnerableFilter,
        "household__building__zone__community",
    ]
    list_select_related = ["household__building__zone__community"]
    search_fields = ["name", "=id_number", "=phone"]
    search_help_text = _("Name, pinyin (zs or zhangsan), full ID number or phone.")
    resource_classes = [ResidentResource]
    change_list_template = "admin/community/background_export_change_list.html"
    autocomplete_fields = ["household"]
    readonly_fields = ["gender", "birth_date"]
    inlines = [ResidenceInline]
    actions = ["anonymise"]
    fieldsets = [
        (None, {"fields": ["household", "name", "id_number", "gender", "birth_date", "phone", "relation"]}),
        (_("Residence"), {"fields": ["residence_type", "moved_in", "moved_out"]}),
        (
            _("Vulnerability"),
            {"fields": ["elderly_alone", "low_income", "disabled", "special_care", "left_behind_child"]},
        ),
    ]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("phone"))
    def masked_phone_display(self, obj):
        return obj.masked_phone

    def get_search_results(self, request, queryset, search_term):
        """The name, ID and phone search of search_fields, or else the pinyin: "zs" finds 张三."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pinyin = selectors.pinyin_q(search_term)
        if pinyin is not None:
            results = results | queryset.filter(pinyin)
        return results, may_have_duplicates

    def may_reveal(self, request) -> bool:
        return request.user.has_perm("community.reveal_personal_data")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.may_reveal(request):
            return fieldsets
        swap = {"id_number": "masked_id", "phone": "masked_phone_display"}
        return [(title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for title, opts in fieldsets]

    def _reveal_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.may_reveal(request):
            readonly += ["masked_id", "masked_phone_display"]
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and self.may_reveal(request):
            obj = response.context_data.get("original") if hasattr(response, "context_data") else None
            if obj is not None:
                actions.personal_data_log(
                    by=request.user, kind=PersonalDataAccess.Kind.REVEAL, obj=obj, fields="id_number,phone"
                )
        return response

    @admin.action(description=_("Anonymise the selected residents (on their request)"), permissions=["change"])
    def anonymise(self, request, queryset):
        done, refused = 0, []
        for resident_id in queryset.values_list("pk", flat=True):
            try:
                actions.resident_anonymise(
                    by=request.user, resident_id=resident_id, reason=gettext("Anonymised on request in the admin")
                )
            except (PermissionDenied, ValidationError) as exc:
                refused.append(f"#{resident_id}: {'; '.join(getattr(exc, 'messages', None) or [str(exc)])}")
            else:
                done += 1
        if done:
            self.message_user(request, gettext("%(n)d residents anonymised.") % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                gettext("Not anonymised: %(list)s") % {"list": ", ".join(refused)},
                messages.ERROR,
            )

    def get_readonly_fields(self, request, obj=None):
        readonly = self._reveal_readonly_fields(request, obj)
        if obj is not None and obj.anonymised:
            # an anonymised resident stays anonymous: what identified them cannot be written back
            readonly += [f for f in ("name", "id_number", "phone") if f not in readonly]
        return readonly

    def save_model(self, request, obj, form, change):
        if change and obj.anonymised:
            # the placeholder ID number is no GB 11643 number; the form has validated every editable field
            actions.resident_save(by=request.user, resident=obj)
            return
        super().save_model(request, obj, form, change)


@admin.register(ResidentUnit)
class ResidentUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "community", "member_since", "contact_name"]
    list_filter = [unit_filter(), "kind", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "address", "contact_name"]
    autocomplete_fields = ["community"]


@admin.register(Department)
class DepartmentAdmin(ScopedPlainAdmin):
    list_display = ["name", "code", "county"]
    list_filter = ["code"]
    list_select_related = ["county"]
    search_fields = ["name"]


def users_in_scope(user):
    """The accounts ``user`` may manage in the admin: superusers all; anyone else the non-superusers of their scope."""
    if user.is_superuser:
        return User.objects.all()
    return User.objects.for_scope(scope_of(user), "change").filter(is_superuser=False)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The PIPL access log: read-only for everyone (no add, change or delete; the retention job purges it).

    A user sees the accesses made by the accounts of their own scope (a superuser sees every one).
    """

    list_display = ["at", "user", "kind", "model", "object_id", "rows", "fields", "reason"]
    list_filter = ["kind", "model"]
    list_select_related = ["user"]
    search_fields = ["user__username", "object_id"]
    date_hierarchy = "at"
    show_full_result_count = False
    list_per_page = 100

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=users_in_scope(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts.  A superuser is made only by ``manage.py createsuperuser``: no one ticks the box here.

    Roles (groups), permissions, staff status and scope are given by a superuser; anyone else who may
    manage accounts sees only the non-superusers of their own scope and cannot raise anybody's rights,
    their own included.
    """

    list_display = ["username", "first_name", "scope_level", "community", "town", "department", "is_active"]
    list_filter = ["scope_level", "groups", "is_active"]
    list_select_related = ["community", "town", "department"]
    autocomplete_fields = ["county", "town", "community", "department"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Scope"), {"fields": ["scope_level", "county", "town", "community", "department", "phone"]}),
    ]
    privilege_fields = [
        "is_staff",
        "groups",
        "user_permissions",
        "scope_level",
        "county",
        "town",
        "community",
        "department",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=users_in_scope(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "is_superuser"]
        if not request.user.is_superuser:
            readonly += self.privilege_fields
        return readonly

    def _may_manage(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or not obj.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)


class DataExportForm(forms.Form):
    """What a background export contains: the FilterSet parameters of the list, chosen in a form."""

    model = forms.ChoiceField(label=_("Records"), choices=DataExport.Kind.choices)
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none(), required=False)
    residence_type = forms.ChoiceField(
        label=_("Residence type (residents)"), choices=[("", "---------"), *ResidenceType.choices], required=False
    )
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability (residents)"), choices=[("", "---------"), *Vulnerability.choices], required=False
    )
    current = forms.BooleanField(label=_("Only residents living here now"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.for_user(user).order_by("code")
        self.fields["model"].choices = [
            (value, label)
            for value, label in DataExport.Kind.choices
            if user.has_perm(exports.EXPORT_PERMISSIONS[value])
        ]

    def params(self) -> dict:
        data = self.cleaned_data
        params = {"community": data["community"].pk if data.get("community") else ""}
        if data["model"] == DataExport.Kind.RESIDENT:
            params.update(
                residence_type=data.get("residence_type") or "",
                vulnerability=data.get("vulnerability") or "",
                current="true" if data.get("current") else "",
            )
        return params


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Each user sees, follows and downloads only their own background exports."""

    list_display = ["created_at", "model", "filters", "status", "progress_bar", "rows", "finished_at", "download"]
    list_filter = ["status", "model"]
    fields = ["model", "filters", "status", "progress_bar", "rows", "error", "created_at", "finished_at", "download"]
    readonly_fields = fields
    show_full_result_count = False
    list_per_page = 50
    change_list_template = "admin/community/dataexport/change_list.html"

    def get_queryset(self, request):
        return DataExport.objects.for_user(request.user)

    @staticmethod
    def may_export(request) -> bool:
        user = request.user
        return scope_of(user) is not None and any(user.has_perm(p) for p in exports.EXPORT_PERMISSIONS.values())

    def has_module_permission(self, request):
        return self.may_export(request)

    def has_view_permission(self, request, obj=None):
        # the one rule: the roles table lets every role follow its own exports (owner_path), nobody else's
        return permitted(request.user, DataExport, VIEW) and (obj is None or reaches(scope_of(request.user), obj, VIEW))

    def has_add_permission(self, request):
        return False  # exports are asked for on the "new export" page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return permitted(request.user, DataExport, DELETE) and (
            obj is None or reaches(scope_of(request.user), obj, DELETE)
        )

    def delete_model(self, request, obj):
        exports.data_export_delete(by=request.user, export_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for export_id in queryset.values_list("pk", flat=True):
            exports.data_export_delete(by=request.user, export_id=export_id)

    @admin.display(description=_("filters"))
    def filters(self, obj):
        return ", ".join(f"{k}={v}" for k, v in sorted(obj.params.items())) or "—"

    @admin.display(description=_("progress"))
    def progress_bar(self, obj):
        return format_html('<progress value="{}" max="100"></progress> {}%', obj.progress, obj.progress)

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.status != DataExport.Status.DONE or not obj.file:
            return obj.error[:80] if obj.error else "—"
        url = reverse("admin:community_dataexport_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))

    def get_urls(self):
        extra = [
            path("new/", self.admin_site.admin_view(self.new_view), name="community_dataexport_new"),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="community_dataexport_download",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_export": self.may_export(request)}
        extra_context["refresh"] = (
            self.get_queryset(request).filter(status__in=[DataExport.Status.QUEUED, DataExport.Status.RUNNING]).exists()
        )
        return super().changelist_view(request, extra_context)

    def new_view(self, request):
        if not self.may_export(request):
            raise PermissionDenied
        initial = {
            "model": request.GET.get("model", DataExport.Kind.RESIDENT),
            "community": request.GET.get("community") or None,
        }
        form = DataExportForm(request.POST or None, user=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                export = exports.data_export_create(
                    by=request.user, kind=form.cleaned_data["model"], params=form.params()
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    gettext("Export #%(id)d is queued; this list shows its progress.") % {"id": export.pk},
                )
                return HttpResponseRedirect(reverse("admin:community_dataexport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("New background export"),
            "form": form,
            "opts": self.opts,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/community/dataexport/new.html", context)

    def download_view(self, request, pk):
        try:
            export = exports.data_export_download(by=request.user, export_id=pk)
        except (PermissionDenied, ValidationError):
            raise Http404(gettext("There is no finished export of yours with this number."))
        filename = f"{export.get_model_display()}-{export.pk}-{export.created_at:%Y%m%d}.xlsx"
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)
