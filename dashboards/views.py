"""Dashboard pages per role and figure exports (suggestions and group-risk pages: oversight.views).

Views parse the request, call one selector or service, and render.
"""

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.db import PRIMARY, primary_pin, read_db, reading_from, replica_status
from core.models import Role
from core.views import StaffRequiredMixin
from oversight import selectors as oversight_selectors
from oversight.models import GroupRiskFlag

from . import selectors, services
from .exports import figure_xlsx
from .forms import FilterForm

FLAGS_ON_DASHBOARD = 10


def _context(request: HttpRequest, alias: str) -> tuple[FilterForm, selectors.Context]:
    creditors = selectors.creditor_choices(request.user)
    form = FilterForm(request.GET or None, creditors=creditors)
    ctx = selectors.Context(
        user=request.user, filters=form.filters(), creditor_names=dict(creditors), read_alias=alias
    )
    return form, ctx


def _require(role: str, allowed: Collection[str]) -> None:
    if role not in allowed:
        raise PermissionDenied


@method_decorator(never_cache, name="dispatch")
class DashboardView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        freshness = "fresh"
        membership = getattr(request.user, "membership", None)
        if self.role != Role.MEDIATOR and membership is not None:
            freshness = services.facts_refresh_when_stale(centre_id=membership.organisation.centre_id)
        # Figures refreshed by this very request are on the primary only, so far.
        alias = PRIMARY if freshness == "refreshed" else read_db(request)
        with reading_from(alias):
            return self.render_figures(request, alias, freshness)

    def render_figures(self, request: HttpRequest, alias: str, freshness: str) -> HttpResponse:
        form, ctx = _context(request, alias)
        figures = selectors.dashboard_figures(ctx)
        context: dict[str, Any] = {
            "freshness": freshness,
            "form": form,
            "kpis": selectors.dashboard_kpis(ctx),
            "figures": figures,
            "refreshed_at": selectors.refreshed_at(request.user) if self.role != Role.MEDIATOR else None,
            "as_of": figures[0].as_of if figures else None,
            "replica_lag": round(replica_status().lag_seconds or 0) if alias != PRIMARY else None,
            "query": request.GET.urlencode(),
            "role": self.role,
        }
        if self.role == Role.CENTRE_ADMIN:
            context["flags"] = oversight_selectors.flags_visible_to(request.user).filter(
                status=GroupRiskFlag.Status.OPEN
            )[:FLAGS_ON_DASHBOARD]
        if self.role in (Role.CENTRE_ADMIN, Role.JUDGE, Role.CREDITOR_STAFF):
            counts = oversight_selectors.suggestion_counts(request.user)
            context.update(
                suggestions_draft=counts["draft"],
                suggestions_open=counts["issued"],
                suggestions_overdue=counts["overdue"],
            )
        return render(request, "dashboards/dashboard.html", context)


class FigureExportView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, key: str) -> HttpResponseBase:
        alias = read_db(request)
        with reading_from(alias):
            _form, ctx = _context(request, alias)
            figures = selectors.dashboard_figures(ctx, keys=[key])
        if not figures:
            raise Http404
        return figure_xlsx(figures[0])


class RefreshView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        _require(self.role, {Role.CENTRE_ADMIN})
        centre_id = request.membership.organisation.centre_id  # type: ignore[attr-defined]
        result = services.facts_refresh(centre_id=centre_id)
        primary_pin(request)
        if result is not None:
            messages.success(
                request, _("Figures refreshed in %(seconds).1f s.") % {"seconds": result.seconds}
            )
        return redirect("dashboards:home")
