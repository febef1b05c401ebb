"""The partybuild app's receivers (imported at startup, as every app's ``signals`` module is, by the core).

Besides the core's own signal (a resident anonymised), the coverage summaries follow the core's hierarchy:
a zone, building or household made, moved to another community or deleted changes the counts of the
communities it lies in.  ``community`` cannot call partybuild (the core imports no app), so these receivers
listen to its models' saves and deletes and hand over to the summary actions, in the writer's transaction.
Rows written in bulk without signals (``bulk_create``, ``QuerySet.update``, COPY) are not seen here: those
paths end with ``rebuild_coverage_summaries`` (and the nightly job repairs whatever a raw write left).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from community.models import Building, Household, Zone
from community.signals import resident_anonymised

from .actions import (
    communities_of_places,
    coverage_summaries_added,
    member_anonymise_for_resident,
    rebuild_coverage_summaries,
)
from .models import PartyMember, PartyOrganisation

# the field each place hangs on, and where the ids of such places are passed to ``communities_of_places``
_PARENT = {Zone: ("community_id", None), Building: ("zone_id", "zone_ids"), Household: ("building_id", "building_ids")}
_WAS = "_partybuild_parent_was"


@receiver(resident_anonymised, dispatch_uid="partybuild.resident_anonymised")
def on_resident_anonymised(sender, *, resident, **kwargs) -> None:
    """A resident anonymised in the core: the party member records linked to them are erased too."""
    member_anonymise_for_resident(resident=resident)


def _communities(model, parent_ids) -> set[int]:
    field, kind = _PARENT[model]
    if kind is None:  # a zone's parent is its community
        return {pk for pk in parent_ids if pk is not None}
    return communities_of_places(**{kind: [pk for pk in parent_ids if pk is not None]})


def remember_parent(sender, instance, raw=False, **kwargs) -> None:
    """Before a change of a zone, building or household: where it hung (one query; none for a new row)."""
    if raw or instance.pk is None or instance._state.adding:
        return
    field = _PARENT[sender][0]
    setattr(instance, _WAS, sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first())


def place_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """A zone, building or household made counts one more (uncovered) in its community's summary; one moved
    to another parent rebuilds the summaries kept of the communities it left and joined."""
    if raw:
        return
    if created:
        coverage_summaries_added(place=instance)
        return
    field = _PARENT[sender][0]
    was, now = getattr(instance, _WAS, None), getattr(instance, field)
    if hasattr(instance, _WAS):
        delattr(instance, _WAS)
    if was is not None and was != now:
        communities = _communities(sender, [was, now])
        if len(communities) > 1:  # moved within one community: its counts stand
            rebuild_coverage_summaries(communities=communities, kept_only=True)


def place_deleted(sender, instance, **kwargs) -> None:
    """A zone, building or household deleted: the summary kept of its community is rebuilt."""
    field = _PARENT[sender][0]
    rebuild_coverage_summaries(communities=_communities(sender, [getattr(instance, field)]), kept_only=True)


for _model in _PARENT:
    _label = _model._meta.label_lower
    pre_save.connect(remember_parent, sender=_model, dispatch_uid=f"partybuild.coverage.was.{_label}")
    post_save.connect(place_saved, sender=_model, dispatch_uid=f"partybuild.coverage.saved.{_label}")
    post_delete.connect(place_deleted, sender=_model, dispatch_uid=f"partybuild.coverage.deleted.{_label}")


@receiver(post_delete, sender=PartyMember, dispatch_uid="partybuild.coverage.member_deleted")
def member_deleted(sender, instance, **kwargs) -> None:
    """A member record deleted (the admin may delete one that covers nothing): the members' count changes."""
    community = PartyOrganisation.objects.filter(pk=instance.organisation_id).values_list("community_id", flat=True)
    rebuild_coverage_summaries(communities=list(community), kept_only=True)
