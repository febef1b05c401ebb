"""Signals the core sends so that other apps can follow its writes without ``community`` importing them."""

from django.dispatch import Signal

# sent inside the anonymising transaction: (sender=Resident, resident=<the erased row>, by=<user>);
# an app that keeps its own copy of the person's name or contact details erases it here
resident_anonymised = Signal()
