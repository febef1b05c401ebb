"""Rows the departments keep (六进社区 commitments, activities) and the facilities' bookings and events."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.scoping import ensure_in_scope

from ..choices import (
    BookingStatus,
    CommunityEventStatus,
)
from ..models import (
    CommunityEvent,
    Facility,
    FacilityBooking,
)


@transaction.atomic
def record_save(*, by, instance):
    """Validate and save a services row within the writer's scope (checked where it is and where it goes)."""
    model = type(instance)
    if instance.pk:
        current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
        if current is not None:
            ensure_in_scope(by, current)
    ensure_in_scope(by, instance)
    instance.full_clean()
    if isinstance(instance, FacilityBooking):
        return booking_save(by=by, booking=instance)
    instance.save()
    return instance


@transaction.atomic
def booking_save(*, by, booking: FacilityBooking) -> FacilityBooking:
    """A facility cannot be booked twice for overlapping times (checked under the facility's row lock)."""

    facility = Facility.objects.select_for_update().select_related("unit__community").get(pk=booking.facility_id)
    ensure_in_scope(by, facility.unit.community)
    if booking.end <= booking.start:
        raise ValidationError({"end": _("The booking must end after it starts.")})
    if booking.status != BookingStatus.CANCELLED:
        clash = (
            FacilityBooking.objects.filter(
                facility=facility, date=booking.date, start__lt=booking.end, end__gt=booking.start
            )
            .exclude(status=BookingStatus.CANCELLED)
            .exclude(pk=booking.pk)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start": _("The facility is already booked from %(start)s to %(end)s that day.")
                    % {"start": clash.start.strftime("%H:%M"), "end": clash.end.strftime("%H:%M")}
                }
            )
    if booking.status != BookingStatus.USED and booking.attendees:
        raise ValidationError({"attendees": _("Record attendees only once the facility has been used.")})
    booking.save()
    return booking


@transaction.atomic
def booking_record_use(*, by, booking_id, attendees: int) -> FacilityBooking:
    booking = FacilityBooking.objects.select_for_update().select_related("facility__unit__community").get(pk=booking_id)
    ensure_in_scope(by, booking.facility.unit.community)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError(_("A cancelled booking cannot be recorded as used."))
    if attendees is None or int(attendees) < 0:
        raise ValidationError({"attendees": _("Give the number of people who came.")})
    booking.status = BookingStatus.USED
    booking.attendees = int(attendees)
    booking.save(update_fields=["status", "attendees", "updated_at"])
    return booking


@transaction.atomic
def event_record_attendance(*, by, event_id, attendance: int, minutes: str = "") -> CommunityEvent:
    event = CommunityEvent.objects.select_for_update().select_related("community").get(pk=event_id)
    ensure_in_scope(by, event.community)
    if event.status == CommunityEventStatus.CANCELLED:
        raise ValidationError(_("A cancelled event has no attendance."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the event has started."))
    try:
        attendance = int(attendance)
    except (TypeError, ValueError):
        raise ValidationError({"attendance": _("Give the number of people who attended.")})
    if attendance < 0 or (event.capacity and attendance > event.capacity * 2):
        raise ValidationError({"attendance": _("This attendance is not plausible for the event.")})
    event.status = CommunityEventStatus.HELD
    event.attendance = attendance
    if minutes:
        event.minutes = minutes
    event.save(update_fields=["status", "attendance", "minutes", "updated_at"])
    return event
