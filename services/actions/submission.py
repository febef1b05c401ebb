"""A request submitted (web form, phone, Open311) with its photos checked and shrunk, and its deadlines."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from community import validators
from community.models import Building, Community, Household, User
from community.scoping import ensure_in_scope

from ..choices import (
    Channel,
    EventKind,
    Status,
)
from ..models import (
    RequestEvent,
    RequestPhoto,
    ServiceCategory,
    ServiceRequest,
)
from .catalogue import clean_answers
from .common import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_PHOTOS, PHOTO_FORMATS
from .notifications import _notify_staff


@dataclass(frozen=True)
class DoorLookup:
    """The household at a building's door, as a caller read it (None: there is none)."""

    building_id: int
    number: str
    household_id: int | None


def photo_prepare(upload) -> ContentFile:
    """Accept only a real image of at most 5 MB; re-encode it so no metadata (EXIF, GPS) survives."""

    name = getattr(upload, "name", "photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"photos": _("The photo %(name)s is larger than 5 MB.") % {"name": name}}, code="photo_too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in PHOTO_FORMATS:
            raise ValidationError(
                {"photos": _("%(name)s is not a JPEG, PNG, WebP or GIF photo.") % {"name": name}},
                code="photo_type",
            )
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise ValidationError({"photos": _("The photo %(name)s has too many pixels.") % {"name": name}})
        image.load()
        image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {"photos": _("%(name)s is not a photo we can read (use JPEG or PNG).") % {"name": name}},
            code="photo_invalid",
        )
    has_alpha = image.mode in ("RGBA", "LA", "P") and "transparency" in image.info or image.mode in ("RGBA", "LA")
    clean = Image.new("RGBA" if has_alpha else "RGB", image.size)
    clean.paste(image.convert(clean.mode))  # pixels only: no EXIF, no ICC, no text chunks
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"photo.{extension}")


def _deadlines(category: ServiceCategory, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return (
        start + dt.timedelta(hours=category.accept_within_hours),
        start + dt.timedelta(days=category.resolve_within_days),
    )


@transaction.atomic
def request_submit(
    *,
    community: Community,
    category: ServiceCategory,
    description: str,
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
    building: Building | None = None,
    door_number: str = "",
    address: str = "",
    answers: dict | None = None,
    photos=(),
    channel: str = Channel.WEB,
    lat=None,
    long=None,
    by: User | None = None,
    submitted_at: dt.datetime | None = None,
    door: DoorLookup | None = None,
) -> ServiceRequest:
    """Save a resident's request (from the public form, Open311, or staff taking it by phone or at the counter).

    ``door``: the household at ``building`` and ``door_number`` as the caller has already read it with the
    building (the resident form: ``selectors.public_form_post``); used only when it names that building and
    door, else the household is looked up here."""
    if by is not None:
        ensure_in_scope(by, community)
    errors = {}
    if not category.active:
        errors["category"] = _("This kind of request is not offered at the moment.")
    description = (description or "").strip()
    if len(description) < 4:
        errors["description"] = _("Describe what you need in a few words (at least 4 characters).")
    elif len(description) > 4000:
        errors["description"] = _("The description is too long (at most 4000 characters).")
    contact_name = (contact_name or "").strip()
    if not contact_name and channel != Channel.OPEN311:
        errors["contact_name"] = _("Tell us how to address you.")
    phone = validators.normalise_phone(contact_phone)
    if not phone and channel != Channel.OPEN311:
        errors["contact_phone"] = _("A phone number is needed so that we can reach you and you can follow the request.")
    elif phone:
        try:
            validators.validate_phone(phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages[0]
    if building is not None and building.zone.community_id != community.pk:
        errors["building"] = _("This building is not in the chosen community.")
    if not building and not (address or "").strip() and lat is None:
        errors["address"] = _("Choose your building or write the address.")
    for field, text in (
        ("description", description),
        ("contact_name", contact_name),
        ("contact_email", contact_email),
        ("door_number", door_number),
        ("address", address),
    ):
        try:
            validators.validate_no_control_characters(text)
        except ValidationError as exc:
            errors.setdefault(field, exc.messages[0])
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
    try:
        answers = clean_answers(category, answers, require=by is None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    prepared = []
    if "photos" not in errors:
        for upload in photos:
            try:
                prepared.append(photo_prepare(upload))
            except ValidationError as exc:
                errors.update(exc.message_dict)
                break
    if errors:
        raise ValidationError(errors)

    household_id = None
    door_number = (door_number or "").strip()
    if building is not None and door_number:
        if door is not None and door.building_id == building.pk and door.number == door_number:
            household_id = door.household_id
        else:  # the key alone (a building's door numbers are unique): the request links it, nothing reads it
            household_id = (
                Household.objects.filter(building_id=building.pk, number=door_number)
                .values_list("pk", flat=True)
                .first()
            )
    now = submitted_at or timezone.now()
    accept_due, resolve_due = _deadlines(category, now)
    full_address = " ".join(p for p in [str(building.name) if building else "", door_number, address.strip()] if p)
    request = ServiceRequest.objects.create(
        community=community,
        category=category,
        channel=channel,
        building=building,
        household_id=household_id,
        address=full_address[:200],
        lat=lat,
        long=long,
        description=description,
        answers=answers,
        contact_name=contact_name[:40],
        contact_phone=phone,
        contact_email=contact_email or "",
        submitted_at=now,
        accept_due=accept_due,
        resolve_due=resolve_due,
        created_by=by,
    )
    for content in prepared:
        RequestPhoto.objects.create(request=request, image=content)
    RequestEvent.objects.create(
        request=request,
        kind=EventKind.TRANSITION,
        new_status=Status.SUBMITTED,
        public=True,
        by=by,
        note=_("Request received."),
    )
    _notify_staff(
        request,
        subject=_("New service request %(code)s: %(category)s") % {"code": request.display_code, "category": category},
        body=_("A new request was submitted in %(community)s and must be accepted by %(due)s.")
        % {"community": community, "due": timezone.localtime(accept_due).strftime("%Y-%m-%d %H:%M")},
    )
    return request
