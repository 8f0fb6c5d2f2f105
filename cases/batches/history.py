"""The optional history columns of a batch (last demand, acknowledgement, part payment, assignment): one
ClaimHistory row per case that gives any, inserted set-based in the batch's write transaction."""

from typing import Any

from cases.models import ClaimHistory

INSERT_BATCH = 5000


def claim_histories_insert(rows: list[tuple[int, tuple[Any, ...]]]) -> int:
    """(case id, history values in HISTORY_KEYS order) for each case; the cases exist in this transaction."""
    ClaimHistory.objects.bulk_create(
        [
            ClaimHistory(
                case_id=case_id,
                last_demand_on=demand,
                acknowledged_on=acknowledged,
                last_payment_on=payment,
                original_creditor=original,
                assigned_on=assigned,
                assignment_ref=ref,
            )
            for case_id, (demand, acknowledged, payment, original, assigned, ref) in rows
        ],
        batch_size=INSERT_BATCH,
    )
    return len(rows)
