"""The console's list filters: stage, creditor, claimed amount, the list's own limit."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Stage
from core.models import Organisation
from core.money import AmountError, parse_yuan

from .read_models import SOON_DAYS

# --- list filters -----------------------------------------------------------------------------------


class CourtCreditorFilter(admin.SimpleListFilter):
    """The creditors of the court's own centre only."""

    title = _("Creditor")
    parameter_name = "creditor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user: Any = request.user
        centre_id = user.membership.organisation.centre_id
        creditors = Organisation.objects.filter(centre_id=centre_id, kind=Organisation.Kind.CREDITOR)
        return [(str(org.pk), org.name) for org in creditors.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(creditor_id=int(value)) if value and value.isdigit() else queryset


class StageFilter(admin.SimpleListFilter):
    """The stages of the list at hand (a queue's own stages, or all of them)."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        stages = (
            getattr(model_admin, "filter_stages", ()) or getattr(model_admin, "stages", ()) or Stage.values
        )
        return [(s, Stage(s).label) for s in stages]

    def has_output(self) -> bool:
        return len(self.lookup_choices) > 1

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(stage=value) if value in Stage.values else queryset


class CaseDueFilter(admin.SimpleListFilter):
    """The list's own limit (the `due` annotation): overdue, within 7 days, later."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Within 7 days")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + timedelta(days=SOON_DAYS)
        value = self.value()
        if value == "overdue":
            return queryset.filter(due__lt=today)
        if value == "week":
            return queryset.filter(due__gte=today, due__lte=week)
        if value == "later":
            return queryset.filter(due__gt=week)
        return queryset


class AmountRangeFilter(admin.ListFilter):
    """Claimed total between two amounts in yuan, typed as people type them (¥, commas, 元)."""

    title = _("claimed total (yuan)")
    template = "court/amount_filter.html"
    parameters = ("amount_min", "amount_max")

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def bounds(self) -> tuple[Any, Any]:
        values = []
        for name in self.parameters:
            text = str(self.used_parameters.get(name) or "").strip()
            try:
                values.append(parse_yuan(text) if text else None)
            except AmountError:
                values.append(None)  # an unreadable bound filters nothing rather than failing the page
        return values[0], values[1]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        low, high = self.bounds()
        if low is not None:
            queryset = queryset.filter(claimed_total__gte=low)
        if high is not None:
            queryset = queryset.filter(claimed_total__lte=high)
        return queryset

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        # The other filters, the search and the sort order survive a new amount range.
        keep = [
            (k, v)
            for k, values in changelist.filter_params.items()
            if k not in self.parameters
            for v in values
        ]
        yield {
            "min": self.used_parameters.get("amount_min", ""),
            "max": self.used_parameters.get("amount_max", ""),
            "keep": keep,
            "clear": changelist.get_query_string(remove=list(self.parameters)),
            "active": bool(self.used_parameters),
        }


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Within 7 days")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + timedelta(days=SOON_DAYS)
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today)
        if self.value() == "week":
            return queryset.filter(due_on__gte=today, due_on__lte=week)
        if self.value() == "later":
            return queryset.filter(due_on__gt=week)
        return queryset
