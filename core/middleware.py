"""Staff sessions end after a configured idle time (a shared counter PC must not stay signed in)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "staff_last_seen"
# Writing the session on every request would cost a write per page: record activity at most this often.
TOUCH_EVERY_SECONDS = 60


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            idle = int(settings.STAFF_SESSION_IDLE_MINUTES) * 60
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and idle > 0 and now - int(last) > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": idle // 60},
                )
                login = "court:login" if request.path.startswith("/court/") else "login"
                return redirect(f"{reverse(login)}?next={request.path}")
            if last is None or now - int(last) >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
