"""Debtors and cases for tests, made through cases.services so that the first event and the hash chain
are written exactly as the app writes them."""

from datetime import date
from decimal import Decimal

import factory

from cases import services
from cases.models import Case, Debtor
from tests.core.factories import CentreFactory, OrganisationFactory, next_seq, valid_id_number, valid_phone


class DebtorFactory(factory.django.DjangoModelFactory):
    """The one debtor for an ID number at a centre (cases.services.debtor_get_or_create)."""

    class Meta:
        model = Debtor

    class Params:
        seq = factory.LazyFunction(next_seq)

    centre = factory.SubFactory(CentreFactory)
    name = "张三"
    id_number = factory.LazyAttribute(lambda o: valid_id_number(o.seq))
    phone = factory.LazyAttribute(lambda o: valid_phone(o.seq))

    @classmethod
    def _create(cls, model_class, *args, centre, **kwargs):
        return services.debtor_get_or_create(centre_id=centre.pk, **kwargs)


class CaseFactory(factory.django.DjangoModelFactory):
    """A received case of a creditor (cases.services.case_create); committee=, court= and mediator=
    route it (cases.services.case_route). Any other keyword is a field of the case."""

    class Meta:
        model = Case

    class Params:
        seq = factory.LazyFunction(next_seq)

    creditor = factory.SubFactory(OrganisationFactory)
    external_ref = factory.LazyAttribute(lambda o: f"C{o.seq:08d}")
    debtor_name = "张三"
    id_number = factory.LazyAttribute(lambda o: valid_id_number(o.seq))
    phone = factory.LazyAttribute(lambda o: valid_phone(o.seq))
    principal = Decimal("10000.00")
    interest = Decimal("500.00")
    fees = Decimal("100.00")
    overdue_since = date(2025, 6, 1)
    committee = None
    court = None
    mediator = None

    @classmethod
    def _create(cls, model_class, *args, committee=None, court=None, mediator=None, **kwargs):
        case = services.case_create(**kwargs)
        if committee or court or mediator:
            services.case_route(case=case, committee=committee, court=court, mediator=mediator)
            case.refresh_from_db()
        return case
