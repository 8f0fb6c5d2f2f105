"""REST API of batch uploads: POST a file, poll its status and counts, page through its errors.

Scoped like the pages: a creditor's staff see their organisation's batches; anything else is 404.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Batch, BatchError
from core.actors import actor_role
from core.api.schema import page_of
from core.models import Role

from . import selectors, services
from .reader import FileRefused
from .validation import error_message

PAGE_PARAMETER = OpenApiParameter("page", OpenApiTypes.INT, description=_("Page number, from 1"))

PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size", OpenApiTypes.INT, description=_("Rows per page (up to 1000)")
)
NOT_FOUND = OpenApiResponse(description=_("No such batch, or the batch is out of your reach."))


class BatchUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The batch file: .xlsx, .csv or .tsv (BATCH_FORMAT.md)."))


class BatchCreatedSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField()


class BatchSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="pk")
    message = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = [
            "batch",
            "filename",
            "status",
            "progress_percent",
            "rows_read",
            "accepted",
            "rejected",
            "error_count",
            "unknown_columns",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_message(self, batch: Batch) -> str:
        return selectors.batch_message_text(batch)


class BatchErrorSerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField()
    value = serializers.CharField(source="value_masked")

    class Meta:
        model = BatchError
        fields = ["row", "column", "code", "message", "value"]

    def get_message(self, error: BatchError) -> str:
        return error_message(error.message)


class ErrorPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class BatchListCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary=_("Your organisation's batches"),
        operation_id="batches_list",
        responses={200: page_of(BatchSerializer, "PaginatedBatchList")},
        parameters=[PAGE_PARAMETER, PAGE_SIZE_PARAMETER],
    )
    def get(self, request: Request) -> Response:
        paginator = ErrorPagination()
        page = paginator.paginate_queryset(selectors.batch_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(BatchSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Upload a batch file"),
        request={"multipart/form-data": BatchUploadSerializer},
        responses={201: BatchCreatedSerializer, 400: OpenApiResponse(description=_("The file was refused."))},
    )
    def post(self, request: Request) -> Response:
        if actor_role(request.user) != Role.CREDITOR_STAFF:
            raise PermissionDenied(_("Only creditor staff upload batches."))
        upload = BatchUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            batch = services.batch_upload(user=request.user, uploaded=upload.validated_data["file"])
        except FileRefused as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
        batch.refresh_from_db()
        return Response({"batch": batch.pk, "status": batch.status}, status=status.HTTP_201_CREATED)


class BatchDetailView(APIView):
    @extend_schema(summary=_("A batch's status and counts"), responses={200: BatchSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(BatchSerializer(selectors.batch_get(user=request.user, pk=pk)).data)


class BatchErrorsView(APIView):
    @extend_schema(
        summary=_("A batch's rejected rows, page by page"),
        responses={200: page_of(BatchErrorSerializer, "PaginatedBatchErrorList"), 404: NOT_FOUND},
        parameters=[PAGE_PARAMETER, PAGE_SIZE_PARAMETER],
    )
    def get(self, request: Request, pk: int) -> Any:
        batch = selectors.batch_get(user=request.user, pk=pk)
        paginator = ErrorPagination()
        page = paginator.paginate_queryset(selectors.batch_errors(batch=batch), request, view=self)
        return paginator.get_paginated_response(BatchErrorSerializer(page, many=True).data)
