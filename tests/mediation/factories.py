"""Settlements for tests, made through mediation.services (draft, and with signed=True the offer, the
debtor's acceptance, the creditor's signature, the mediator's signature with the committee's seal, so the
case is settled as in the app, PML 29¶2)."""

from decimal import Decimal

import factory

from core.models import Membership, Role
from mediation import services
from mediation.models import Settlement
from tests.core.factories import StaffFactory


def creditor_staff(case):
    """A staff user of the case's creditor (the one who signs for it); made when the creditor has none."""
    membership = Membership.objects.filter(organisation_id=case.creditor_id, role=Role.CREDITOR_STAFF).first()
    if membership is None:
        return StaffFactory(organisation=case.creditor, role=Role.CREDITOR_STAFF)
    return membership.user


def sign_all(settlement, *, actor, ip="127.0.0.1", apply_for_confirmation=True):
    """Every signing step on an offered settlement: debtor, creditor (consenting to any waiver), mediator with
    the committee's seal; with apply_for_confirmation both parties' consent to the joint application."""
    settlement = services.settlement_debtor_accept(
        settlement=settlement,
        ip=ip,
        document_sha256=settlement.document_sha256,
        apply_for_confirmation=apply_for_confirmation,
    )
    settlement = services.settlement_creditor_sign(
        settlement=settlement,
        actor=creditor_staff(settlement.case),
        document_sha256=settlement.document_sha256,
        apply_for_confirmation=apply_for_confirmation,
    )
    return services.settlement_mediator_sign(settlement=settlement, actor=actor, seal=True)


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
            settlement = sign_all(settlement, actor=actor, ip=ip)
        return settlement
