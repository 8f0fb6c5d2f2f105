"""A small hand-built funnel whose figures are known, driven through the real services.

Bank (demo-bank), all received 100 days ago, each event at a known day after receipt:
  B1 batch X: received 0, triaged 1, in_mediation 2, settled 12, performed 20      (resolved, closed in 30)
  B2 batch X: received 0, triaged 1, in_mediation 3, court_mediation 33, payment_order 40          (filed)
  B3 batch X: received 0, triaged 2, in_mediation 4, settled 10                                 (resolved)
  B4 batch Y: received 0, triaged 1, withdrawn 50                                           (closed in 60)
  B5 batch Y: received 0
Consumer finance (demo-consumer-finance), received 10 days ago:
  C1: received, triaged, in_mediation, court_mediation, payment_order, back to court_mediation (lapsed)
Rural bank in the other centre (longyan): R1 received.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases import services
from cases.models import Batch, Case, CaseEvent
from dashboards.services import facts_refresh

B1_DAYS, B2_DAYS, B3_DAYS, B4_DAYS = [0, 1, 2, 12, 20], [0, 1, 3, 33, 40], [0, 2, 4, 10], [0, 1, 50]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings


def drive(case: Case, steps: list[tuple[str, object, dict]]) -> Case:
    for transition, actor, kwargs in steps:
        services.case_transition(case=case, transition=transition, actor=actor, **kwargs)
    case.refresh_from_db()
    return case


def set_times(case: Case, received_days_ago: int, offsets: list[int]) -> None:
    """Move a case's receipt and its events to known days (test data only: the hash chain is not kept)."""
    start = timezone.now() - timedelta(days=received_days_ago)
    Case.objects.filter(pk=case.pk).update(created_at=start)
    for seq, days in enumerate(offsets, 1):
        CaseEvent.objects.filter(case=case, seq=seq).update(created_at=start + timedelta(days=days))


@dataclass
class Funnel:
    world: object
    b: SimpleNamespace
    c1: Case
    r1: Case
    batch_x: Batch
    batch_y: Batch

    def refresh(self) -> None:
        for centre in (self.world.qz, self.world.ly):
            facts_refresh(centre_id=centre.pk)


@pytest.fixture
def funnel(world) -> Funnel:
    w = world
    batch_x = Batch.objects.create(centre=w.qz, creditor=w.bank, filename="x.xlsx", status="done")
    batch_y = Batch.objects.create(centre=w.qz, creditor=w.bank, filename="y.xlsx", status="done")
    triage = ("triage", None, {"colour": "green", "track": "fast"})
    mediate = ("start_mediation", w.mediator1, {})
    escalate = ("escalate_to_court", w.mediator1, {"reason": "债务人拒绝调解"})
    b1 = drive(
        w.case(batch=batch_x, product="credit_card"),
        [triage, mediate, ("settle", w.mediator1, {}), ("record_full_performance", w.creditor1, {})],
    )
    b2 = drive(
        w.case(batch=batch_x, product="credit_card"),
        [triage, mediate, escalate, ("apply_payment_order", w.creditor1, {})],
    )
    b3 = drive(w.case(batch=batch_x, product="credit_card"), [triage, mediate, ("settle", w.mediator1, {})])
    b4 = drive(
        w.case(batch=batch_y, product="consumer_loan"),
        [triage, ("withdraw", w.creditor1, {"reason": "已结清"})],
    )
    b5 = w.case(batch=batch_y, product="consumer_loan")
    for case, offsets in ((b1, B1_DAYS), (b2, B2_DAYS), (b3, B3_DAYS), (b4, B4_DAYS), (b5, [0])):
        set_times(case, 100, offsets)
    c1 = drive(
        w.case(w.cf, product="microloan", principal=Decimal("5000.00")),
        [
            triage,
            mediate,
            escalate,
            ("apply_payment_order", w.creditor2, {}),
            ("order_lapse", w.judge1, {"reason": "未送达"}),
        ],
    )
    set_times(c1, 10, [0, 1, 2, 3, 4, 5])
    r1 = w.case(w.rural)
    return Funnel(w, SimpleNamespace(b1=b1, b2=b2, b3=b3, b4=b4, b5=b5), c1, r1, batch_x, batch_y)
