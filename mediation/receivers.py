"""What mediation does when the cases app announces something (connected in MediationConfig.ready)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.signals import batch_imported
from core.models import Membership, Organisation

from .selectors import committee_mediators_key


@receiver(batch_imported, dispatch_uid="mediation.batch_imported")
def route_imported_cases(sender: Any, batch: Any, **kwargs: Any) -> None:
    """A new batch's cases get the centre's triage rules and, if the centre wants it, their mediators."""
    from .tasks import batch_cases_route

    batch_id = batch.pk
    transaction.on_commit(lambda: batch_cases_route.delay(batch_id))


def _forget_mediators(centre_id: Any) -> None:
    if centre_id is not None:
        key = committee_mediators_key(centre_id)
        transaction.on_commit(lambda: cache.delete(key))
        cache.delete(key)


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="mediation.mediators_membership")
def membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """The queue's reassign list is kept per centre: a mediator joining or leaving redraws it."""
    _forget_mediators(
        Organisation.objects.filter(pk=instance.organisation_id).values_list("centre_id", flat=True).first()
    )


@receiver([post_save, post_delete], sender=Organisation, dispatch_uid="mediation.mediators_organisation")
def organisation_changed(sender: Any, instance: Organisation, **kwargs: Any) -> None:
    _forget_mediators(instance.centre_id)


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="mediation.mediators_user")
def user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A name changed or a user deactivated."""
    for centre_id in Membership.objects.filter(user_id=instance.pk).values_list(
        "organisation__centre_id", flat=True
    ):
        _forget_mediators(centre_id)
