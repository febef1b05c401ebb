"""API building blocks every app's ``api.py`` reuses: scoped viewsets, fields, pagination, errors."""

from __future__ import annotations

import copy

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.db.models import ProtectedError
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from utilities.authentication import TokenExpired
from utilities.pagination import CursorPagination, PagePagination  # noqa: F401  (re-exported)

from .actions import record_save
from .permissions import may_reveal
from .scoping import DELETE, ensure_in_scope
from .validators import validate_date_in_range, validate_finite_number, validate_no_control_characters

# --- input limits: one rule for dates, numbers and text, on every serializer -----------------------


def _django_validator(check):
    """A Django validator as a DRF one (DRF turns only its own ValidationError into a field error)."""

    def validator(value):

        try:
            check(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None

    validator.__name__ = check.__name__
    return validator


class BoundedDateField(serializers.DateField):
    """A date between 1900-01-01 and 2100-12-31 (``community.validators.validate_date_in_range``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_django_validator(validate_date_in_range))


class BoundedDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_django_validator(validate_date_in_range))


class FiniteDecimalField(serializers.DecimalField):
    """DRF refuses NaN and Infinity already; the validator keeps that so whatever DRF version runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(_django_validator(validate_finite_number))


class FiniteFloatField(serializers.FloatField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_django_validator(validate_finite_number))


class PlainCharField(serializers.CharField):
    """Free text without control characters (they make XML output malformed and nobody types them)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_django_validator(validate_no_control_characters))


BOUNDED_FIELDS = {
    models.DateField: BoundedDateField,
    models.DateTimeField: BoundedDateTimeField,
    models.DecimalField: FiniteDecimalField,
    models.FloatField: FiniteFloatField,
    models.CharField: PlainCharField,
    models.TextField: PlainCharField,
}
# Every ModelSerializer of the project (the apps subclass DRF's directly as well as ScopedModelSerializer)
# maps model fields through this one table, so the limits hold on every endpoint without each app opting in.
serializers.ModelSerializer.serializer_field_mapping = {
    **serializers.ModelSerializer.serializer_field_mapping,
    **BOUNDED_FIELDS,
}


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are the rows the caller may reach: another community's id is a 400."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "for_user"):
            return queryset.for_user(request.user)
        return queryset

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except OverflowError:  # 1e999999 is a float infinity, which no integer id can be compared with
            self.fail("incorrect_type", data_type=type(data).__name__)


class ScopedModelSerializer(serializers.ModelSerializer):
    """``Meta.reveal_only`` names fields that come back null to a caller without the reveal permission
    (a birth date: with the masked ID number beside it, it gives back the 8 digits the mask hides)."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A read-only text field of a model field that may be blank still answers "" (a request not yet
        rated, a liaison not ended): DRF drops ``allow_blank`` from read-only fields, and the schema would
        then promise a value from the choices only."""
        blank = bool(extra_kwargs.get("read_only") and kwargs.get("allow_blank"))
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank:
            kwargs["allow_blank"] = True
        return kwargs

    def get_fields(self):
        """DRF builds a model serializer's fields anew for every serializer, by looking the model up field by
        field; they depend on the class and the language alone (a field's label is given only where its
        verbose name, in the language active, differs from its name), so each class builds them once per
        language and every serializer gets a deep copy, as DRF itself copies a serializer's declared fields."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = type(self)._built_fields = {}
        language = get_language()
        fields = built.get(language)
        if fields is None:
            fields = built.setdefault(language, super().get_fields())
        return copy.deepcopy(fields)

    @cached_property
    def _readable_fields(self):
        """DRF walks every field to find the readable ones for each row it writes: here once per serializer
        (a list page's 50 rows share their child serializer)."""
        return [field for field in self.fields.values() if not field.write_only]

    def to_representation(self, instance):

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

    if isinstance(exc, TokenExpired):  # APIView turned it into a 403 (the session comes first): an expiry is a 401
        exc.status_code, exc.auth_header = TokenExpired.status_code, TokenExpired.auth_header
    elif isinstance(exc, DjangoValidationError):
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
    elif isinstance(exc, ObjectDoesNotExist):
        # an id in the body or the query that names no row the caller can reach (a URL's id is a 404 already)
        exc = exceptions.ValidationError({"detail": [_no_such_row(exc)]})
    elif isinstance(exc, OverflowError):
        # a float infinity (JSON's 1e999999) compared with an integer column, wherever a view lets one through
        exc = exceptions.ValidationError({"detail": [_("A number is too large.")]})
    elif isinstance(exc, RecursionError):
        exc = exceptions.ValidationError({"detail": [_("The input nests too deeply.")]})
    elif isinstance(exc, DataError):
        # a value the database cannot hold (a time-zone offset beyond ±15:59, a number too large, …)
        exc = exceptions.ValidationError({"detail": [_("A value is out of the range the system accepts.")]})
    return drf_exception_handler(exc, context)


def _no_such_row(exc: ObjectDoesNotExist) -> str:

    for model in apps.get_models():
        if type(exc) is model.DoesNotExist:
            return _("No %(model)s with the id you gave exists within your scope.") % {
                "model": model._meta.verbose_name
            }
    return _("A record you named does not exist within your scope.")


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This record is still in use or conflicts with another one."
    default_code = "conflict"


# --- the schema documents the 4xx answers ---------------------------------------------------------

ERROR_SCHEMA = {
    "description": 'Why the request was refused: {"detail": "…"} or {"detail": ["…"]}, a field name → its '
    "messages (nested for nested input), or a list of messages.",
    "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
}
ERROR_ANSWERS = {
    "400": "The input is invalid: a field, a query parameter, a JSON body too deep or a number not finite.",
    "401": "No credentials, or an API token that is unknown or expired.",
    "403": "Signed in, but without the permission or outside the caller's scope.",
    "404": "No such row within the caller's scope, or a page or cursor that does not exist.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}
WRITE_ERROR_ANSWERS = {
    "409": "The row is still in use or conflicts with another one.",
    "415": "The body's content type is not one the endpoint parses (use application/json).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


# a time of day as DRF writes it ("09:00" or "09:00:00"): OpenAPI's ``format: time`` is RFC 3339's full-time,
# which requires a UTC offset that a booking's start and end do not have
TIME_OF_DAY = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"}


def times_of_day(result, generator, request, public):
    """drf-spectacular postprocessing hook: every ``format: time`` property is a time of day without an offset."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node.pop("format")
                node["pattern"] = TIME_OF_DAY["pattern"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the 4xx answers it can give, with
    the error body's shape (``components.schemas.Error``), so clients and schemathesis know them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = dict(ERROR_ANSWERS)
            if method in WRITE_METHODS:
                answers.update(WRITE_ERROR_ANSWERS)
            for code, description in answers.items():
                operation["responses"].setdefault(code, {"description": description, **body})
    return result
