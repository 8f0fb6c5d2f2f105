"""Thin Celery tasks: ids in, call a service, safe to run twice."""

from celery import shared_task

from core.models import Membership, Role

from . import services
from .models import CaseEvent, CaseNotification


@shared_task
def case_stage_entered(event_id: int) -> int:
    """Tell the creditor's staff and the assigned mediator that a case changed stage (once per event)."""
    event = CaseEvent.objects.select_related("case").get(pk=event_id)
    case = event.case
    user_ids = set(
        Membership.objects.filter(organisation_id=case.creditor_id, role=Role.CREDITOR_STAFF).values_list(
            "user_id", flat=True
        )
    )
    if case.mediator_id:
        user_ids.add(case.mediator_id)
    user_ids.discard(event.actor_id)
    created = CaseNotification.objects.bulk_create(
        [CaseNotification(user_id=uid, case=case, event=event) for uid in user_ids], ignore_conflicts=True
    )
    return len(created)


@shared_task
def deadlines_act_on_due() -> dict[str, int]:
    return services.deadlines_act_on_due()


@shared_task
def batch_legality_screen_task(batch_id: int) -> dict[str, int]:
    """The legality screen over a batch's cases, as of today (safe to run twice)."""
    from .legality import batch_legality_screen
    from .models import Batch

    return batch_legality_screen(batch=Batch.objects.get(pk=batch_id))
