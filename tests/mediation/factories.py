"""Settlements for tests, made through mediation.services (draft, and with signed=True the offer, the
debtor's acceptance and the mediator's signature, so the case is settled as in the app)."""

from decimal import Decimal

import factory

from mediation import services
from mediation.models import Settlement


class SettlementFactory(factory.django.DjangoModelFactory):
    """A settlement of a case in mediation (pass case=); the case's mediator drafts it unless actor= says."""

    class Meta:
        model = Settlement

    actor = factory.LazyAttribute(lambda o: o.case.mediator)
    kind = Settlement.Kind.LUMP_SUM
    total = Decimal("10000.00")
    signed = False
    ip = "127.0.0.1"

    @classmethod
    def _create(cls, model_class, *args, signed, ip, **kwargs):
        settlement = services.settlement_draft(**kwargs)
        if signed:
            actor = kwargs["actor"]
            settlement = services.settlement_offer(settlement=settlement, actor=actor)
            settlement = services.settlement_debtor_accept(
                settlement=settlement, ip=ip, document_sha256=settlement.document_sha256
            )
            settlement = services.settlement_mediator_sign(settlement=settlement, actor=actor)
        return settlement
