from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import actions
from .admin_base import ScopedAdmin, ScopedPlainAdmin
from .choices import Vulnerability
from .models import (
    Building,
    Community,
    County,
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
    list_filter = ["town"]
    list_select_related = ["town"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["town"]


@admin.register(Zone)
class ZoneAdmin(ScopedAdmin):
    list_display = ["name", "community"]
    list_filter = ["community__town", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ["name", "zone", "address", "floors"]
    list_filter = ["zone__community"]
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


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["__str__", "building", "number", "masked_phone"]
    list_filter = ["building__zone__community"]
    list_select_related = ["building__zone__community"]
    search_fields = ["number", "building__name"]
    autocomplete_fields = ["building"]
    inlines = [ResidentInline]

    @admin.display(description=_("contact phone"))
    def masked_phone(self, obj):
        from .validators import mask_phone

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
class ResidentAdmin(ScopedAdmin):
    list_display = ["name", "masked_id", "gender", "birth_date", "masked_phone_display", "household", "residence_type"]
    list_filter = ["residence_type", "gender", VulnerableFilter, "household__building__zone__community"]
    list_select_related = ["household__building__zone__community"]
    search_fields = ["name", "=id_number", "=phone"]
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

    def may_reveal(self, request) -> bool:
        return request.user.has_perm("community.reveal_personal_data")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.may_reveal(request):
            return fieldsets
        swap = {"id_number": "masked_id", "phone": "masked_phone_display"}
        return [(title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
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
        for resident in queryset:
            actions.resident_anonymise(
                by=request.user, resident_id=resident.pk, reason=str(_("Anonymised on request in the admin"))
            )
        self.message_user(request, _("%(n)d residents anonymised.") % {"n": queryset.count()})


@admin.register(ResidentUnit)
class ResidentUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "community", "member_since", "contact_name"]
    list_filter = ["kind", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "address", "contact_name"]
    autocomplete_fields = ["community"]


@admin.register(Department)
class DepartmentAdmin(ScopedPlainAdmin):
    list_display = ["name", "code", "county"]
    list_filter = ["code"]
    list_select_related = ["county"]
    search_fields = ["name"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "model", "object_id", "rows", "fields", "reason"]
    list_filter = ["kind", "model"]
    list_select_related = ["user"]
    search_fields = ["user__username", "object_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "scope_level", "community", "town", "department", "is_active"]
    list_filter = ["scope_level", "groups", "is_active"]
    list_select_related = ["community", "town", "department"]
    autocomplete_fields = ["county", "town", "community", "department"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Scope"), {"fields": ["scope_level", "county", "town", "community", "department", "phone"]}),
    ]
