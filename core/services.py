"""Creating tenants and staff: centres (with their calendar), organisations, users with a role."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import ROLE_ORGANISATION_KIND, Centre, Membership, Organisation, Role
from .workdays import calendar_seed_from_package

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def centre_create(
    *, code: str, name: str, region_code: str = "", calendar_years: Any = None, **fields: Any
) -> Centre:
    """A centre, its own staff organisation and its working-day calendar seeded from official data."""
    centre, created = Centre.objects.get_or_create(
        code=code, defaults={"name": name, "region_code": region_code, **fields}
    )
    Organisation.objects.get_or_create(
        code=f"{code}-centre", defaults={"centre": centre, "kind": Organisation.Kind.CENTRE, "name": name}
    )
    if created:
        calendar_seed_from_package(centre=centre, years=calendar_years)
    return centre


def organisation_create(*, centre: Centre, kind: str, code: str, name: str, **fields: Any) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        code=code, defaults={"centre": centre, "kind": kind, "name": name, **fields}
    )
    return org


def centre_staff_organisation(centre: Centre) -> Organisation:
    return Organisation.objects.get(centre=centre, kind=Organisation.Kind.CENTRE)


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    first_name: str = "",
    region_codes: str = "",
) -> "User":
    """A staff login with exactly one membership; the role must fit the organisation's kind."""
    if ROLE_ORGANISATION_KIND[Role(role)] != organisation.kind:
        raise ValueError(f"role {role} does not belong to a {organisation.kind} organisation")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"first_name": first_name})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user, defaults={"organisation": organisation, "role": role, "region_codes": region_codes}
    )
    return user
