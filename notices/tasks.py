"""Thin Celery tasks: ids in, call a service; safe to run twice (the services are idempotent)."""

from celery import shared_task
from django.utils import timezone

from core.actors import SYSTEM

from . import conf, services
from .channels.base import TemporaryChannelError


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TemporaryChannelError,),
    max_retries=conf.delivery_max_retries(),
    retry_backoff=conf.delivery_retry_backoff_seconds(),
    retry_backoff_max=3600,
    retry_jitter=True,
)
def notice_process(self, notice_id: int) -> str:
    """Render and deliver one notice; temporary channel errors are retried with exponential backoff, and the
    last try records the notice as failed with the reason (never dropped)."""
    if self.request.is_eager:
        return _process_in_caller(notice_id, self.max_retries)
    case_id = services.Notice.objects.filter(pk=notice_id).values_list("case_id", flat=True).first()
    eta = services.notice_send_not_before(case_id=case_id or 0, now=timezone.now())
    if eta is not None:  # one that came due in the quiet hours (a retry) waits for 08:00 too
        notice_process.apply_async((notice_id,), eta=eta)
        return "deferred"
    final_try = self.request.retries >= self.max_retries
    return str(services.notice_process(notice_id=notice_id, final_try=final_try).status)


def _process_in_caller(notice_id: int, max_retries: int) -> str:
    """No broker, so the task runs in the caller's process (development, tests): Celery would hand the caller
    a Retry exception, so the retries run here at once, with the same count and the same final record."""
    for _ in range(max_retries):
        try:
            return str(services.notice_process(notice_id=notice_id, final_try=False).status)
        except TemporaryChannelError:
            continue
    return str(services.notice_process(notice_id=notice_id, final_try=True).status)


@shared_task(bind=True, acks_late=True)
def notices_process_chunk(self, batch_id: int, notice_ids: list[int]) -> dict[str, int]:
    """One chunk of a bulk send in one worker process (fonts and stylesheets stay loaded across letters).

    A notice whose channel fails for now is handed to notice_process, which retries it with backoff.
    """
    eta = None if self.request.is_eager else services.collection_send_not_before(timezone.now())
    if eta is not None:  # reached a worker in the quiet hours: the chunk waits for 08:00
        notices_process_chunk.apply_async((batch_id, notice_ids), eta=eta)
        return {"processed": 0, "retrying": 0}
    retried = 0
    for notice_id in notice_ids:
        try:
            services.notice_process(notice_id=notice_id, final_try=False)
        except TemporaryChannelError:
            retried += 1
            notice_process.apply_async((notice_id,), countdown=conf.delivery_retry_backoff_seconds())
    services.notice_batch_refresh(batch_id=batch_id)
    return {"processed": len(notice_ids), "retrying": retried}


@shared_task(acks_late=True)
def post_batch_build(centre_id: int) -> int | None:
    from core.models import Centre

    batch = services.post_batch_build(centre=Centre.objects.get(pk=centre_id), actor=SYSTEM)
    return batch.pk if batch else None
