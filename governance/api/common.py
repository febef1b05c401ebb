"""Shared pieces of the governance API."""

from __future__ import annotations


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def fill(serializer):
    instance = serializer.instance or serializer.Meta.model()
    for name, value in serializer.validated_data.items():
        setattr(instance, name, value)
    return instance
