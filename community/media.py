"""Uploaded files are served only to whoever may see the row that holds them.

Every ``FileField`` of every model is a place a file can belong to: ``/media/<path>`` finds the row whose
field holds that path through ``restrict(user, "view")`` — the one scope rule — and serves the file only
then.  A link for someone without an account (Open311's ``media_url``) carries a signature that expires.

Behind the production proxy the file itself is sent by the proxy (``X-Accel-Redirect`` to an internal
location, ``MEDIA_ACCEL_REDIRECT``), so a worker is not held by a download; without one, Django streams it.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .scoping import VIEW

SIGNED_FOR = 7 * 24 * 3600  # seconds a signed public link stays valid
_signer = signing.TimestampSigner(salt="community.media")


@cache
def file_fields() -> tuple[tuple[type[models.Model], str], ...]:
    """(model, field name) for every file field of every model, found once."""
    return tuple(
        (model, field.name)
        for model in apps.get_models()
        if not model._meta.label.split(".")[-1].startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    )


def may_see(user, path: str) -> bool:
    """Does ``user`` reach a row that holds the file at ``path``?"""
    if not user.is_authenticated:
        return False
    for model, name in file_fields():
        manager = model._default_manager
        rows = manager.restrict(user, VIEW) if hasattr(manager, "restrict") else manager.none()
        if rows.filter(**{name: path}).exists():
            return True
    return False


def signed_url(request, path: str) -> str:
    """An absolute link to ``path`` for someone without an account, valid for a week."""
    signature = _signer.sign(path)[len(path) + 1 :]
    url = reverse("media", args=[path]) + "?" + urlencode({"sig": signature})
    return request.build_absolute_uri(url)


def _signature_valid(path: str, signature: str) -> bool:
    try:
        _signer.unsign(f"{path}:{signature}", max_age=SIGNED_FOR)
    except signing.BadSignature:
        return False
    return True


def _send(path: str) -> HttpResponse:
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(path)
    else:
        response = FileResponse(target.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline" if content_type.startswith("image/") else "attachment"
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
def serve(request, path: str):
    """``/media/<path>``: the file, to a user who may see its row or with a valid signature; else 404."""
    signature = request.GET.get("sig", "")
    if (signature and _signature_valid(path, signature)) or may_see(request.user, path):
        return _send(path)
    raise Http404
