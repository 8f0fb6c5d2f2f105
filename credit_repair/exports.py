"""The reconciling columns of the creditor's case export: what was agreed, paid, still owed and due next.

Each is a subquery on the case, so the export stays one query; registered in AppConfig.ready into
cases.batches.export (a lower layer). The amount owed is the latest enforceable title's, as in
selectors.obligations: an effective payment order, else a judgment, else the current settlement, else
the claim; the later title wins, and on the same day the order, then the judgment.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case as When_
from django.db.models import DateField, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual, IsNull
from django.utils.translation import gettext_lazy as _

from cases.batches.export import ExportColumn, JoinedText
from courts.models import Filing, PaymentOrder, Suit
from mediation.models import Instalment
from mediation.selectors import effective_settlement_pk, effective_settlements

from .models import Allocation, Payment

MONEY = DecimalField(max_digits=14, decimal_places=2)
NEVER = Value(date(1, 1, 1), output_field=DateField())
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _one(qs: Any, field: str, output: Any) -> Subquery:
    return Subquery(qs.values(field)[:1], output_field=output)


def settled_amount() -> Subquery:
    return _one(effective_settlements(case_id=OuterRef("pk")), "total", MONEY)


def paid() -> Any:
    total = (
        Payment.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id").annotate(s=Sum("amount"))
    )
    return Coalesce(_one(total, "s", MONEY), ZERO)


def owed() -> Any:
    settlement = effective_settlements(case_id=OuterRef("pk"))
    judgment = Suit.objects.filter(case_id=OuterRef("pk"), judgment_amount__isnull=False).order_by(
        "-judgment_on", "-pk"
    )
    order = PaymentOrder.objects.filter(
        case_id=OuterRef("pk"), status=PaymentOrder.Status.EFFECTIVE
    ).order_by("-ended_on", "-pk")
    s_on = Coalesce(_one(settlement, "effective_on", DateField()), NEVER)
    j_on = Coalesce(_one(judgment, "judgment_on", DateField()), NEVER)
    o_on = Coalesce(_one(order, "ended_on", DateField()), NEVER)
    o_amount, j_amount = _one(order, "amount", MONEY), _one(judgment, "judgment_amount", MONEY)
    s_total = _one(settlement, "total", MONEY)
    return When_(
        When(
            Q(IsNull(o_amount, False), GreaterThanOrEqual(o_on, j_on), GreaterThanOrEqual(o_on, s_on)),
            then=o_amount,
        ),
        When(Q(IsNull(j_amount, False), GreaterThanOrEqual(j_on, s_on)), then=j_amount),
        When(IsNull(s_total, False), then=s_total),
        default=F("claimed_total"),
        output_field=MONEY,
    )


def outstanding() -> Any:
    return Greatest(owed() - paid(), ZERO, output_field=MONEY)


def _next_instalment() -> Any:
    """The current settlement's first instalment not yet paid in full, with what is left of it."""
    allocated = (
        Allocation.objects.filter(instalment_id=OuterRef("pk"))
        .order_by()
        .values("instalment_id")
        .annotate(s=Sum("amount"))
    )
    return (
        Instalment.objects.filter(settlement_id=Subquery(effective_settlement_pk(OuterRef(OuterRef("pk")))))
        .annotate(left=F("amount") - Coalesce(_one(allocated, "s", MONEY), ZERO))
        .filter(left__gt=0)
        .order_by("due_on", "seq")
    )


def court_numbers() -> Any:
    numbers = Filing.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    return Subquery(numbers.annotate(n=JoinedText("number")).values("n")[:1])


def export_columns() -> list[ExportColumn]:
    return [
        ExportColumn("settled_amount", _("Settled amount"), settled_amount, 110),
        ExportColumn("paid", _("Paid"), paid, 111),
        ExportColumn("outstanding", _("Outstanding"), outstanding, 112),
        ExportColumn(
            "next_due_on", _("Next due date"), lambda: _one(_next_instalment(), "due_on", DateField()), 113
        ),
        ExportColumn(
            "next_due_amount", _("Next amount due"), lambda: _one(_next_instalment(), "left", MONEY), 114
        ),
        ExportColumn("court_numbers", _("Court case numbers"), court_numbers, 120),
    ]
