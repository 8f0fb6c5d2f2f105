"""The creditor's side of a settlement by API: its signature (PML 29¶2) and its consent to the joint
application for judicial confirmation (CPL 205 (201)), on its own cases only (any other case is 404)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import ActionErrorSerializer
from cases.errors import CaseActionError
from cases.models import Case
from cases.selectors import cases_visible_to
from core.models import Role

from . import services
from .models import Settlement

NOT_FOUND = OpenApiResponse(description=_("No such case, or not a case of your organisation."))


def creditor_case(user: Any, code: str) -> Case:
    """The case with this code if it is a case of the caller's own creditor organisation; otherwise 404."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.CREDITOR_STAFF:
        raise Http404
    own: QuerySet[Case] = cases_visible_to(user).filter(creditor_id=membership.organisation_id)
    return get_object_or_404(own, code=code)


class CreditorSignatureSerializer(serializers.Serializer):
    document_sha256 = serializers.CharField(
        max_length=64, help_text=_("SHA-256 of the agreement as offered: what the signature covers")
    )
    apply_for_confirmation = serializers.BooleanField(
        default=False, help_text=_("Also consent to apply jointly for judicial confirmation (CPL 205)")
    )


class SettlementStateSerializer(serializers.Serializer):
    settlement = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    creditor_signed_at = serializers.DateTimeField(allow_null=True)
    waiver_consented_at = serializers.DateTimeField(allow_null=True)
    effective_on = serializers.DateField(allow_null=True)
    confirmation_consent_creditor_at = serializers.DateTimeField(
        source="case.confirmation_consent_creditor_at", allow_null=True
    )


class ConsentResultSerializer(serializers.Serializer):
    confirmation_consent_debtor_at = serializers.DateTimeField(allow_null=True)
    confirmation_consent_creditor_at = serializers.DateTimeField(allow_null=True)


def _refused(err: CaseActionError) -> Response:
    return Response(
        ActionErrorSerializer({"code": err.code, "detail": str(err.message)}).data,
        status=status.HTTP_409_CONFLICT,
    )


class CreditorSignatureView(APIView):
    """The creditor signs the settlement offered on its case (a waiver's consent is recorded with it)."""

    @extend_schema(
        summary=_("Sign the settlement as the creditor"),
        request=CreditorSignatureSerializer,
        responses={200: SettlementStateSerializer, 404: NOT_FOUND, 409: ActionErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        case = creditor_case(request.user, code)
        body = CreditorSignatureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        settlement = services.open_settlement(case)
        if settlement is None or settlement.status == Settlement.Status.DRAFT:
            raise Http404
        try:
            settlement = services.settlement_creditor_sign(
                settlement=settlement, actor=request.user, **body.validated_data
            )
        except CaseActionError as err:
            return _refused(err)
        settlement.case.refresh_from_db()
        return Response(SettlementStateSerializer(settlement).data)


class ConfirmationConsentView(APIView):
    """The creditor consents to apply jointly with the debtor for judicial confirmation (CPL 205)."""

    @extend_schema(
        summary=_("Consent to the joint application for judicial confirmation"),
        request=None,
        responses={200: ConsentResultSerializer, 404: NOT_FOUND, 409: ActionErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        case = creditor_case(request.user, code)
        try:
            case = services.settlement_confirmation_consent(
                case=case, party="creditor", actor=request.user, how="api"
            )
        except CaseActionError as err:
            return _refused(err)
        return Response(ConsentResultSerializer(case).data)
