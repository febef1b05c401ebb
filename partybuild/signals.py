"""The partybuild app's receivers (imported at startup, as every app's ``signals`` module is, by the core)."""

from __future__ import annotations

from django.dispatch import receiver

from community.signals import resident_anonymised

from .actions import member_anonymise_for_resident


@receiver(resident_anonymised, dispatch_uid="partybuild.resident_anonymised")
def on_resident_anonymised(sender, *, resident, **kwargs) -> None:
    """A resident anonymised in the core: the party member records linked to them are erased too."""
    member_anonymise_for_resident(resident=resident)
