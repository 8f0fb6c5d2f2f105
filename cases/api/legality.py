"""The legality screen in the API: a creditor reads the findings of its own cases (per batch, rule, status)
and may answer one with evidence; a court reads those of its cases. Out of reach is 404."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.errors import ActionForbidden, CaseActionError
from cases.legality import RULES_BY_CODE, finding_answer, finding_lines, findings_visible_to
from cases.models import Finding
from core.actors import actor_role, staff_actor
from core.models import Role
from core.uploads import UploadRefused

from .serializers import ActionErrorSerializer

NOT_FOUND = OpenApiResponse(description=_("No such finding, or it is out of your reach."))


class FindingFilterSerializer(serializers.Serializer):
    batch = serializers.IntegerField(required=False, help_text=_("Only the findings of this batch."))
    rule = serializers.ChoiceField(choices=sorted(RULES_BY_CODE), required=False)
    status = serializers.ChoiceField(choices=Finding.Status.choices, required=False)


class FindingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.code", read_only=True)
    external_ref = serializers.CharField(source="case.external_ref", read_only=True)
    title = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()  # type: ignore[assignment]  # DRF pops declared fields off the class
    details = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id", "case", "external_ref", "batch", "rule", "title", "source", "blocking", "details",
            "status", "status_display", "found_on", "answer", "answered_at", "decision_note", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_title(self, obj: Finding) -> str:
        rule = RULES_BY_CODE.get(obj.rule)
        return str(rule.title) if rule else obj.rule

    def get_source(self, obj: Finding) -> str:
        rule = RULES_BY_CODE.get(obj.rule)
        return rule.source if rule else ""

    def get_details(self, obj: Finding) -> list[str]:
        role = actor_role(self.context["request"].user)
        return finding_lines(obj, show_other_cases=role in (Role.JUDGE, Role.CLERK, Role.CENTRE_ADMIN))


class FindingAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)
    evidence = serializers.FileField(required=False, help_text=_("PDF, JPEG or PNG."))


class FindingPagination(CursorPagination):
    ordering = ("-id",)
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_view(
    list=extend_schema(summary=_("Legality findings on your cases"), parameters=[FindingFilterSerializer]),
    retrieve=extend_schema(
        summary=_("One legality finding"), responses={200: FindingSerializer, 404: NOT_FOUND}
    ),
)
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FindingSerializer
    pagination_class = FindingPagination
    queryset = Finding.objects.none()  # for the schema; requests go through findings_visible_to

    def get_queryset(self) -> QuerySet[Finding]:
        qs = findings_visible_to(self.request.user).select_related("case")
        if self.action == "list":
            filters = FindingFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            wanted: dict[str, Any] = filters.validated_data
            if "batch" in wanted:
                qs = qs.filter(batch_id=wanted["batch"])
            if "rule" in wanted:
                qs = qs.filter(rule=wanted["rule"])
            if "status" in wanted:
                qs = qs.filter(status=wanted["status"])
        return qs


class FindingAnswerView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary=_("Answer a legality finding, with evidence"),
        request={"multipart/form-data": FindingAnswerSerializer},
        responses={
            200: FindingSerializer,
            403: ActionErrorSerializer,
            404: NOT_FOUND,
            409: ActionErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
        body = FindingAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            answered = finding_answer(
                finding=finding,
                actor=staff_actor(request.user),
                answer=body.validated_data["answer"],
                evidence=body.validated_data.get("evidence"),
            )
        except ActionForbidden as err:
            return _refused(err.code, err.message, status.HTTP_403_FORBIDDEN)
        except CaseActionError as err:
            return _refused(err.code, err.message, status.HTTP_409_CONFLICT)
        except UploadRefused as err:
            return _refused(err.code, err.message, status.HTTP_400_BAD_REQUEST)
        return Response(FindingSerializer(answered, context={"request": request}).data)


def _refused(code: str, message: Any, http_status: int) -> Response:
    return Response(ActionErrorSerializer({"code": code, "detail": str(message)}).data, status=http_status)
