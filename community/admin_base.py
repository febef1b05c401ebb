"""The admin's scoping mixin: every community-owned ModelAdmin builds on ``ScopedAdmin``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from utilities.pagination_admin import EstimatedCountPaginator

from .actions import personal_data_log, record_save
from .dashboard_links import unit_filter
from .masking import mask_value, masked_fields, masked_path
from .models import Community, PersonalDataAccess, Town
from .permissions import may_reveal
from .scoping import ADD, CHANGE, DELETE, VIEW, ensure_in_scope, grants, reaches, scope_of


def _filter_field(model, path: str):
    """The foreign key a list filter's path ends at, or None (a plain field, or no field of the model)."""
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return None
    return field if field.is_relation and field.many_to_one else None


def _names(field, model) -> bool:
    return field is not None and field.related_model is model


def scoped_queryset_for(model, request, action=VIEW):
    """The rows of ``model`` this request's user may reach (used for lists and FK choices)."""
    manager = model._default_manager
    if hasattr(manager, "for_scope"):
        return manager.for_scope(scope_of(request.user), action)
    return manager.all()


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A foreign-key list filter offering only the rows of the user's scope (not every community's name)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        reachable = scoped_queryset_for(field.related_model, request).values("pk")
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": reachable})


def _usable_keys(widget, value) -> list:
    """The submitted values that can be keys of the widget's related model (the rest cannot be looked up)."""
    remote = widget.field.remote_field
    target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
    usable = []
    for item in value:
        try:
            target.get_prep_value(target.to_python(item))
        except (TypeError, ValueError, ValidationError):
            continue
        usable.append(item)
    return usable


def _patch_autocomplete() -> None:
    """Django's autocomplete widget looks the submitted value up to redisplay a form with errors; a value that
    is no key at all ("abc", a NUL byte) made that lookup raise, a 500 instead of the form's own error.  Every
    admin (ours, staffing's town-scoped ones, the user admin) uses the one widget, so it is mended here once."""
    if getattr(AutocompleteMixin.optgroups, "keeps_to_keys", False):
        return
    original = AutocompleteMixin.optgroups

    def optgroups(self, name, value, attr=None):
        return original(self, name, _usable_keys(self, value), attr)

    optgroups.keeps_to_keys = True
    AutocompleteMixin.optgroups = optgroups


_patch_autocomplete()


def _masked_column(name: str, label):
    """A list column showing ``name`` masked; it has no ``admin_order_field``, so ``?o=`` cannot sort on it."""

    def column(obj):
        return mask_value(name, getattr(obj, name))

    column.short_description = label
    column.__name__ = f"masked_{name}"
    return column


