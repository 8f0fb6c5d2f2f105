"""Cases spread over months and stages, through the bulk services: enough to draw every chart."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from cases.models import Batch, Case, CaseEvent
from cases.services import cases_bulk_transition
from core.actors import SYSTEM
from credit_repair.models import Payment
from dashboards.services import facts_refresh
from mediation.models import ContactAttempt, Objection
from notices.models import Notice
from oversight.services import group_risks_detect, rule_settings

MONTHS = 5


def _bulk(ids: list[int], transition: str, actor: object, **kw: object) -> None:
    if ids:
        cases_bulk_transition(case_ids=ids, transition=transition, actor=actor, **kw)  # type: ignore[arg-type]


def build_demo(world: object, per_creditor: int = 60) -> None:
    w = world
    counter = itertools.count()
    for creditor, staff, product in (
        (w.bank, w.creditor1, "credit_card"),
        (w.cf, w.creditor2, "consumer_loan"),
    ):
        ids: list[int] = []
        for month in range(MONTHS):
            batch = Batch.objects.create(
                centre=w.qz, creditor=creditor, filename=f"{creditor.code}-{month + 1}.xlsx", status="done"
            )
            made = [
                w.case(
                    creditor,
                    batch=batch,
                    product=product,
                    address="福建省泉州市丰泽区东海街道" if n % 4 else "",
                    interest=Decimal(300 + 90 * (n % 7)),
                    fees=Decimal(50 * (n % 3)),
                )
                for n in range(per_creditor // MONTHS)
            ]
            received = timezone.now() - timedelta(days=30 * (MONTHS - month) + 5)
            Batch.objects.filter(pk=batch.pk).update(created_at=received)
            Case.objects.filter(pk__in=[c.pk for c in made]).update(created_at=received)
            ids += [c.pk for c in made]
        triaged = [i for i in ids if next(counter) % 10]
        _bulk(triaged, "triage", SYSTEM, params={"colour": "green", "track": "fast"})
        mediating = triaged[: int(len(triaged) * 0.85)]
        _bulk(mediating, "start_mediation", w.mediator1)
        settled = mediating[::2]
        _bulk(settled, "settle", w.mediator1)
        escalated = [i for i in mediating[1::2]][: len(mediating) // 3]
        _bulk(escalated, "escalate_to_court", w.mediator1, reason="债务人拒绝调解")
        _bulk(escalated[: len(escalated) // 2], "apply_payment_order", staff)
        _bulk(settled[: len(settled) * 2 // 3], "record_full_performance", staff)
        _bulk(triaged[-3:], "withdraw", staff, reason="已自行结清")
        _spread_events(ids)
        cases = list(Case.objects.filter(pk__in=ids).order_by("pk"))
        for n, case in enumerate(cases):
            status = ["delivered", "opened", "opened", "failed", "sent", "delivered"][n % 6]
            Notice.objects.create(
                case=case, kind="mediation_notice", channel=["sms", "post", "email"][n % 3], status=status
            )
            if case.stage == "performed":
                Payment.objects.create(
                    case=case,
                    creditor=creditor,
                    paid_on=date.today(),
                    amount=case.claimed_total,
                    reference=f"P{case.pk}",
                    source="portal",
                )
            if n % 9 == 0:
                Objection.objects.create(
                    case=case,
                    debtor=case.debtor,
                    statement="…",
                    ground=["amount_wrong", "already_paid", "not_my_debt"][n % 3],
                    status=["upheld", "rejected", "under_review"][n % 4 % 3],
                )
            if case.stage in ("in_mediation", "court_mediation", "settled", "performed"):
                ContactAttempt.objects.create(
                    case=case,
                    mediator=w.mediator1,
                    channel="phone",
                    at=case.created_at + timedelta(days=3),
                    outcome=["reached", "no_answer", "promised", "wrong_number"][n % 4],
                )
    settings = rule_settings(w.qz)
    settings.district_debtors, settings.launch_cases = 40, 1000
    settings.save()
    group_risks_detect(centre=w.qz)
    facts_refresh(centre_id=w.qz.pk)


def _spread_events(ids: list[int]) -> None:
    """Each event a few days after the one before it, from the case's receipt (the bulk steps ran today)."""
    for case_id, created in Case.objects.filter(pk__in=ids).values_list("pk", "created_at"):
        steps = CaseEvent.objects.filter(case_id=case_id).order_by("seq").values_list("pk", "seq")
        for pk, seq in steps:
            days = sum(3 + (case_id * s) % 9 for s in range(1, seq))
            CaseEvent.objects.filter(pk=pk).update(created_at=created + timedelta(days=days))
    Case.objects.filter(pk__in=ids).update(stage_entered_at=F("created_at"))
