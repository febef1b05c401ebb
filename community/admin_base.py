"""The admin's scoping mixin: every community-owned ModelAdmin builds on ``ScopedAdmin``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from .pagination_admin import EstimatedCountPaginator
from .scoping import community_of, ensure_in_scope, scope_of


def scoped_queryset_for(model, request):
    """The rows of ``model`` this request's user may reach (used for lists and FK choices)."""
    manager = model._default_manager
    if hasattr(manager, "for_user"):
        return manager.for_user(request.user)
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


class ScopedAdminMixin:
    """Rows, foreign-key choices and writes limited to the user's scope; no scope, no rows."""

    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        qs = scoped_queryset_for(self.model, request)
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_list_filter(self, request):
        """Foreign-key filters list only what the user may reach."""
        from django.contrib.admin.utils import NotRelationField, get_fields_from_path
        from django.core.exceptions import FieldDoesNotExist

        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation and field.many_to_one:
                    entry = (entry, ScopedRelatedFilter)
            scoped.append(entry)
        return scoped

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

    def _in_scope(self, request, obj) -> bool:
        if obj is None or not hasattr(type(obj), "community_path"):
            return True
        try:
            ensure_in_scope(request.user, community_of(obj))
        except PermissionDenied:
            return False
        return True

    def has_view_permission(self, request, obj=None):
        # the history views fall back to a row's historical copy when the scoped queryset misses it:
        # without this, another community's history (and each old version) would be readable
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not hasattr(self.model, "community_path"):
            return form
        return scoped_form(form, request.user)

    def save_model(self, request, obj, form, change):
        from .actions import record_save

        if not hasattr(type(obj), "community_path"):  # a county, a town: no community to check
            return super().save_model(request, obj, form, change)
        record_save(by=request.user, instance=obj)

    def delete_model(self, request, obj):
        if hasattr(type(obj), "community_path"):
            ensure_in_scope(request.user, community_of(obj))
        super().delete_model(request, obj)


def scoped_form(form_class, user):
    """A ModelForm that refuses, as a form error, an instance placed outside the user's scope."""

    class ScopedForm(form_class):
        def _post_clean(self):
            super()._post_clean()  # builds self.instance from the cleaned data
            if self.errors:
                return
            try:
                ensure_in_scope(user, community_of(self.instance))
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