class PersonalDataAdminMixin:
    """Masked personal data (``community.masking``) stays masked in every admin for users without the reveal
    permission: no list filter (``?phone__startswith=``), search or ordering on a masked field, no masked field
    as a list column (it is shown masked instead), and a birth date only as its year.  Each refused lookup or
    search is written to the personal-data access log."""

    def may_reveal(self, request) -> bool:
        return may_reveal(request.user)

    def _log_refused(self, request, field: str, attempt: str) -> None:

        personal_data_log(
            by=request.user,
            kind=PersonalDataAccess.Kind.REFUSED,
            model=self.model._meta.label,
            rows=0,
            fields=field[:200],
            reason=attempt,
        )

    def lookup_allowed(self, lookup, value, request=None):
        if request is not None and not self.may_reveal(request):
            hit = masked_path(self.model, lookup)
            if hit:
                self._log_refused(request, hit, f"filter {lookup}={value}"[:200])
                return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        if self.may_reveal(request):
            return fields
        return [f for f in fields if not masked_path(self.model, f.lstrip("^=@"))]

    def get_search_results(self, request, queryset, search_term):
        if search_term and not self.may_reveal(request):
            refused = [f for f in super().get_search_fields(request) if masked_path(self.model, f.lstrip("^=@"))]
            if refused and sum(c.isdigit() for c in search_term) >= 4:
                self._log_refused(request, ",".join(f.lstrip("^=@") for f in refused), f"search {search_term}"[:200])
        return super().get_search_results(request, queryset, search_term)

    def get_list_filter(self, request):
        entries = list(super().get_list_filter(request))
        if self.may_reveal(request):
            return entries
        return [e for e in entries if not (isinstance(e, str) and masked_path(self.model, e))]

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.may_reveal(request):
            return columns
        masked = masked_fields(self.model)
        shown = []
        for column in columns:
            order = getattr(getattr(self, column, None), "admin_order_field", None) if isinstance(column, str) else None
            if isinstance(column, str) and column in masked:
                column = _masked_column(column, self.model._meta.get_field(column).verbose_name)
            elif isinstance(order, str) and masked_path(self.model, order.lstrip("-")):
                column = _masked_column(order.lstrip("-"), getattr(getattr(self, column), "short_description", ""))
            shown.append(column)
        return shown

    def get_sortable_by(self, request):
        return [c for c in self.get_list_display(request) if isinstance(c, str)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or "birth_date" not in masked_fields(self.model) or self.may_reveal(request):
            return fieldsets
        swap = {"birth_date": "birth_year"}
        return [(title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "birth_date" in masked_fields(self.model) and not self.may_reveal(request):
            readonly.append("birth_year")
        return readonly

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj):
        return obj.birth_date.year if getattr(obj, "birth_date", None) else ""


class ScopedAdminMixin(PersonalDataAdminMixin):
    """Rows, foreign-key choices and writes limited to the user's scope; no scope, no rows."""

    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def action_checkbox(self, obj):
        """Django's row checkbox, written out rather than rendered through the widget's template for each of the
        page's rows (the same HTML; a sixth of a changelist's rendering)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_queryset(self, request):
        qs = scoped_queryset_for(self.model, request)
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_list_filter(self, request):
        """Foreign-key filters list only what the user may reach, and the list's community is chosen through the
        unit filter's tree (``dashboard_links.unit_filter``: the towns, then a town's communities) rather than
        from a list of every community of the county: a list filter naming the community (and its town) is
        that filter, declared or not."""
        entries = list(super().get_list_filter(request))
        fields = {entry: _filter_field(self.model, entry) for entry in entries if isinstance(entry, str)}
        declared = next((entry for entry in entries if getattr(entry, "community_path", None)), None)
        if declared is not None:
            unit_path = declared.community_path
        else:
            unit_path = next((path for path, field in fields.items() if _names(field, Community)), None)
        scoped = []
        for entry in entries:
            field = fields.get(entry) if isinstance(entry, str) else None
            if field is not None and entry == unit_path:
                if declared is None:
                    scoped.append(self._unit_filter(unit_path))
                continue
            if field is not None and unit_path and entry == f"{unit_path}__town" and _names(field, Town):
                continue
            if field is not None:
                entry = (entry, ScopedRelatedFilter)
            scoped.append(entry)
        return scoped

    def _unit_filter(self, path: str):
        kept = self.__dict__.setdefault("_unit_filters", {})
        if path not in kept:
            kept[path] = unit_filter(path)
        return kept[path]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_queryset_for(db_field.remote_field.model, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_queryset_for(db_field.remote_field.model, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return scope_of(request.user) is not None and super().has_module_permission(request)

    def _reaches(self, request, obj, action) -> bool:
        """The one rule, for a row (where it is) or, with no row, for the model at all."""
        scope = scope_of(request.user)
        if obj is None:
            return scope is not None and grants(self.model, scope, action) != []
        return reaches(scope, obj, action)

    def has_view_permission(self, request, obj=None):
        # the history views fall back to a row's historical copy when the scoped queryset misses it:
        # without this, another community's history (and each old version) would be readable
        return super().has_view_permission(request, obj) and self._reaches(request, obj, VIEW)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._reaches(request, None, ADD)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._reaches(request, obj, CHANGE)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._reaches(request, obj, DELETE)

    # the form refuses a row placed outside the user's scope; an admin that saves through an action (which
    # places the row and checks the scope itself) turns this off
    form_checks_scope = True

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return scoped_form(form, request.user) if self.form_checks_scope else form

    def save_model(self, request, obj, form, change):

        record_save(by=request.user, instance=obj)

    def delete_model(self, request, obj):
        ensure_in_scope(request.user, obj, DELETE)
        super().delete_model(request, obj)


def scoped_form(form_class, user):
    """A ModelForm that refuses, as a form error, an instance placed outside the user's scope."""

    class ScopedForm(form_class):
        def _post_clean(self):
            super()._post_clean()  # builds self.instance from the cleaned data
            if self.errors:
                return
            try:
                ensure_in_scope(user, self.instance, CHANGE if self.instance.pk else ADD)
            except PermissionDenied as exc:
                self.add_error(None, str(exc))

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Scoped, with django-simple-history's views where the model keeps history (Django's own elsewhere)."""

    def _keeps_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def get_urls(self):
        if self._keeps_history():
            return super().get_urls()
        return admin.ModelAdmin.get_urls(self)  # no version-revert route for a model without history

    def history_view(self, request, object_id, extra_context=None):
        if self._keeps_history():
            return super().history_view(request, object_id, extra_context)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)


class ScopedPlainAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass
