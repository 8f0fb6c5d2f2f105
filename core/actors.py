"""Who is acting: a staff user with a membership, or the platform itself (periodic tasks, imports)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own (deadline task, import): only where a transition names 'system'."""

    is_authenticated: bool = True
    pk: None = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def actor_role(actor: Any) -> str | None:
    """The role an actor acts in: 'system', a membership role, or None for a user with no membership."""
    if actor is None or isinstance(actor, SystemActor):
        return "system"
    membership = getattr(actor, "membership", None)
    if membership is None or not actor.is_active:
        return None
    return str(membership.role)
