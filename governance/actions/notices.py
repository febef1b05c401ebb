"""Writes of the notice board: drafts, publishing and taking down, attachments."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import record_save
from community.scoping import community_of, ensure_in_scope

from ..choices import NoticeOrigin
from ..models import Notice, NoticeAttachment

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# extension -> (content type, the bytes such a file starts with)
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}


def validate_attachment(upload) -> str:
    """Refuse a file that is too large or is not the PDF, image, Word or Excel file its name says; its type."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": _("Attach a PDF, JPEG, PNG, Word or Excel file (not %(name)s).") % {"name": name[-80:]}},
            code="attachment_type",
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"file": _("An attachment may be at most %(max)s.") % {"max": filesizeformat(MAX_ATTACHMENT_BYTES)}},
            code="attachment_size",
        )
    content_type, signatures = ATTACHMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"file": _("%(name)s is not really a .%(ext)s file.") % {"name": name[-80:], "ext": extension}},
            code="attachment_content",
        )
    return content_type


@transaction.atomic
def notice_save(*, by, notice: Notice) -> Notice:
    """Create or edit a notice in ``by``'s scope (the writer is remembered on creation)."""
    if notice.pk is None and notice.created_by_id is None:
        notice.created_by = by
    return record_save(by=by, instance=notice)


def _lock(by, notice_id: int) -> Notice:
    notice = Notice.objects.select_for_update().select_related("community").filter(pk=notice_id).first()
    if notice is None:
        raise ValidationError(_("There is no such notice."))
    ensure_in_scope(by, notice.community)
    return notice


@transaction.atomic
def notice_publish(*, by, notice_id: int, at: dt.datetime | None = None, until: dt.datetime | None = None) -> Notice:
    """Publish a notice now (or from ``at``), optionally until ``until``."""
    notice = _lock(by, notice_id)
    notice.publish_at = at or timezone.now()
    notice.unpublish_at = until
    if until is not None and until <= notice.publish_at:
        raise ValidationError({"unpublish_at": _("A notice can only be taken down after it is published.")})
    notice.save(update_fields=["publish_at", "unpublish_at", "updated_at"])
    return notice


@transaction.atomic
def notice_unpublish(*, by, notice_id: int, at: dt.datetime | None = None) -> Notice:
    """Take a published notice down now (or at ``at``); it stays in the records."""
    notice = _lock(by, notice_id)
    if notice.publish_at is None:
        raise ValidationError(_("This notice is a draft; there is nothing to take down."))
    at = at or timezone.now()
    if at <= notice.publish_at:
        raise ValidationError({"unpublish_at": _("A notice can only be taken down after it is published.")})
    notice.unpublish_at = at
    notice.save(update_fields=["unpublish_at", "updated_at"])
    return notice


@transaction.atomic
def attachment_add(*, by, notice_id: int, upload, title: str = "") -> NoticeAttachment:
    notice = _lock(by, notice_id)
    content_type = validate_attachment(upload)
    attachment = NoticeAttachment(
        notice=notice,
        title=(title or getattr(upload, "name", "") or _("Attachment"))[:200],
        size=upload.size,
        content_type=content_type,
    )
    attachment.file.save(getattr(upload, "name", "attachment"), upload, save=False)
    ensure_in_scope(by, community_of(attachment))
    attachment.save()
    return attachment


def notice_publish_generated(*, by, community, category: str, title: str, body: str, origin: str, at=None) -> Notice:
    """A notice written by the platform (a resolution, an election result), published at once."""
    notice = Notice(
        community=community,
        category=category,
        title=title[:200],
        body=body,
        origin=origin if origin in NoticeOrigin.values else NoticeOrigin.WRITTEN,
        publish_at=at or timezone.now(),
        created_by=by,
    )
    return record_save(by=by, instance=notice)
