"""Every API error has a machine-readable `code` and a `detail` for people; field errors keep their fields."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"code": "invalid", "detail": _("Some values are missing or not valid."), **fields}
    elif isinstance(data, dict) and "detail" in data and "code" not in data:
        response.data = {"code": getattr(exc, "default_code", "error"), **data}
    return response
