"""The OpenAPI schema says what the API really answers: throttling, sign-in and paginated lists."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}


def document_common_responses(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict:
    """Every operation may be throttled (429); one that needs a caller may answer 401 and 403; one with query
    parameters 400; a paginated one 404 for a page past the end."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ApiError",
        {
            "type": "object",
            "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "429",
                {"description": _("Too many requests: wait and try again."), "content": _json(ERROR_REF)},
            )
            query = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if query:
                responses.setdefault(
                    "400",
                    {"description": _("A query parameter is not valid."), "content": _json(ERROR_REF)},
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "400",
                    {"description": _("The request body is not valid."), "content": _json(ERROR_REF)},
                )
            if query & {"page", "cursor"}:
                responses.setdefault("404", {"description": _("No such page."), "content": _json(ERROR_REF)})
            if operation.get("security") != [{}] and operation.get("security", True):
                responses.setdefault(
                    "401",
                    {"description": _("Not signed in, or the token expired."), "content": _json(ERROR_REF)},
                )
                responses.setdefault(
                    "403", {"description": _("Your role may not do this."), "content": _json(ERROR_REF)}
                )
    return result


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def page_of(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of a page-number page of `item`: count, next, previous, results."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )()
