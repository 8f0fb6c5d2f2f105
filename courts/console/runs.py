"""The report of a bulk decision: a progress bar while it runs, then each case done and each skipped (why)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from cases.selectors import cases_visible_to
from courts.bulk import bulk_runs_visible_to
from courts.models import BulkRun

from .site import court_site


def run_url(run: BulkRun, site_name: str = "court") -> str:
    return reverse("court:bulk_run", args=[run.pk], current_app=site_name)


def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the judges and clerks of the court that ran it see a run; case codes only of their own cases."""
    run = get_object_or_404(bulk_runs_visible_to(request.user), pk=pk)
    context: dict[str, Any] = {
        **court_site.each_context(request),
        "run": run,
        "title": run.get_action_display(),
    }
    if run.finished_at is not None:
        wanted = [*run.done_ids, *(int(pk) for pk in run.skipped)]
        cases = {
            c.pk: c
            for c in cases_visible_to(request.user).filter(pk__in=wanted).select_related("debtor", "creditor")
        }
        context["done"] = [cases[pk] for pk in run.done_ids if pk in cases]
        context["skipped"] = [
            {"pk": int(pk), "case": cases.get(int(pk)), "why": why} for pk, why in sorted(run.skipped.items())
        ]
    template = "court/_run_progress.html" if request.headers.get("HX-Request") else "court/bulk_run.html"
    return TemplateResponse(request, template, context)


court_site.extra_urls.append(path("runs/<int:pk>/", court_site.admin_view(run_view), name="bulk_run"))
