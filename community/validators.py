"""Validation and masking of Chinese personal data, on well-kept libraries."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import check_password, is_password_usable
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

# the password history model is defined beside the core's models; importing it here registers it
# with the community app (community.models imports this module) and gives the reuse validator its rows
from .auth_models import PasswordHistory


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    """GB 11643 citizen ID: 18 characters, valid birth date and check digit."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters."), code="id_length")
    try:
        ric.validate(number)
    except (StdnumError, KeyError, ValueError):  # stdnum raises KeyError for unknown area codes
        raise ValidationError(
            _("This ID number is not valid: its birth date or check digit is wrong."), code="id_invalid"
        )


def id_birth_date(value: str) -> dt.date:
    return ric.get_birth_date(normalise_id_number(value))


def id_gender(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "M" if int(normalise_id_number(value)[16]) % 2 else "F"


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\-]", "", (value or "").strip())


def validate_phone(value: str) -> None:
    """A Chinese mobile (11 digits) or landline number, checked with phonenumbers."""
    raw = normalise_phone(value)
    if not raw:
        return
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number, e.g. 13812345678."), code="phone_invalid")
    if not phonenumbers.is_valid_number(parsed) or parsed.country_code != 86:
        raise ValidationError(_("Enter a valid phone number, e.g. 13812345678."), code="phone_invalid")


def mask_id_number(value: str) -> str:
    """110105********123X: region code kept, birth date hidden, last four kept."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****1234."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张*明 / 王*: the given name hidden, for public lists."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


class CharacterClassValidator:
    """Passwords need characters from at least three of: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"]
        if sum(bool(re.search(c, password or "")) for c in classes) < 3:
            raise ValidationError(
                _("The password must mix at least three of: lower case, upper case, digits, symbols."),
                code="password_classes",
            )

    def get_help_text(self):
        return _("Use at least three of: lower case, upper case, digits, symbols.")


class PasswordReuseValidator:
    """A new password may not be any of the user's last ``count`` passwords (the current one included).

    Django calls ``validate`` before a password is set (admin forms, ``changepassword``, the password
    change page) and ``password_changed`` after every ``set_password`` + ``save``: that hook keeps the
    history, as hashes, trimmed to the last ``count`` passwords.
    """

    def __init__(self, count: int = 3):
        self.count = count

    def _recent_hashes(self, user) -> list[str]:
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.count]
        )
        current = getattr(user, "password", "")
        if current and current not in hashes:
            hashes = [current, *hashes][: self.count]
        return hashes

    def validate(self, password, user=None):

        if user is None or getattr(user, "pk", None) is None or not password:
            return
        for encoded in self._recent_hashes(user):
            if is_password_usable(encoded) and check_password(password, encoded):
                raise ValidationError(
                    _("This password was one of your last %(count)d passwords: choose a new one.")
                    % {"count": self.count},
                    code="password_reused",
                )

    def password_changed(self, password, user=None):

        if user is None or getattr(user, "pk", None) is None:
            return
        if not user.password or not is_password_usable(user.password):
            return
        newest = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-id").first()
        if newest is not None and (
            newest.password == user.password or (password and check_password(password, newest.password))
        ):
            return  # the same password again (or recorded already when the account was made): one entry
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-id").values("pk")[: self.count]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=keep).delete()

    def get_help_text(self):
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": self.count}


# --- input limits (issue 16): one rule for every form, serializer and action -----------------------

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# C0 control characters other than tab, line feed and carriage return: XML 1.0 cannot carry them, and no
# one types them; U+FFFE/U+FFFF are not characters at all
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def validate_date_in_range(value) -> None:
    """A date (or a date-time) between 1900-01-01 and 2100-12-31: 0001-01-01 and 9999-12-31 are typing
    slips or probes, and they break date arithmetic (a year's end, an age, a deadline) further on."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("Enter a date between %(start)s and %(end)s.") % {"start": DATE_MIN, "end": DATE_MAX},
            code="date_out_of_range",
        )


def validate_finite_number(value) -> None:
    """NaN and ±Infinity (also 1e999999, which a float turns into Infinity) are not numbers anyone means."""

    if value is None or value == "":
        return
    try:
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        raise ValidationError(_("Enter a finite number."), code="not_finite")


def validate_no_control_characters(value) -> None:
    """Refuse control characters (other than tab and line breaks) in free text."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(_("Remove the control characters from this text."), code="control_characters")


def strip_control_characters(value: str) -> str:
    """The text with the characters ``validate_no_control_characters`` refuses taken out (for output)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def _remember_first_password(sender, instance, created, raw=False, **kwargs):
    """``create_user`` hashes the first password without ``set_password``, so Django's ``password_changed``
    hook never sees it: record it when the account is made, so it counts among the last passwords."""
    if not created or raw:
        return
    for validator in get_default_password_validators():
        if isinstance(validator, PasswordReuseValidator):
            validator.password_changed(None, instance)


post_save.connect(_remember_first_password, sender=settings.AUTH_USER_MODEL, dispatch_uid="community.first_password")
