"""What the service modules of credit_repair share: constants and the checks on who acts."""

import logging
from decimal import Decimal

from cases.errors import MESSAGES as CASE_MESSAGES
from cases.errors import ActionForbidden
from core.actors import Actor, SystemActor

logger = logging.getLogger("credit_repair.services")
ZERO = Decimal("0.00")
CHUNK = 5000


def _forbidden() -> ActionForbidden:
    return ActionForbidden(CASE_MESSAGES["forbidden"])  # type: ignore[arg-type]  # lazy: shown in the reader's language


def _actor_id(actor: Actor) -> int | None:
    return None if actor is None or isinstance(actor, SystemActor) else actor.pk


def _is_system(actor: Actor) -> bool:
    return actor is None or isinstance(actor, SystemActor)
