"""API building blocks every app's ``api.py`` reuses: scoped viewsets, fields, pagination, errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .pagination import CursorPagination, PagePagination  # noqa: F401  (re-exported)
from .scoping import DELETE, ensure_in_scope


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are the rows the caller may reach: another community's id is a 400."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "for_user"):
            return queryset.for_user(request.user)
        return queryset


class ScopedModelSerializer(serializers.ModelSerializer):
    """``Meta.reveal_only`` names fields that come back null to a caller without the reveal permission
    (a birth date: with the masked ID number beside it, it gives back the 8 digits the mask hides)."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def to_representation(self, instance):
        from .permissions import may_reveal

        data = super().to_representation(instance)
        hidden = getattr(self.Meta, "reveal_only", ())
        if hidden:
            if "_may_reveal" not in self.context:
                request = self.context.get("request")
                self.context["_may_reveal"] = may_reveal(getattr(request, "user", None))
            if not self.context["_may_reveal"]:
                for name in hidden:
                    if name in data:
                        data[name] = None
        return data


class ScopedViewSet(viewsets.ModelViewSet):
    """Rows through ``for_user``; writes through ``perform_write`` (which apps point at their actions)."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return self.select(self.queryset.model._default_manager.for_user(self.request.user))

    def select(self, queryset):
        """Hook for select_related/annotate: keep list query counts flat."""
        return queryset

    def perform_create(self, serializer):
        self.perform_write(serializer)

    def perform_update(self, serializer):
        self.perform_write(serializer)

    def perform_write(self, serializer):
        from .actions import record_save

        instance = serializer.instance or serializer.Meta.model()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = record_save(by=self.request.user, instance=instance)

    def perform_destroy(self, instance):
        ensure_in_scope(self.request.user, instance, DELETE)
        instance.delete()


class ReadOnlyScopedViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.select(self.queryset.model._default_manager.for_user(self.request.user))

    def select(self, queryset):
        return queryset


def exception_handler(exc, context):
    """Django's ValidationError / PermissionDenied / ProtectedError from actions become 400 / 403 / 409."""
    from django.db.models import ProtectedError

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ProtectedError):
        exc = Conflict(str(exc.args[0]) if exc.args else None)
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    elif isinstance(exc, DataError):
        # a value the database cannot hold (a time-zone offset beyond ±15:59, a number too large, …)
        exc = exceptions.ValidationError({"detail": [_("A value is out of the range the system accepts.")]})
    return drf_exception_handler(exc, context)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This record is still in use or conflicts with another one."
    default_code = "conflict"
