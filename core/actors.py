"""Who is acting: a staff user with a membership, or the platform itself (periodic tasks, imports)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own (deadline task, import): only where a transition names 'system'."""

    is_authenticated: bool = True
    pk: None = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()

# What a service's `actor` is: a staff user (AUTH_USER_MODEL is Django's User) or the platform. A Union,
# not `|`, so that the alias also works at run time while User is imported for the type checker only.
Actor: TypeAlias = Union["User", SystemActor]


def actor_role(actor: "Actor | AnonymousUser | None") -> str | None:
    """The role an actor acts in: 'system', a membership role, or None for a user with no membership
    (an anonymous request user included)."""
    if actor is None or isinstance(actor, SystemActor):
        return "system"
    membership = getattr(actor, "membership", None)
    if membership is None or not actor.is_active:
        return None
    return str(membership.role)


def staff_actor(user: "User | AnonymousUser") -> "User":
    """The signed-in user of a staff page or API call, as the actor of a service it calls.

    Staff pages and the API reach services only behind a login (StaffRequiredMixin, the court site,
    IsAuthenticated); an anonymous user here is a wiring error, refused like any unauthorised call.
    """
    if not user.is_authenticated:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return user  # type: ignore[return-value]  # authenticated: the concrete User, not AnonymousUser
