"""Thin tasks for mediation."""

from typing import Any

from celery import shared_task

from .models import MediationSession


@shared_task(bind=True, max_retries=8)
def session_notify_parties(
    self: Any, session_id: int, done: list[str] | None = None, sent: dict[str, str] | None = None
) -> bool:
    """Tell the debtor and the creditor about a scheduled session, once. A provider's temporary failure
    retries only the messages that did not go (their keys travel with the retry); a session cancelled or
    already announced meanwhile is left alone. Marked and recorded on the case when every message is done."""
    from django.utils import timezone

    from cases.models import EventAction
    from cases.services import case_event_record
    from core.actors import SYSTEM
    from notices.services import notice_session_scheduled

    session = MediationSession.objects.select_related("case").get(pk=session_id)
    if session.parties_notified_at is not None or session.status != MediationSession.Status.SCHEDULED:
        return False
    attempt = notice_session_scheduled(session=session, done=done or [])
    done, sent = [*(done or []), *attempt.done], {**(sent or {}), **attempt.sent}
    # In-process (no broker) there is no later: what did not go is recorded as such.
    if attempt.retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(
            kwargs={"session_id": session_id, "done": done, "sent": sent},
            countdown=min(1800, 30 * 2**self.request.retries),
        )
    if attempt.retry:
        sent["not sent"] = f"{len(attempt.retry)} message(s): the provider kept refusing for now"
    updated = MediationSession.objects.filter(pk=session_id, parties_notified_at__isnull=True).update(
        parties_notified_at=timezone.now()
    )
    if updated:
        case_event_record(
            case=session.case,
            action=EventAction.SESSION_PARTIES_NOTIFIED,
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
