"""Case endpoints: scoped through cases.selectors (out of reach is 404), changes through cases.services."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors, services
from cases.errors import ActionForbidden, CaseActionError
from cases.models import Case, Stage
from core.actors import staff_actor

from .serializers import (
    ActionErrorSerializer,
    AvailableTransitionSerializer,
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseListSerializer,
    TransitionRequestSerializer,
    TransitionResultSerializer,
)

NOT_FOUND = OpenApiResponse(description=_("No such case, or the case is out of your reach."))


class CasePagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def visible_case(user: Any, code: str) -> Case:
    """The case with this code if the user may see it; otherwise 404, never 403."""
    visible = selectors.cases_visible_to(user).select_related(
        "creditor", "debtor", "committee", "court", "mediator"
    )
    return get_object_or_404(visible, code=code)


@extend_schema_view(
    list=extend_schema(summary=_("List cases"), parameters=[CaseFilterSerializer]),
    retrieve=extend_schema(
        summary=_("One case with its deadlines, holds and events"),
        responses={200: CaseDetailSerializer, 404: NOT_FOUND},
    ),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z]+"
    pagination_class = CasePagination
    queryset = Case.objects.none()  # for the schema; requests always go through the selectors

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":
            filters = CaseFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            return selectors.case_list(user=self.request.user, filters=filters.validated_data)
        return selectors.cases_visible_to(self.request.user)

    def get_object(self) -> Case:
        return visible_case(self.request.user, self.kwargs["code"])

    def get_serializer_class(self) -> type:
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer


class CaseTransitionsView(APIView):
    """The actions the caller may take on a case now, and taking one."""

    @extend_schema(
        summary=_("Actions available to you on this case"),
        responses={200: AvailableTransitionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        case = visible_case(request.user, code)
        available = services.case_available_transitions(
            case=case, actor=staff_actor(request.user), generic=True
        )
        return Response(AvailableTransitionSerializer(available, many=True).data)

    @extend_schema(
        summary=_("Take an action on this case"),
        request=TransitionRequestSerializer,
        responses={
            201: TransitionResultSerializer,
            400: OpenApiResponse(description=_("Unknown action or invalid input.")),
            403: ActionErrorSerializer,
            404: NOT_FOUND,
            409: ActionErrorSerializer,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        case = visible_case(request.user, code)
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            event = services.case_transition_generic(
                case=case, transition=body.validated_data["transition"], actor=staff_actor(request.user),
                reason=body.validated_data["reason"],
            )  # fmt: skip
        except ActionForbidden as err:
            return _refused(err, status.HTTP_403_FORBIDDEN)
        except CaseActionError as err:
            return _refused(err, status.HTTP_409_CONFLICT)
        result = {"stage": event.to_stage, "stage_display": Stage(event.to_stage).label, "event": event}
        return Response(TransitionResultSerializer(result).data, status=status.HTTP_201_CREATED)


def _refused(err: CaseActionError, code: int) -> Response:
    return Response(ActionErrorSerializer({"code": err.code, "detail": str(err.message)}).data, status=code)
