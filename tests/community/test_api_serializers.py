"""A model serializer's fields are built once per class and language, and deep-copied for each serializer
(``community.api_base.ScopedModelSerializer.get_fields``): every API serializer must get the same fields DRF
would build, in each language, and no two serializers may share a field."""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework import serializers

from community.api_base import ScopedModelSerializer
from config.urls import router


def _serializers():
    found = set()
    for _prefix, viewset, _basename in router.registry:
        serializer = getattr(viewset, "serializer_class", None)
        if serializer is not None and issubclass(serializer, ScopedModelSerializer):
            found.add(serializer)
    return sorted(found, key=lambda s: f"{s.__module__}.{s.__qualname__}")


def _shape(fields) -> dict:
    return {
        name: (
            type(field),
            field.read_only,
            field.write_only,
            field.required,
            field.allow_null,
            sorted(field._kwargs),  # what DRF passed to build it: source, choices, max_length, validators…
            field._kwargs.get("source"),
            str(field._kwargs.get("label")),  # in the language active
        )
        for name, field in fields.items()
    }


@pytest.mark.parametrize("serializer_class", _serializers(), ids=lambda s: f"{s.__module__}.{s.__qualname__}")
def test_kept_fields_are_the_fields_drf_builds(serializer_class):
    for language, _name in [*settings.LANGUAGES, *reversed(settings.LANGUAGES)]:  # each kept first, then again
        with translation.override(language):
            first, second = serializer_class(context={}), serializer_class(context={})
            built = serializers.ModelSerializer.get_fields(first)  # DRF's own build, field by field
            assert _shape(first.fields) == _shape(built)
            assert _shape(second.fields) == _shape(built)
            for name in first.fields:
                assert first.fields[name] is not second.fields[name]
                assert first.fields[name].parent is first and second.fields[name].parent is second
