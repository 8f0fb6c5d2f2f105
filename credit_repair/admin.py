"""Platform admin (/admin/) for payments and credit repair: read-only; changes go through the services."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Allocation,
    Breach,
    CreditObjection,
    CureLimits,
    ObjectionEvidence,
    Payment,
    PaymentImport,
    PaymentImportIssue,
    PlanCure,
    RepairRecord,
    RepairStep,
)


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ["instalment", "amount"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "case", "creditor", "paid_on", "amount", "source", "created_at"]
    list_filter = ["source", "creditor"]
    list_select_related = ["case", "creditor"]
    search_fields = ["reference", "case__code", "case__external_ref"]
    date_hierarchy = "paid_on"
    inlines = [AllocationInline]


class PaymentImportIssueInline(ReadOnlyInline):
    model = PaymentImportIssue
    fields = ["row", "column", "code", "message", "value"]


@admin.register(PaymentImport)
class PaymentImportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "filename", "creditor", "status", "rows_read", "accepted", "duplicates", "rejected"]
    list_filter = ["status", "creditor"]
    inlines = [PaymentImportIssueInline]


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["case", "due_on", "grace_ends_on", "detected_on", "unpaid", "status", "reminded_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["case__code"]


class RepairStepInline(ReadOnlyInline):
    model = RepairStep
    fields = ["kind", "party", "status", "due_on", "done_on", "reference", "done_by"]


@admin.register(RepairRecord)
class RepairRecordAdmin(ReadOnlyAdmin):
    list_display = ["case", "performed_on", "opened_on", "status", "certificate_issued_on"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["case__code", "verification_code"]
    inlines = [RepairStepInline]


class ObjectionEvidenceInline(ReadOnlyInline):
    model = ObjectionEvidence
    fields = ["original_name", "content_type", "size", "sha256"]


@admin.register(CreditObjection)
class CreditObjectionAdmin(ReadOnlyAdmin):
    list_display = ["case", "filed_on", "answer_due_on", "status", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["case__code"]
    inlines = [ObjectionEvidenceInline]


@admin.register(CureLimits)
class CureLimitsAdmin(ReadOnlyAdmin):
    list_display = ["creditor", "allowed", "max_extra_instalments", "min_instalment", "updated_at"]


@admin.register(PlanCure)
class PlanCureAdmin(ReadOnlyAdmin):
    list_display = ["case", "missed_due_on", "grace_ends_on", "remaining", "extra_instalments", "created_at"]
    list_select_related = ["case"]
    search_fields = ["case__code"]
