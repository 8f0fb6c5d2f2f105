"""How payments pay instalments: a pure function, so the rule is in one place and tested without a database.

Payments are applied in the order they were made (payment date, then the order they were recorded), each
to the earliest instalment still owing (due date, then number). A payment larger than the instalment
runs on to the next ones; what is left after the last instalment is a credit (over-payment).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Due:
    id: int
    seq: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class Paid:
    id: int
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class Share:
    payment_id: int
    instalment_id: int
    amount: Decimal


@dataclass(frozen=True)
class Allocated:
    shares: list[Share]
    credit: Decimal  # paid beyond the last instalment
    paid_on: dict[int, date]  # instalment id -> date of the payment that completed it


def allocate(instalments: Iterable[Due], payments: Iterable[Paid]) -> Allocated:
    dues = sorted(instalments, key=lambda d: (d.due_on, d.seq, d.id))
    owing = [d.amount for d in dues]
    shares: list[Share] = []
    paid_on: dict[int, date] = {}
    credit = ZERO
    i = 0
    for payment in sorted(payments, key=lambda p: (p.paid_on, p.id)):
        left = payment.amount
        while left > 0:
            while i < len(dues) and owing[i] <= 0:
                i += 1
            if i == len(dues):
                break
            take = min(left, owing[i])
            shares.append(Share(payment.id, dues[i].id, take))
            owing[i] -= take
            left -= take
            if owing[i] == 0:
                paid_on[dues[i].id] = payment.paid_on
        credit += left
    return Allocated(shares, credit, paid_on)
