"""The API's JSON parser: a body nested deeper than ``MAX_DEPTH``, or carrying NaN, Infinity or a number
too large for a float (``1e999999``), is a 400, not a ``RecursionError`` (a 500) or a value no column holds.

Configured as the first of ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``.
"""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a number the API accepts.") % {"name": name})


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("The number %(text)s is too large.") % {"text": text[:40]})
    return value


def depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads(text: str, *, max_depth: int = MAX_DEPTH):
    """``json.loads`` with the limits above; raises ``ValueError`` with a message for the caller."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(_("The JSON nests deeper than %(depth)d levels.") % {"depth": max_depth}) from None
    if depth(data) > max_depth:
        raise ValueError(_("The JSON nests deeper than %(depth)d levels.") % {"depth": max_depth})
    return data


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with the depth, constant and overflow limits of ``loads``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
