"""Creditor API: post payments (idempotent by reference), read a case's balance and ledger, read its repair.

Cases are found through cases.selectors (out of reach is 404); payments go through credit_repair.services.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import ActionErrorSerializer
from cases.errors import ActionForbidden, CaseActionError
from cases.models import Case
from cases.selectors import cases_visible_to
from core.actors import actor_role, staff_actor
from core.models import Role

from . import rules, selectors, services
from .errors import PaymentConflict
from .models import Payment, RepairRecord, RepairStep

NOT_FOUND = OpenApiResponse(description=_("No such case, or the case is out of your reach."))
CONFLICT_CODES = frozenset({"reference_conflict", "case_closed"})


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=True, **kwargs)


# --- serializers ---------------------------------------------------------------------------------------


class PaymentRequestSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=64, help_text=_("Case code or contract number"))
    paid_on = serializers.DateField(help_text=_("The day the debtor paid"))
    amount = _amount(min_value=Decimal("0.01"), help_text=_("Yuan, 2 decimal places"))
    reference = serializers.CharField(
        max_length=64, help_text=_("Your unique reference for this payment: posting it again is harmless")
    )


class ShareSerializer(serializers.Serializer):
    instalment = serializers.IntegerField(help_text=_("Instalment number"))
    amount = _amount()


class PaymentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    paid_on = serializers.DateField()
    amount = _amount()
    recorded_via = serializers.ChoiceField(choices=Payment.Source.choices)
    recorded_at = serializers.DateTimeField()
    allocations = ShareSerializer(many=True, help_text=_("The instalments this payment paid"))
    unallocated = _amount(help_text=_("The part that paid no instalment (no plan, or over-payment)"))


class PaymentResultSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=_("Case code"))
    created = serializers.BooleanField(help_text=_("False when this reference was recorded before"))
    payment = PaymentSerializer()
    balance = _amount(help_text=_("Still owed after this payment"))
    stage = serializers.CharField(help_text=_("The case's stage after this payment"))


class InstalmentSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = _amount()
    paid = _amount()
    outstanding = _amount()
    paid_on = serializers.DateField(allow_null=True, help_text=_("Date of the payment that completed it"))
    status = serializers.ChoiceField(choices=["paid", "due", "overdue", "breached"])


class BreachSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    grace_ends_on = serializers.DateField()
    detected_on = serializers.DateField()
    unpaid = _amount()
    status = serializers.CharField()


class BalanceSerializer(serializers.Serializer):
    case = serializers.CharField()
    stage = serializers.CharField()
    basis = serializers.ChoiceField(
        choices=["settlement", "judgment", "payment_order", "claim"],
        help_text=_("What the amount due rests on"),
    )
    total_due = _amount()
    paid = _amount()
    balance = _amount()
    overpaid = _amount()
    paid_in_full = serializers.BooleanField()


class LedgerSerializer(BalanceSerializer):
    principal = _amount()
    interest = _amount()
    fees = _amount()
    claimed_total = _amount()
    waived_interest = _amount()
    waived_fees = _amount()
    instalments = InstalmentSerializer(many=True)
    payments = PaymentSerializer(many=True)
    breaches = BreachSerializer(many=True)


class RepairStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RepairStep.Kind.choices)
    kind_display = serializers.CharField()
    party = serializers.ChoiceField(choices=RepairStep.Party.choices)
    status = serializers.ChoiceField(choices=RepairStep.Status.choices)
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    done_on = serializers.DateField(allow_null=True)
    reference = serializers.CharField()


class RepairStatusSerializer(serializers.Serializer):
    case = serializers.CharField()
    stage = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["not_started", *RepairRecord.Status.values], help_text=_("not_started until paid in full")
    )
    performed_on = serializers.DateField(allow_null=True)
    steps = RepairStepSerializer(many=True)
    certificate_issued_on = serializers.DateField(allow_null=True)
    verification_code = serializers.CharField(allow_blank=True)
    verify_url = serializers.CharField(
        allow_blank=True, help_text=_("Public page that checks the certificate")
    )
    credit_report_retained_until = serializers.DateField(
        allow_null=True, help_text=_("Credit Reporting Regulation 16: 5 years from the end of the default")
    )


# --- representations ------------------------------------------------------------------------------------


def payment_data(line: selectors.PaymentLine) -> dict[str, Any]:
    p = line.payment
    return {
        "reference": p.reference,
        "paid_on": p.paid_on,
        "amount": p.amount,
        "recorded_via": p.source,
        "recorded_at": p.created_at,
        "allocations": [{"instalment": seq, "amount": amount} for seq, amount in line.shares],
        "unallocated": line.credit,
    }


def balance_data(ledger: selectors.Ledger) -> dict[str, Any]:
    return {
        "case": ledger.case.code,
        "stage": ledger.case.stage,
        "basis": ledger.obligation.basis,
        "total_due": ledger.obligation.total,
        "paid": ledger.paid,
        "balance": ledger.balance,
        "overpaid": ledger.overpaid,
        "paid_in_full": ledger.paid_in_full,
    }


def ledger_data(ledger: selectors.Ledger) -> dict[str, Any]:
    case = ledger.case
    return {
        **balance_data(ledger),
        "principal": case.principal,
        "interest": case.interest,
        "fees": case.fees,
        "claimed_total": ledger.claimed,
        "waived_interest": ledger.obligation.waived_interest,
        "waived_fees": ledger.obligation.waived_fees,
        "instalments": ledger.instalments,
        "payments": [payment_data(line) for line in ledger.payments],
        "breaches": ledger.breaches,
    }


def repair_data(case: Case, request: Request) -> dict[str, Any]:
    record = RepairRecord.objects.filter(case=case).first()
    today = timezone.localdate()
    retention = selectors.credit_report_retention(case=case)
    base = {
        "case": case.code,
        "stage": case.stage,
        "status": "not_started",
        "performed_on": case.performed_on,
        "steps": [],
        "certificate_issued_on": None,
        "verification_code": "",
        "verify_url": "",
        "credit_report_retained_until": retention.retained_until if retention else None,
    }
    if record is None:
        return base
    steps = [
        {
            "kind": s.kind,
            "kind_display": s.get_kind_display(),
            "party": s.party,
            "status": s.status,
            "due_on": s.due_on,
            "overdue": s.status == RepairStep.Status.PENDING and s.due_on is not None and s.due_on < today,
            "done_on": s.done_on,
            "reference": s.reference,
        }
        for s in record.steps.order_by("pk")
    ]
    issued = record.certificate_issued_on is not None
    url = reverse("credit_repair:verify_code", args=[record.verification_code])
    return {
        **base,
        "status": record.status,
        "performed_on": record.performed_on,
        "steps": steps,
        "certificate_issued_on": record.certificate_issued_on,
        "verification_code": record.verification_code if issued else "",
        "verify_url": request.build_absolute_uri(url) if issued else "",
        "credit_report_retained_until": rules.retention_ends_on(record.performed_on),
    }


def _refused(err: CaseActionError, code: int) -> Response:
    return Response(ActionErrorSerializer({"code": err.code, "detail": str(err.message)}).data, status=code)


def _case(request: Request, code: str) -> Case:
    return selectors.case_for_repair(user=request.user, code=code)


# --- views -----------------------------------------------------------------------------------------------


class PaymentCreateView(APIView):
    @extend_schema(
        summary=_("Record a payment on a case"),
        description=_(
            "Idempotent by reference: posting the same payment again returns the one recorded (200); "
            "the same reference with another amount, date or case is refused (409). Paying the case in full "
            "moves it to performed and starts its credit repair."
        ),
        request=PaymentRequestSerializer,
        responses={
            201: PaymentResultSerializer,
            200: PaymentResultSerializer,
            400: ActionErrorSerializer,
            403: ActionErrorSerializer,
            404: NOT_FOUND,
            409: ActionErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        if actor_role(request.user) != Role.CREDITOR_STAFF:
            forbidden = ActionForbidden(_("Only creditor staff record payments."))  # type: ignore[arg-type]
            return _refused(forbidden, status.HTTP_403_FORBIDDEN)
        body = PaymentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        key = data["case"].strip()
        case = cases_visible_to(request.user).filter(Q(code=key.upper()) | Q(external_ref=key)).first()
        if case is None:
            raise Http404
        try:
            result = services.payment_record(
                case=case,
                paid_on=data["paid_on"],
                amount=data["amount"],
                reference=data["reference"],
                actor=staff_actor(request.user),
                source=Payment.Source.API,
            )
        except ActionForbidden as err:
            return _refused(err, status.HTTP_403_FORBIDDEN)
        except PaymentConflict as err:
            return _refused(err, status.HTTP_409_CONFLICT)
        except CaseActionError as err:
            code = status.HTTP_409_CONFLICT if err.code in CONFLICT_CODES else status.HTTP_400_BAD_REQUEST
            return _refused(err, code)
        case.refresh_from_db()
        ledger = selectors.case_ledger(case=case)
        line = next(line for line in ledger.payments if line.payment.pk == result.payment.pk)
        body_out = {
            "case": case.code,
            "created": result.created,
            "payment": payment_data(line),
            "balance": ledger.balance,
            "stage": case.stage,
        }
        http_status = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(PaymentResultSerializer(body_out).data, status=http_status)


class BalanceView(APIView):
    @extend_schema(summary=_("A case's balance"), responses={200: BalanceSerializer, 404: NOT_FOUND})
    def get(self, request: Request, code: str) -> Response:
        ledger = selectors.case_ledger(case=_case(request, code))
        return Response(BalanceSerializer(balance_data(ledger)).data)


class LedgerView(APIView):
    @extend_schema(
        summary=_("A case's ledger: claim, waivers, plan, payments and their allocation, balance"),
        responses={200: LedgerSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        ledger = selectors.case_ledger(case=_case(request, code))
        return Response(LedgerSerializer(ledger_data(ledger)).data)


class RepairStatusView(APIView):
    @extend_schema(
        summary=_("A case's credit repair: steps, due dates, certificate"),
        responses={200: RepairStatusSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        case = _case(request, code)
        return Response(RepairStatusSerializer(repair_data(case, request)).data)
