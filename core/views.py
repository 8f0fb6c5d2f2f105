"""Entry pages: health check, the role-based home redirect, and the page for a login without a role."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from .models import Role

# Each role's own home page (URL names).
ROLE_HOMES = {
    Role.CREDITOR_STAFF: "cases:list",
    Role.MEDIATOR: "mediation:queue",
    Role.JUDGE: "court:index",
    Role.CLERK: "court:index",
    Role.CENTRE_ADMIN: "centre",
}


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "core/no_role.html", status=403)


class StaffRequiredMixin(LoginRequiredMixin):
    """A logged-in user with a membership; sets ``self.role`` and ``request.membership``."""

    role: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = getattr(request.user, "membership", None)
        if membership is None or not request.user.is_active:
            return no_role(request)
        self.role = membership.role
        request.membership = membership  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)


class HomeView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect(ROLE_HOMES[Role(self.role)])
