"""Platform admin (/admin/) for cases: read-only, since every change to a case goes through cases.services.

The court console (courts.console) is where judges and clerks act on cases; this is the operators' view.
Encrypted identifiers never appear: lists and pages show the masked columns only.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.crypto import keyed_hash
from core.identifiers import IdentifierError, normalize_id_number
from core.money import format_yuan

from .models import Batch, Case, CaseEvent, CaseNotification, Deadline, Debtor, Hold


def id_number_search_q(term: str, lookup: str = "debtor__id_hash") -> Q | None:
    """A search term that is a valid ID number matches by its keyed hash (the number is stored encrypted)."""
    try:
        id_number = normalize_id_number(term.strip())
    except IdentifierError:
        return None
    return Q(**{lookup: keyed_hash(id_number)})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IdNumberSearchMixin:
    id_hash_lookup = "debtor__id_hash"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        by_id_number = id_number_search_q(search_term, self.id_hash_lookup)
        if by_id_number is not None:
            return queryset.filter(by_id_number), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


@admin.register(Debtor)
class DebtorAdmin(IdNumberSearchMixin, ReadOnlyAdmin):
    id_hash_lookup = "id_hash"
    list_display = ["name", "id_number_masked", "phone_masked", "birth_date", "region_code", "centre"]
    list_filter = ["centre"]
    list_select_related = ["centre"]
    search_fields = ["name"]
    fields = ["centre", "name", "id_number_masked", "phone_masked", "birth_date", "region_code", "created_at"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "filename", "creditor", "status", "rows_read", "accepted", "rejected", "created_at"]
    list_filter = ["status", "centre", "creditor"]
    list_select_related = ["creditor"]
    search_fields = ["filename"]


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["seq", "created_at", "action", "from_stage", "to_stage", "actor", "actor_role", "reason"]
    ordering = ["seq"]


class HoldInline(ReadOnlyInline):
    model = Hold
    fields = ["kind", "reason", "started_at", "lifted_at", "placed_by", "lifted_by"]
    fk_name = "case"


class DeadlineInline(ReadOnlyInline):
    model = Deadline
    fields = ["kind", "starts_on", "due_on", "status", "paused_since", "held_days", "calendar_warning"]


@admin.register(Case)
class CaseAdmin(IdNumberSearchMixin, ReadOnlyAdmin):
    list_display = [
        "code",
        "external_ref",
        "debtor",
        "creditor",
        "claimed_total_yuan",
        "stage",
        "colour",
        "on_hold",
        "centre",
    ]
    list_filter = ["centre", "stage", "creditor", "colour", "track", "on_hold", "product"]
    list_select_related = ["debtor", "creditor", "centre"]
    search_fields = ["=code", "=external_ref", "debtor__name"]
    search_help_text = _("Case code, contract number, debtor name or the full ID number.")
    inlines = [HoldInline, DeadlineInline, CaseEventInline]
    # The encrypted phone is left out on purpose: only the masked column is shown.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "external_ref",
                    "centre",
                    "creditor",
                    "batch",
                    "debtor",
                    "phone_masked",
                    "address",
                    "email",
                    "e_service_consent",
                ]
            },
        ),
        (
            _("Claim"),
            {
                "fields": [
                    "product",
                    "principal",
                    "interest",
                    "fees",
                    "claimed_total",
                    "annual_rate",
                    "contract_date",
                    "overdue_since",
                    "note",
                ]
            },
        ),
        (
            _("Funnel"),
            {
                "fields": [
                    "stage",
                    "stage_entered_at",
                    "on_hold",
                    "colour",
                    "track",
                    "committee",
                    "mediator",
                    "court",
                    "settlement_effective_on",
                    "enforceable_title",
                    "performance_due_on",
                    "performed_on",
                    "closed_reason",
                    "event_seq",
                    "event_head",
                ]
            },
        ),
    ]

    @admin.display(description=_("claimed total"), ordering="claimed_total")
    def claimed_total_yuan(self, case: Case) -> str:
        return format_yuan(case.claimed_total)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """Append-only and hash-chained: nobody edits or deletes an event, here or anywhere."""

    list_display = ["case", "seq", "action", "from_stage", "to_stage", "actor", "actor_role", "created_at"]
    list_filter = ["action", "actor_role"]
    list_select_related = ["case", "actor"]
    search_fields = ["=case__code"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "started_at", "lifted_at", "placed_by", "reason"]
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "placed_by"]
    search_fields = ["=case__code"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "starts_on", "due_on", "status", "paused_since", "calendar_warning"]
    list_filter = ["status", "kind", "calendar_warning"]
    list_select_related = ["case"]
    search_fields = ["=case__code"]
    date_hierarchy = "due_on"


@admin.register(CaseNotification)
class CaseNotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "case", "event", "created_at", "read_at"]
    list_select_related = ["user", "case", "event"]
    search_fields = ["=case__code", "user__username"]
