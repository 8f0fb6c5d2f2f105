"""Payments, performance and credit repair: the only place that changes them.

Each change locks the case row first (in id order when there are several), writes its CaseEvent in the same
transaction, and moves the case through cases.services. Bulk work is set-based. One module per subdomain:
ledger (the ledger, payments and payment files), breaches, repair (credit repair) and objections
(credit-record objections); _common holds what they share. Callers may keep importing from here.
"""

from .breaches import REMINDER_KIND, breach_request_enforcement, breaches_detect, breaches_remind
from .cure import CureOffer, cure_limits_set, cure_offer, cure_offer_or_reason, plan_cure
from .ledger import (
    LedgerTotals,
    PaymentResult,
    ledgers_rebuild,
    ledgers_rebuild_stale,
    payment_clean,
    payment_record,
    payments_import,
    payments_insert,
)
from .objections import credit_objection_answer, credit_objection_file
from .repair import (
    CERTIFICATE_KIND,
    PARTY_ROLES,
    STEP_EVENTS,
    STEP_PARTY,
    repair_advance,
    repair_step_complete,
    repairs_advance_pending,
    repairs_open,
    verification_code_new,
)

__all__ = [
    "CERTIFICATE_KIND",
    "PARTY_ROLES",
    "REMINDER_KIND",
    "STEP_EVENTS",
    "STEP_PARTY",
    "CureOffer",
    "LedgerTotals",
    "PaymentResult",
    "breach_request_enforcement",
    "breaches_detect",
    "breaches_remind",
    "credit_objection_answer",
    "credit_objection_file",
    "cure_limits_set",
    "cure_offer",
    "cure_offer_or_reason",
    "ledgers_rebuild",
    "ledgers_rebuild_stale",
    "payment_clean",
    "payment_record",
    "payments_import",
    "payments_insert",
    "plan_cure",
    "repair_advance",
    "repair_step_complete",
    "repairs_advance_pending",
    "repairs_open",
    "verification_code_new",
]
