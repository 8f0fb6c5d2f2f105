"""Role permissions for transitions: the role must be allowed and the case within the actor's reach."""

from collections.abc import Callable
from typing import Any

from core.actors import Actor, SystemActor, actor_role
from core.models import Role


def actor_reaches_case(actor: Actor, case: Any) -> bool:
    """Row-level tenancy for one case (the queryset form lives in cases.selectors.case_visibility_q)."""
    if actor is None or isinstance(actor, SystemActor):
        return True
    membership = getattr(actor, "membership", None)
    if membership is None:
        return False
    org = membership.organisation
    if org.centre_id != case.centre_id:
        return False
    role = membership.role
    if role == Role.CREDITOR_STAFF:
        return case.creditor_id == org.pk
    if role == Role.MEDIATOR:
        return case.mediator_id == actor.pk or (case.mediator_id is None and case.committee_id == org.pk)
    if role in (Role.JUDGE, Role.CLERK):
        return case.court_id == org.pk
    return role == Role.CENTRE_ADMIN


def roles_allowed(*roles: str) -> Callable[[Any, Any], bool]:
    """A django-fsm `permission=` callable: one of these roles, on a case this actor can reach."""
    allowed = frozenset(roles)

    def permission(instance: Any, user: Any) -> bool:
        return actor_role(user) in allowed and actor_reaches_case(user, instance)

    permission.roles = allowed  # type: ignore[attr-defined]
    return permission
