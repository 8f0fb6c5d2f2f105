"""Thin tasks for mediation."""

from celery import shared_task

from notices.channels.base import TemporaryChannelError

from .models import MediationSession


@shared_task(autoretry_for=(TemporaryChannelError,), retry_backoff=30, retry_backoff_max=1800, max_retries=8)
def session_notify_parties(session_id: int) -> bool:
    """Tell the debtor and the creditor about a scheduled session, once: sent first (each message with its
    own idempotency key, so a retry is not delivered twice), then marked, then recorded on the case."""
    from django.utils import timezone

    from cases.services import case_event_record
    from core.actors import SYSTEM
    from notices.services import notice_session_scheduled

    session = MediationSession.objects.select_related("case").get(pk=session_id)
    if session.parties_notified_at is not None:
        return False
    sent = notice_session_scheduled(session=session)
    updated = MediationSession.objects.filter(pk=session_id, parties_notified_at__isnull=True).update(
        parties_notified_at=timezone.now()
    )
    if updated:
        case_event_record(
            case=session.case,
            action="session_parties_notified",
            actor=SYSTEM,
            data={"session": session_id, **sent},
        )
    return bool(updated)


@shared_task
def court_mediation_assign_pending() -> int:
    """Cases that reached court mediation without an invited mediator (e.g. by an expired window)."""
    from core.models import Centre

    from .services import cases_assign_auto

    return sum(
        sum(cases_assign_auto(centre=centre, court_invited=True).values()) for centre in Centre.objects.all()
    )


@shared_task(acks_late=True)
def batch_cases_route(batch_id: int) -> dict[str, int]:
    """Triage a newly imported batch by the centre's rules, then assign its cases (safe to run twice)."""
    from cases.models import Batch

    from .services import imported_cases_route

    return imported_cases_route(batch=Batch.objects.select_related("centre").get(pk=batch_id))
