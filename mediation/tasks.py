"""Thin tasks for mediation."""

from celery import shared_task

from .models import MediationSession


@shared_task
def session_notify_parties(session_id: int) -> bool:
    """Tell the debtor and the creditor about a scheduled session, once."""
    from django.utils import timezone

    from cases.services import case_event_record
    from core.actors import SYSTEM

    updated = MediationSession.objects.filter(pk=session_id, parties_notified_at__isnull=True).update(
        parties_notified_at=timezone.now()
    )
    if not updated:
        return False
    session = MediationSession.objects.select_related("case").get(pk=session_id)
    try:
        from notices.services import notice_session_scheduled  # type: ignore[attr-defined]
    except ImportError:
        notice_session_scheduled = None
    if notice_session_scheduled is not None:
        notice_session_scheduled(session=session)
    case_event_record(
        case=session.case, action="session_parties_notified", actor=SYSTEM, data={"session": session_id}
    )
    return True


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
