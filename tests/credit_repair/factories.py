"""Payments as a creditor reported them, for tests that need them on record without the allocation run."""

from decimal import Decimal

import factory
from django.utils import timezone

from credit_repair.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment on a case (pass case=), reported by the case's creditor through the portal."""

    class Meta:
        model = Payment

    creditor = factory.LazyAttribute(lambda o: o.case.creditor)
    paid_on = factory.LazyFunction(timezone.localdate)
    amount = Decimal("100.00")
    reference = factory.Sequence(lambda n: f"P-{n}")
    source = Payment.Source.PORTAL
