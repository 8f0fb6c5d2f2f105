"""What a locked-out login sees: why, and how long to wait, in the reader's language."""

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The response code of a lock-out: too many requests, with Retry-After.
LOCKED_OUT_STATUS = 429


def lockout_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    minutes = lockout_minutes()
    message = _(
        "Too many failed sign-in attempts for this account or from this address. "
        "Try again in %(minutes)d minutes, or ask your administrator to unlock the account."
    ) % {"minutes": minutes}
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "locked_out", "retry_after_seconds": minutes * 60},
            status=LOCKED_OUT_STATUS,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "minutes": minutes},
            status=LOCKED_OUT_STATUS,
        )
    response["Retry-After"] = str(minutes * 60)
    return response
