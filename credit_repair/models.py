"""Payments and their allocation to the agreed plan, breaches, credit repair records and credit objections.

Changes go through credit_repair.services; reads through credit_repair.selectors.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Deadline
from core.models import Centre, Organisation, TimeStampedModel
from mediation.models import Instalment
from notices.models import Notice
from notices.storage import private_storage


class PaymentImport(TimeStampedModel):
    """A creditor's file of payments (CSV or XLSX), imported set-based, with a per-row report."""

    class Status(models.TextChoices):
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payment_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    accepted = models.PositiveIntegerField(_("payments recorded"), default=0)
    duplicates = models.PositiveIntegerField(_("already recorded"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    performed = models.PositiveIntegerField(_("cases paid in full"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("payment import")
        verbose_name_plural = _("payment imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"


class PaymentImportIssue(models.Model):
    """One row of a payment file that was not recorded as a new payment, and why."""

    payment_import = models.ForeignKey(PaymentImport, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=32, blank=True)
    code = models.CharField(_("code"), max_length=32)
    # The English msgid, translated when shown so that each reader gets their language.
    message = models.CharField(_("message"), max_length=300)
    value = models.CharField(_("value"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("payment import issue")
        verbose_name_plural = _("payment import issues")
        ordering = ["payment_import_id", "row", "id"]

    def __str__(self) -> str:
        return f"{self.payment_import_id}:{self.row} {self.code}"


class Payment(TimeStampedModel):
    """Money the debtor paid on a case, as the creditor reports it; (creditor, reference) identifies it."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Creditor portal")
        API = "api", _("API")
        FILE = "file", _("Payment file")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=64)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    payment_import = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["case_id", "paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "reference"], name="payment_reference_per_creditor"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["case", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


class Allocation(models.Model):
    """The part of a payment that paid an instalment (credit_repair.allocation); rebuilt on each change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.instalment_id}: {self.amount}"


class Breach(TimeStampedModel):
    """An instalment (or an order's performance period) unpaid after the centre's grace period."""

    class Status(models.TextChoices):
        OPEN = "open", _("Unpaid")
        CURED = "cured", _("Paid late")
        ENFORCEMENT = "enforcement", _("Enforcement requested")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="breaches")
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, null=True, blank=True, related_name="breaches"
    )
    due_on = models.DateField(_("due on"))
    grace_ends_on = models.DateField(_("grace period ended on"))
    detected_on = models.DateField(_("detected on"))
    unpaid = models.DecimalField(_("unpaid when detected"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    reminder = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reminded_at = models.DateTimeField(_("debtor reminded at"), null=True, blank=True)
    cured_on = models.DateField(_("paid on"), null=True, blank=True)
    enforcement_requested_at = models.DateTimeField(_("enforcement requested at"), null=True, blank=True)
    enforcement_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-detected_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instalment"],
                condition=Q(instalment__isnull=False),
                name="breach_once_per_instalment",
            ),
            models.UniqueConstraint(
                fields=["case", "due_on"], condition=Q(instalment__isnull=True), name="breach_once_per_order"
            ),
        ]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_on} {self.status}"


class RepairRecord(TimeStampedModel):
    """Credit repair of one performed case: its steps, its certificate and the certificate's check code."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="repair")
    performed_on = models.DateField(_("performed on"))
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    verification_code = models.CharField(_("verification code"), max_length=12, unique=True)
    certificate = models.ForeignKey(Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit repair record")
        verbose_name_plural = _("credit repair records")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class RepairStep(models.Model):
    """One thing that must change once a debt is performed, whose it is, by when, and the proof."""

    class Kind(models.TextChoices):
        LIST_REMOVAL = "list_removal", _("Removal from the dishonest judgment-debtor list")
        RESTRICTION_LIFT = "restriction_lift", _("Consumption restriction lifted")
        CREDIT_REPORT_CORRECTION = "credit_report_correction", _("Credit report corrected by the creditor")
        CERTIFICATE = "certificate", _("Credit-repair certificate issued")

    class Party(models.TextChoices):
        COURT = "court", _("Court")
        CREDITOR = "creditor", _("Creditor")
        CENTRE = "centre", _("Centre")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        NOT_NEEDED = "not_needed", _("Not needed")

    record = models.ForeignKey(RepairRecord, on_delete=models.CASCADE, related_name="steps")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repair_steps", db_index=False)
    kind = models.CharField(_("step"), max_length=28, choices=Kind.choices)
    party = models.CharField(_("whose action"), max_length=8, choices=Party.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    calendar_warning = models.BooleanField(_("calendar uncertain"), default=False)
    deadline = models.ForeignKey(Deadline, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credit repair step")
        verbose_name_plural = _("credit repair steps")
        ordering = ["record_id", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "kind"], name="repair_step_once_per_record")]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["case", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class CreditObjection(TimeStampedModel):
    """A debtor's objection to a credit record, answered in writing in 20 days (Credit Reporting Reg. 25)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the creditor's answer")
        ANSWERED = "answered", _("Answered")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="credit_objections")
    statement = models.TextField(_("statement"))
    filed_on = models.DateField(_("filed on"))
    answer_due_on = models.DateField(_("answer due on"))
    calendar_warning = models.BooleanField(_("calendar uncertain"), default=False)
    deadline = models.ForeignKey(Deadline, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("written answer"), blank=True)
    record_corrected = models.BooleanField(_("the record was corrected"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credit-record objection")
        verbose_name_plural = _("credit-record objections")
        ordering = ["answer_due_on", "id"]
        indexes = [models.Index(fields=["status", "answer_due_on"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.filed_on}"


class ObjectionEvidence(models.Model):
    """A file the debtor attached (JPEG, PNG or PDF), kept in private storage, served only after a check."""

    objection = models.ForeignKey(CreditObjection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="credit_objections/", max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection evidence")
        verbose_name_plural = _("objection evidence")
        ordering = ["objection_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class CureLimits(models.Model):
    """What a creditor allows, in advance, when a debtor re-schedules the rest of a plan once online after a
    missed instalment, within the grace period: so many extra instalments at most, each at least so much."""

    creditor = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="cure_limits")
    allowed = models.BooleanField(_("debtors may re-schedule once online"), default=True)
    max_extra_instalments = models.PositiveSmallIntegerField(_("extra instalments at most"), default=3)
    min_instalment = models.DecimalField(
        _("smallest instalment (yuan)"), max_digits=12, decimal_places=2, default=100
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("re-scheduling limits")
        verbose_name_plural = _("re-scheduling limits")

    def __str__(self) -> str:
        return f"{self.creditor_id} +{self.max_extra_instalments} ≥{self.min_instalment}"


class PlanCure(models.Model):
    """The one re-scheduling of a plan's rest a debtor made online after a missed instalment: the schedule
    before and after, kept for the creditor and the court."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_cures")
    settlement = models.OneToOneField("mediation.Settlement", on_delete=models.PROTECT, related_name="cure")
    missed_due_on = models.DateField(_("missed instalment due on"))
    grace_ends_on = models.DateField(_("grace period ends on"))
    remaining = models.DecimalField(_("amount re-scheduled"), max_digits=14, decimal_places=2)
    extra_instalments = models.PositiveSmallIntegerField(_("extra instalments"))
    before = models.JSONField(_("schedule before"), default=list)
    after = models.JSONField(_("schedule after"), default=list)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("re-scheduled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("re-scheduled plan")
        verbose_name_plural = _("re-scheduled plans")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.extra_instalments}"
