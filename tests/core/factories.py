"""Core rows for tests (centres, organisations, logins), made through core.services as the app makes them."""

import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from core.identifiers import id_number_check_char
from core.models import ROLE_ORGANISATION_KIND, Centre, Organisation, Role
from core.services import centre_create, organisation_create, staff_user_create

PASSWORD = "demo-pass-2026"
_seq = itertools.count(1)


def next_seq() -> int:
    """One counter for every made-up identifier, so numbers never repeat within a test run."""
    return next(_seq)


def valid_id_number(seq: int | None = None, birth: str = "19900101", region: str = "350502") -> str:
    n = next_seq() if seq is None else seq
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


def valid_phone(seq: int | None = None) -> str:
    n = next_seq() if seq is None else seq
    return f"139{n % 100000000:08d}"


class CentreFactory(factory.django.DjangoModelFactory):
    """A centre with its staff organisation and working-day calendar (core.services.centre_create)."""

    class Meta:
        model = Centre

    code = factory.Sequence(lambda n: f"centre-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} 中心")
    region_code = "350500"
    # A wage figure with its year and source, so that small claims can be chosen (CPL 165: half of it).
    average_wage = Decimal("100000.00")
    average_wage_year = 2025
    average_wage_source = "test figure"
    # Tests look at 2024-2027: seeding 23 years of holidays per centre would only slow every test down.
    calendar_years = range(2024, 2028)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return centre_create(**kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A creditor unless kind= says otherwise (core.services.organisation_create)."""

    class Meta:
        model = Organisation

    centre = factory.SubFactory(CentreFactory)
    kind = Organisation.Kind.CREDITOR
    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} 机构")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organisation_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    """A login with no membership (no role)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(**kwargs)


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff login with one role; the organisation is made of the kind the role needs unless given
    (core.services.staff_user_create)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"staff{n}")
    password = PASSWORD
    role = Role.CREDITOR_STAFF
    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=factory.LazyAttribute(lambda o: ROLE_ORGANISATION_KIND[Role(o.factory_parent.role)]),
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return staff_user_create(**kwargs)
