"""Court documents are notices: rendered by the notices machinery in a worker, served like any notice."""

from celery import shared_task

from core.actors import SYSTEM

NOTICE_KIND = {
    "confirmation_ruling": "confirmation_ruling",
    "payment_order": "payment_order",
    "judgment": "judgment",
}


@shared_task
def court_document_render(kind: str, object_id: int) -> int | None:
    from notices.services import notice_send

    from .models import ConfirmationDecision, PaymentOrder, Suit

    if kind == "confirmation_ruling":
        case = ConfirmationDecision.objects.select_related("case").get(pk=object_id).case
    elif kind == "payment_order":
        case = PaymentOrder.objects.select_related("case").get(pk=object_id).case
    elif kind == "judgment":
        case = Suit.objects.select_related("case").get(pk=object_id).case
    else:
        return None
    # Each decision or order its own document: a ruling after an earlier refusal is a new ruling.
    return notice_send(case=case, kind=NOTICE_KIND[kind], actor=SYSTEM, subject=f"{kind}:{object_id}").pk


@shared_task
def court_bulk_run(run_id: int) -> int:
    """A bulk decision of the console, chunk by chunk (courts.bulk)."""
    from .bulk import bulk_run_process

    return bulk_run_process(run_id=run_id).processed
