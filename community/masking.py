"""Which fields of a model are masked personal data, and how each is shown to someone who may not reveal it.

One rule for every app (admin lookups, search, ordering, list columns): a model's masked fields are
- its ``id_number`` and, beside it, the ``birth_date`` derived from it (the 8 digits the mask hides);
- every phone field (a field validated by ``validate_phone``) but the few that are public by design;
- the names and phones of a confidential record's parties (``PARTY_FIELDS``: governance cases).
A model may instead declare ``MASKED_FIELDS`` itself.
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist

from . import validators

# phones that are published on purpose: a community office's number, a resident unit's contact, a staff account
PUBLIC_PHONES = {
    ("community", "community", "phone"),
    ("community", "residentunit", "contact_phone"),
    ("community", "user", "phone"),
}


def masked_fields(model) -> frozenset[str]:
    declared = getattr(model, "MASKED_FIELDS", None)
    if declared is not None:
        return frozenset(declared)
    opts = model._meta
    names = {f.name for f in opts.concrete_fields}
    out = set()
    if "id_number" in names:
        out |= {"id_number", "birth_date"} & names
    for field in opts.concrete_fields:
        if validators.validate_phone in field.validators and (
            (opts.app_label, opts.model_name, field.name) not in PUBLIC_PHONES
        ):
            out.add(field.name)
    for pair in getattr(model, "PARTY_FIELDS", ()):
        out.update(pair)
    return frozenset(out)


def masked_path(model, path: str) -> str | None:
    """The masked field a lookup path (``household__phone__startswith``) reaches, or None.

    Every step of the path is followed through relations; a masked field anywhere on it refuses the lookup."""

    current = model
    for part in path.split("__"):
        if current is None:
            return None
        if part in masked_fields(current):
            return f"{current._meta.label}.{part}"
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # a lookup (startswith, gte, …) or a transform: the walk is over
        current = field.related_model if field.is_relation else None
    return None


def mask_value(name: str, value) -> str:
    """How a masked field is shown to someone who may not reveal it."""
    if value in (None, ""):
        return ""
    if name == "id_number":
        return validators.mask_id_number(str(value))
    if name == "birth_date":
        return str(value.year)
    if name.endswith("phone"):
        return validators.mask_phone(str(value))
    return validators.mask_name(str(value))


# what must never reach a public page, an open API or a public export, whoever typed it into a note or memo:
# a tracking code (XXXX-XXXX-XXXX from services' alphabet, dashed or not), an ID number, a mobile number
_CODE = r"[2-9A-HJKMNP-Z]"
_PUBLIC_SECRETS = (
    (
        re.compile(rf"(?<![0-9A-Za-z]){_CODE}{{4}}[-\s]?{_CODE}{{4}}[-\s]?{_CODE}{{4}}(?![0-9A-Za-z])"),
        lambda m: "****-****-****",
    ),
    (
        re.compile(r"(?<!\d)\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?!\d)"),
        lambda m: validators.mask_id_number(m.group(0)),
    ),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), lambda m: validators.mask_phone(m.group(0))),
)


def scrub_public_text(text: str, *, phones: bool = True) -> str:
    """``text`` with tracking codes hidden and ID numbers (and, unless ``phones=False``, mobile numbers) masked,
    for public output.  A notice keeps its phones: there a number is the office's contact, put there to be called."""
    for pattern, replace in _PUBLIC_SECRETS if phones else _PUBLIC_SECRETS[:2]:
        text = pattern.sub(replace, text or "")
    return text
