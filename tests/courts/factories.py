"""Court rows that tests make directly (a decision recorded without going through the console)."""

import factory
from django.utils import timezone

from courts.models import ConfirmationDecision


class ConfirmationDecisionFactory(factory.django.DjangoModelFactory):
    """A ruling on a case's confirmation filing (pass case= and decided_by=); confirmed unless told."""

    class Meta:
        model = ConfirmationDecision

    filing = factory.LazyAttribute(lambda o: o.case.filings.get())
    confirmed = True
    decided_on = factory.LazyFunction(timezone.localdate)
