"""居务公开: the notice board of a community."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from community.models import Community, TimeStamped
from community.scoping import RestrictedQuerySet

from ..choices import NoticeCategory, NoticeOrigin


class NoticeQuerySet(RestrictedQuerySet):
    def published(self, at=None):
        """Notices residents see now: published, not yet taken down."""
        at = at or timezone.now()
        return self.filter(publish_at__lte=at).filter(Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=at))


class Notice(TimeStamped):
    """One public notice (公开事项); a draft until it has a publish time."""

    community_path = "community"

    community = models.ForeignKey(Community, models.PROTECT, related_name="notices", verbose_name=_("community"))
    category = models.CharField(_("category"), max_length=10, choices=NoticeCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    origin = models.CharField(
        _("origin"), max_length=12, choices=NoticeOrigin.choices, default=NoticeOrigin.WRITTEN, editable=False
    )
    publish_at = models.DateTimeField(
        _("published from"), null=True, blank=True, db_index=True, help_text=_("Empty: a draft nobody sees.")
    )
    unpublish_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned to the top"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("written by")
    )

    objects = NoticeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices (居务公开)")
        ordering = ["-pinned", "-publish_at", "-id"]
        indexes = [models.Index(fields=["community", "-publish_at"], name="governance_notice_board")]
        constraints = [
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True)
                | Q(publish_at__isnull=False, unpublish_at__gt=models.F("publish_at")),
                name="governance_notice_down_after_up",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):

        return reverse("governance:notice", kwargs={"code": self.community.code, "pk": self.pk})

    def clean(self):

        if self.unpublish_at and (not self.publish_at or self.unpublish_at <= self.publish_at):
            raise ValidationError({"unpublish_at": _("A notice can only be taken down after it is published.")})

    @property
    def is_published(self) -> bool:
        now = timezone.now()
        return bool(self.publish_at and self.publish_at <= now and (not self.unpublish_at or self.unpublish_at > now))


def attachment_path(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/notices/{uuid.uuid4().hex}.{suffix}"


class NoticeAttachment(models.Model):
    community_path = "notice__community"

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="attachments", verbose_name=_("notice"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    title = models.CharField(_("title"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    content_type = models.CharField(_("file type"), max_length=100, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")
        ordering = ["notice", "id"]

    def __str__(self):
        return self.title
