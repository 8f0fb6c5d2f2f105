"""Why a payment, a repair step or an objection was refused: a code for the API, a message for people."""

from cases.errors import CaseActionError


class RepairError(CaseActionError):
    """A request about payments, performance or credit repair that cannot be carried out."""

    code = "repair_refused"


class PaymentConflict(RepairError):
    """The reference was used before for a different payment (another amount, date or case)."""

    code = "reference_conflict"


class EvidenceRefused(RepairError):
    """An evidence file of a credit-record objection is of the wrong type or too large."""

    code = "evidence_refused"
