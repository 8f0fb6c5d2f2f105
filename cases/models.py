"""Debtors, cases and their funnel (a django-fsm state machine), events, holds and deadlines.

Transitions here only change state and stamp fields; cases.services is the only caller.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from core.fields import EncryptedTextField
from core.models import Centre, Organisation, TimeStampedModel

from .conditions import (
    both_parties_apply,
    confirmation_window_open,
    has_enforceable_title,
    has_settlement,
    legality_findings_decided,
    no_active_hold,
    peoples_mediation_small_claim,
)
from .permissions import roles_allowed


class Stage(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    IN_MEDIATION = "in_mediation", _("In people's mediation")
    COURT_MEDIATION = "court_mediation", _("In court mediation")
    SETTLED = "settled", _("Settled")
    CONFIRMATION_REQUESTED = "confirmation_requested", _("Confirmation requested")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    PAYMENT_ORDER = "payment_order", _("Payment order")
    IN_LITIGATION = "in_litigation", _("In litigation")
    ENFORCEABLE = "enforceable", _("Enforceable")
    PERFORMING = "performing", _("Performing")
    IN_ENFORCEMENT = "in_enforcement", _("In enforcement")
    ENFORCEMENT_SUSPENDED = "enforcement_suspended", _("Enforcement suspended (终本)")
    PERFORMED = "performed", _("Performed")
    CREDIT_REPAIR = "credit_repair", _("Credit repair")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Stage
# Stages in which the debt is still open: withdrawal, full payment and closure as invalid reach all of them.
OPEN_STAGES = [
    S.RECEIVED,
    S.TRIAGED,
    S.IN_MEDIATION,
    S.COURT_MEDIATION,
    S.SETTLED,
    S.CONFIRMATION_REQUESTED,
    S.CONFIRMED,
    S.PAYMENT_ORDER,
    S.IN_LITIGATION,
    S.ENFORCEABLE,
    S.PERFORMING,
    S.IN_ENFORCEMENT,
    S.ENFORCEMENT_SUSPENDED,
]
FINAL_STAGES = [S.CLOSED, S.WITHDRAWN]
# Resolved before a court files anything: the funnel's first layers.
PRE_FILING_STAGES = [S.RECEIVED, S.TRIAGED, S.IN_MEDIATION, S.COURT_MEDIATION, S.SETTLED]

ADMIN, CREDITOR, MEDIATOR, JUDGE, CLERK, SYSTEM = (
    "centre_admin",
    "creditor_staff",
    "mediator",
    "judge",
    "clerk",
    "system",
)


class EventAction(models.TextChoices):
    """What a CaseEvent records: every transition of the funnel (labelled as its button) and every other
    action a service writes to a case's chain. Labels are what the case history shows."""

    # transitions (Case methods of the same name take their label from here)
    TRIAGE = "triage", _("Triage")
    START_MEDIATION = "start_mediation", _("Start mediation")
    ESCALATE_TO_COURT = "escalate_to_court", _("Escalate to court mediation")
    SETTLE = "settle", _("Record settlement")
    REQUEST_CONFIRMATION = "request_confirmation", _("Apply for judicial confirmation")
    CONFIRM = "confirm", _("Confirm settlement")
    REJECT_CONFIRMATION = "reject_confirmation", _("Reject confirmation")
    PERFORM_WITHOUT_CONFIRMATION = "perform_without_confirmation", _("Start performance without confirmation")
    BEGIN_PERFORMANCE = "begin_performance", _("Start performance")
    APPLY_PAYMENT_ORDER = "apply_payment_order", _("Apply for a payment order")
    FILE_SUIT = "file_suit", _("File suit")
    ORDER_EFFECTIVE = "order_effective", _("Payment order takes effect")
    ORDER_LAPSE = "order_lapse", _("Payment order lapses")
    ORDER_EFFECT_UNDONE = "order_effect_undone", _("Objection posted in time: the order's effect undone")
    JUDGMENT_EFFECTIVE = "judgment_effective", _("Judgment takes effect")
    APPLY_ENFORCEMENT = "apply_enforcement", _("Apply for enforcement")
    SUSPEND_ENFORCEMENT = "suspend_enforcement", _("Terminate the current round (终本)")
    RESUME_ENFORCEMENT = "resume_enforcement", _("Resume enforcement")
    RECORD_FULL_PERFORMANCE = "record_full_performance", _("Record full performance")
    START_CREDIT_REPAIR = "start_credit_repair", _("Start credit repair")
    CLOSE = "close", _("Close case")
    CLOSE_INVALID = "close_invalid", _("Close as invalid claim")
    WITHDRAW = "withdraw", _("Withdraw")
    # actions that leave the stage as it is (or create the case)
    RECEIVED = "received", _("Case received")
    HOLD_PLACED = "hold_placed", _("Hold placed")
    HOLD_LIFTED = "hold_lifted", _("Hold lifted")
    DEADLINE_CONFIRMED = "deadline_confirmed", _("Deadline confirmed by a person")
    RETRIAGED = "retriaged", _("Triaged again under new rules")
    GROUP_RISK_FLAGGED = "group_risk_flagged", _("Marked as a group risk")
    FILED = "filed", _("Filed in court")
    PAYMENT_ORDER_ACCEPTED = "payment_order_accepted", _("Payment order accepted")
    PAYMENT_ORDER_ISSUED = "payment_order_issued", _("Payment order issued")
    PAYMENT_ORDER_SERVED = "payment_order_served", _("Payment order served")
    PAYMENT_ORDER_OBJECTION = "payment_order_objection", _("Objection to the payment order")
    HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
    ENFORCEMENT_MEASURE = "enforcement_measure", _("Enforcement measure")
    DISHONEST_LISTED = "dishonest_listed", _("Put on the dishonest list")
    NOTICE_QUEUED = "notice_queued", _("Notice queued")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    NOTICE_DELIVERED = "notice_delivered", _("Notice delivered")
    NOTICE_OPENED = "notice_opened", _("Notice opened")
    NOTICE_FAILED = "notice_failed", _("Notice failed")
    SETTLEMENT_DRAFTED = "settlement_drafted", _("Settlement drafted")
    SETTLEMENT_OFFERED = "settlement_offered", _("Settlement offered to the debtor")
    SETTLEMENT_ACCEPTED_BY_DEBTOR = "settlement_accepted_by_debtor", _("Settlement accepted by the debtor")
    SETTLEMENT_SIGNED_BY_CREDITOR = "settlement_signed_by_creditor", _("Settlement signed by the creditor")
    SETTLEMENT_SIGNED_BY_MEDIATOR = "settlement_signed_by_mediator", _("Settlement signed by the mediator")
    SETTLEMENT_SEALED = "settlement_sealed", _("Committee seal applied to the settlement")
    WAIVER_CONSENTED = "waiver_consented", _("Creditor consented to the waiver")
    CONFIRMATION_CONSENT = "confirmation_consent", _("Consent to apply for judicial confirmation")
    MEDIATION_REFUSED = "mediation_refused", _("Debtor refused mediation")
    MEDIATION_EXTENSION_CONSENT = "mediation_extension_consent", _("Consent to extend the mediation period")
    MEDIATION_EXTENDED = "mediation_extended", _("Mediation period extended")
    CONTACT_LOGGED = "contact_logged", _("Contact logged")
    LATE_CONTACT_CONSENT = "late_contact_consent", _("Consent to late contact recorded")
    SESSION_SCHEDULED = "session_scheduled", _("Mediation session scheduled")
    SESSION_PARTIES_NOTIFIED = "session_parties_notified", _("Parties told of the mediation session")
    SESSION_RECORDED = "session_recorded", _("Mediation session recorded")
    DEBTOR_CAME_FORWARD = "debtor_came_forward", _("Debtor came forward")
    OBJECTION_FILED = "objection_filed", _("Objection filed")
    OBJECTION_DECIDED = "objection_decided", _("Objection decided")
    AMOUNTS_CORRECTED = "amounts_corrected", _("Amounts corrected")
    PROPOSAL_MADE = "proposal_made", _("Repayment proposal made")
    PROPOSAL_COUNTERED = "proposal_countered", _("Repayment proposal countered")
    PROPOSAL_DECLINED = "proposal_declined", _("Repayment proposal declined")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("Repayment proposal accepted")
    HARDSHIP_REQUESTED = "hardship_requested", _("Hardship relief requested")
    HARDSHIP_DECIDED = "hardship_decided", _("Hardship relief decided")
    PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
    PAYMENTS_RECORDED = "payments_recorded", _("Payments recorded from a file")
    PERFORMANCE_BREACH = "performance_breach", _("Instalment missed")
    PLAN_RESCHEDULED = "plan_rescheduled", _("Plan re-scheduled by the debtor after a missed instalment")
    STATEMENT_FILED = "statement_filed", _("Financial statement filed")
    DISHONEST_LIST_REMOVED = "dishonest_list_removed", _("Removed from the dishonest list")
    CONSUMPTION_RESTRICTION_LIFTED = "consumption_restriction_lifted", _("Consumption restriction lifted")
    CREDIT_REPORT_CORRECTED = "credit_report_corrected", _("Credit report corrected")
    CREDIT_REPAIR_CERTIFICATE_ISSUED = (
        "credit_repair_certificate_issued",
        _("Credit repair certificate issued"),
    )
    CREDIT_OBJECTION_FILED = "credit_objection_filed", _("Credit record objection filed")
    CREDIT_OBJECTION_ANSWERED = "credit_objection_answered", _("Credit record objection answered")
    LEGALITY_FINDING_ANSWERED = "legality_finding_answered", _("Legality finding answered by the creditor")
    LEGALITY_FINDING_DECIDED = "legality_finding_decided", _("Legality finding decided by the judge")


E = EventAction


class Product(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    CONSUMER_LOAN = "consumer_loan", _("Consumer loan")
    MICROLOAN = "microloan", _("Microloan")
    OTHER = "other", _("Other")


class Colour(models.TextChoices):
    GREEN = "green", _("Green: mediable")
    YELLOW = "yellow", _("Yellow: needs care")
    RED = "red", _("Red: group risk or sensitive")


class Track(models.TextChoices):
    FAST = "fast", _("Fast track")
    SLOW = "slow", _("Slow track")


class Debtor(TimeStampedModel):
    """One natural person per centre, found by a keyed hash of the ID number so their cases link up."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="debtors", db_index=False)
    id_hash = models.CharField(max_length=64)
    id_number = EncryptedTextField(_("ID number"))
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=50)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        constraints = [models.UniqueConstraint(fields=["centre", "id_hash"], name="debtor_unique_per_centre")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"


class Batch(TimeStampedModel):
    """A creditor's upload of cases."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="batches")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    message = models.TextField(_("message"), blank=True)
    # Where the uploaded file lives while it is imported (the task reads it; a retry reads it again).
    stored_file = models.CharField(_("stored file"), max_length=500, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    unknown_columns = models.JSONField(_("unknown columns"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Each (re)start gets a new attempt number; only the current attempt may commit its rows.
    attempt = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"


class BatchRejectedRow(models.Model):
    """A rejected row of a batch file as uploaded, kept (encrypted: it holds ID numbers) once the file
    itself is deleted, so that the creditor can download the rejected rows, fix them and upload again.
    Row 0 holds the file's header."""

    HEADER_ROW = 0

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rejected_rows")
    row = models.PositiveIntegerField(_("row"))
    cells = EncryptedTextField(_("cells"))  # a JSON list

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [models.UniqueConstraint(fields=["batch", "row"], name="batch_rejected_row_unique")]
        ordering = ["batch_id", "row"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row}"


class BatchError(models.Model):
    """One fault of one row of a batch file (BATCH_FORMAT.md codes); the value is masked where personal."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=32)
    code = models.CharField(_("code"), max_length=32)
    # The English msgid of the message, translated when shown so each reader gets their language.
    message = models.CharField(_("message"), max_length=300)
    value_masked = models.CharField(_("value"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("batch error")
        verbose_name_plural = _("batch errors")
        indexes = [models.Index(fields=["batch", "row"])]
        ordering = ["batch_id", "row", "id"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.column} {self.code}"


class Case(FSMModelMixin, TimeStampedModel):
    """One claim: a creditor's contract with a debtor, moving through the funnel."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="cases", db_index=False)
    creditor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="creditor_cases", db_index=False
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="cases")
    # Unique by the constraint in Meta: a unique field would also get a LIKE (pattern) index on PostgreSQL
    # that no query uses and every imported case pays for (codes are random: each insert a cache miss).
    code = models.CharField(_("case code"), max_length=16)
    external_ref = models.CharField(_("contract number"), max_length=64)

    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=11, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)

    product = models.CharField(_("product"), max_length=16, choices=Product.choices, default=Product.OTHER)
    principal = models.DecimalField(_("principal"), max_digits=14, decimal_places=2)
    interest = models.DecimalField(_("interest"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    fees = models.DecimalField(_("fees"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    claimed_total = models.GeneratedField(
        expression=F("principal") + F("interest") + F("fees"),
        output_field=models.DecimalField(max_digits=15, decimal_places=2),
        db_persist=True,
        verbose_name=_("claimed total"),
    )
    annual_rate = models.DecimalField(
        _("annual rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    overdue_since = models.DateField(_("overdue since"))
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    e_service_consent = models.BooleanField(_("consents to electronic service"), default=False)
    note = models.TextField(_("note"), blank=True, max_length=500)

    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, blank=True)

    # Indexed in Meta (no LIKE index beside it; stages are compared whole).
    stage = FSMField(_("stage"), default=Stage.RECEIVED, choices=Stage.choices, protected=True)
    stage_entered_at = models.DateTimeField(_("stage entered at"), default=timezone.now)
    on_hold = models.BooleanField(_("on hold"), default=False)

    committee = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_cases",
        db_index=False,
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediated_cases",
        db_index=False,
    )
    court = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_cases",
        db_index=False,
    )
    settlement_effective_on = models.DateField(_("settlement effective on"), null=True, blank=True)
    # CPL 205 (201), Interp. 351: the parties apply for confirmation jointly; each one's consent, when given.
    confirmation_consent_debtor_at = models.DateTimeField(
        _("debtor consented to apply for confirmation at"), null=True, blank=True
    )
    confirmation_consent_creditor_at = models.DateTimeField(
        _("creditor consented to apply for confirmation at"), null=True, blank=True
    )
    enforceable_title = models.CharField(_("enforceable title"), max_length=20, blank=True)
    performance_due_on = models.DateField(_("performance period ends"), null=True, blank=True)
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    closed_reason = models.CharField(_("closing reason"), max_length=300, blank=True)

    # Head of this case's hash-chained event log (see CaseEvent).
    event_seq = models.PositiveIntegerField(default=0)
    event_head = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "external_ref"], name="case_external_ref_unique"),
            models.UniqueConstraint(fields=["code"], name="case_code_unique"),
        ]
        indexes = [
            models.Index(fields=["stage"], name="case_stage_idx"),
            models.Index(fields=["centre", "stage"]),
            models.Index(fields=["creditor", "stage"]),
            models.Index(fields=["mediator", "stage"]),
            models.Index(fields=["committee", "stage"]),
            models.Index(fields=["court", "stage"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    # --- transitions: verbs that change state and stamp fields; services call them ---

    @transition(
        field=stage,
        source=S.RECEIVED,
        target=S.TRIAGED,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, ADMIN),
        custom={"label": E.TRIAGE.label},
    )
    def triage(self, *, colour: str = "", track: str = "") -> None:
        if colour:
            self.colour = colour
        if track:
            self.track = track

    @transition(
        field=stage,
        source=S.TRIAGED,
        target=S.IN_MEDIATION,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, ADMIN, MEDIATOR),
        custom={"label": E.START_MEDIATION.label},
    )
    def start_mediation(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.IN_MEDIATION,
        target=S.COURT_MEDIATION,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, ADMIN, MEDIATOR),
        custom={"label": E.ESCALATE_TO_COURT.label, "needs_reason": True},
    )
    def escalate_to_court(self) -> None:
        pass

    @transition(
        field=stage,
        source=[S.IN_MEDIATION, S.COURT_MEDIATION],
        target=S.SETTLED,
        conditions=[no_active_hold],
        # The platform records it when the last signing step (debtor, creditor, mediator, seal) is done.
        permission=roles_allowed(SYSTEM, MEDIATOR),
        custom={"label": E.SETTLE.label},
    )
    def settle(self, *, effective_on: Any = None) -> None:
        self.settlement_effective_on = effective_on or timezone.localdate()

    @transition(
        field=stage,
        source=S.SETTLED,
        target=S.CONFIRMATION_REQUESTED,
        conditions=[no_active_hold, has_settlement, confirmation_window_open, both_parties_apply],
        permission=roles_allowed(MEDIATOR, CLERK, JUDGE),
        custom={"label": E.REQUEST_CONFIRMATION.label},
    )
    def request_confirmation(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.CONFIRMATION_REQUESTED,
        target=S.CONFIRMED,
        conditions=[no_active_hold],
        permission=roles_allowed(JUDGE),
        custom={"label": E.CONFIRM.label},
    )
    def confirm(self) -> None:
        self.enforceable_title = "confirmation"

    @transition(
        field=stage,
        source=S.CONFIRMATION_REQUESTED,
        target=S.COURT_MEDIATION,
        conditions=[no_active_hold],
        permission=roles_allowed(JUDGE),
        custom={"label": E.REJECT_CONFIRMATION.label, "needs_reason": True},
    )
    def reject_confirmation(self) -> None:
        self.settlement_effective_on = None
        self.confirmation_consent_debtor_at = self.confirmation_consent_creditor_at = None

    @transition(
        field=stage,
        source=S.SETTLED,
        target=S.PERFORMING,
        conditions=[no_active_hold, has_settlement, peoples_mediation_small_claim],
        permission=roles_allowed(CREDITOR),
        custom={"label": E.PERFORM_WITHOUT_CONFIRMATION.label},
    )
    def perform_without_confirmation(self) -> None:
        pass

    @transition(
        field=stage,
        source=[S.CONFIRMED, S.ENFORCEABLE],
        target=S.PERFORMING,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, CREDITOR, JUDGE, CLERK),
        custom={"label": E.BEGIN_PERFORMANCE.label},
    )
    def begin_performance(self, *, performance_due_on: Any = None) -> None:
        if performance_due_on:
            self.performance_due_on = performance_due_on

    @transition(
        field=stage,
        source=S.COURT_MEDIATION,
        target=S.PAYMENT_ORDER,
        conditions=[no_active_hold, legality_findings_decided],
        permission=roles_allowed(CREDITOR, CLERK, JUDGE),
        custom={"label": E.APPLY_PAYMENT_ORDER.label},
    )
    def apply_payment_order(self) -> None:
        pass

    @transition(
        field=stage,
        source=[S.COURT_MEDIATION, S.PAYMENT_ORDER],
        target=S.IN_LITIGATION,
        conditions=[no_active_hold, legality_findings_decided],
        permission=roles_allowed(SYSTEM, CREDITOR, CLERK, JUDGE),
        custom={"label": E.FILE_SUIT.label},
    )
    def file_suit(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.PAYMENT_ORDER,
        target=S.ENFORCEABLE,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, JUDGE, CLERK),
        custom={"label": E.ORDER_EFFECTIVE.label},
    )
    def order_effective(self) -> None:
        self.enforceable_title = "payment_order"

    @transition(
        field=stage,
        source=S.PAYMENT_ORDER,
        target=S.COURT_MEDIATION,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, JUDGE, CLERK),
        custom={"label": E.ORDER_LAPSE.label, "needs_reason": True},
    )
    def order_lapse(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.ENFORCEABLE,
        target=S.PAYMENT_ORDER,
        permission=roles_allowed(SYSTEM, JUDGE, CLERK),
        custom={"label": E.ORDER_EFFECT_UNDONE.label},
    )
    def order_effect_undone(self) -> None:
        # CPL 85¶4: an objection posted in time undoes the effect the window's close gave the order.
        self.enforceable_title = ""

    @transition(
        field=stage,
        source=S.IN_LITIGATION,
        target=S.ENFORCEABLE,
        conditions=[no_active_hold],
        permission=roles_allowed(JUDGE, CLERK),
        custom={"label": E.JUDGMENT_EFFECTIVE.label},
    )
    def judgment_effective(self, *, performance_due_on: Any = None) -> None:
        self.enforceable_title = "judgment"
        if performance_due_on:
            self.performance_due_on = performance_due_on

    @transition(
        field=stage,
        source=[S.ENFORCEABLE, S.PERFORMING],
        target=S.IN_ENFORCEMENT,
        conditions=[no_active_hold, has_enforceable_title],
        permission=roles_allowed(CREDITOR, CLERK, JUDGE),
        custom={"label": E.APPLY_ENFORCEMENT.label},
    )
    def apply_enforcement(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.IN_ENFORCEMENT,
        target=S.ENFORCEMENT_SUSPENDED,
        conditions=[no_active_hold],
        permission=roles_allowed(JUDGE),
        custom={"label": E.SUSPEND_ENFORCEMENT.label, "needs_reason": True},
    )
    def suspend_enforcement(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.ENFORCEMENT_SUSPENDED,
        target=S.IN_ENFORCEMENT,
        conditions=[no_active_hold],
        permission=roles_allowed(JUDGE, CLERK, CREDITOR),
        custom={"label": E.RESUME_ENFORCEMENT.label},
    )
    def resume_enforcement(self) -> None:
        pass

    @transition(
        field=stage,
        source=OPEN_STAGES,
        target=S.PERFORMED,
        permission=roles_allowed(SYSTEM, CREDITOR, JUDGE, CLERK),
        custom={"label": E.RECORD_FULL_PERFORMANCE.label},
    )
    def record_full_performance(self, *, performed_on: Any = None) -> None:
        self.performed_on = performed_on or timezone.localdate()

    @transition(
        field=stage,
        source=S.PERFORMED,
        target=S.CREDIT_REPAIR,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, ADMIN, JUDGE, CLERK),
        custom={"label": E.START_CREDIT_REPAIR.label},
    )
    def start_credit_repair(self) -> None:
        pass

    @transition(
        field=stage,
        source=S.CREDIT_REPAIR,
        target=S.CLOSED,
        conditions=[no_active_hold],
        permission=roles_allowed(SYSTEM, ADMIN, JUDGE, CLERK),
        custom={"label": E.CLOSE.label},
    )
    def close(self) -> None:
        self.closed_reason = "repaired"

    @transition(
        field=stage,
        source=OPEN_STAGES,
        target=S.CLOSED,
        conditions=[no_active_hold],
        permission=roles_allowed(ADMIN, JUDGE),
        custom={"label": E.CLOSE_INVALID.label, "needs_reason": True},
    )
    def close_invalid(self, *, reason: str = "") -> None:
        self.closed_reason = reason[:300]

    @transition(
        field=stage,
        source=OPEN_STAGES,
        target=S.WITHDRAWN,
        permission=roles_allowed(CREDITOR, ADMIN),
        custom={"label": E.WITHDRAW.label, "needs_reason": True},
    )
    def withdraw(self, *, reason: str = "") -> None:
        self.closed_reason = reason[:300]


class CaseEvent(models.Model):
    """Append-only, hash-chained record of every transition and important action on a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    action = models.CharField(_("action"), max_length=40, choices=EventAction.choices)
    from_stage = models.CharField(_("from"), max_length=32, blank=True)
    to_stage = models.CharField(_("to"), max_length=32, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_role = models.CharField(_("role"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"))
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]
        ordering = ["case_id", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("case events are append-only")


class Hold(TimeStampedModel):
    """Pauses a case's deadlines and actions wherever it stands; lifting resumes them."""

    class Kind(models.TextChoices):
        OBJECTION = "objection", _("Objection under review")
        HARDSHIP = "hardship", _("Hardship relief")
        DEATH = "death", _("Death of the debtor")
        IDENTITY_THEFT = "identity_theft", _("Suspected identity theft")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["case"], condition=Q(lifted_at__isnull=True), name="hold_active_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case_id})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Deadline(TimeStampedModel):
    """A time limit on a case, with its due date computed from DOMAIN.md's rules (cases.deadlines)."""

    class Kind(models.TextChoices):
        MEDIATION_WINDOW = "mediation_window", _("Mediation window")
        CONFIRMATION_APPLICATION = "confirmation_application", _("Apply for judicial confirmation")
        CONFIRMATION_DECISION = "confirmation_decision", _("Decide on confirmation")
        PAYMENT_ORDER_ACCEPTANCE = "payment_order_acceptance", _("Accept payment-order application")
        PAYMENT_ORDER_ISSUANCE = "payment_order_issuance", _("Issue payment order")
        PAYMENT_ORDER_SERVICE = "payment_order_service", _("Serve payment order")
        PAYMENT_ORDER_OBJECTION = "payment_order_objection", _("Payment-order objection window")
        SUIT_DECLINE = "suit_decline", _("Creditor may decline the suit")
        ENFORCEMENT_APPLICATION = "enforcement_application", _("Apply for enforcement")
        ENFORCEMENT_COMPLETION = "enforcement_completion", _("Complete enforcement")
        ENFORCEMENT_RECHECK = "enforcement_recheck", _("Re-check suspended enforcement")
        RECORD_REMOVAL = "record_removal", _("Remove from the dishonest list")
        CREDIT_OBJECTION_ANSWER = "credit_objection_answer", _("Answer credit-record objection")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    class ReviewReason(models.TextChoices):
        CALENDAR_UNCONFIRMED = (
            "calendar_unconfirmed",
            _(
                "The period runs into a year whose official holiday schedule is not confirmed: a person "
                "confirms the last day before any consequence applies."
            ),
        )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    calendar_warning = models.BooleanField(
        _("calendar uncertain"),
        default=False,
        help_text=_("The period crosses a year without official holiday data: weekends only were counted."),
    )
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    held_days = models.PositiveIntegerField(_("days held"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # DOMAIN.md "unconfirmed year": no automatic consequence; the limit waits in a person's queue.
    needs_review = models.BooleanField(_("awaits a person"), default=False, db_index=True)
    review_reason = models.CharField(
        _("why a person decides"), max_length=32, choices=ReviewReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["case", "status"]),
        ]
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    def days_left(self, today: Any = None) -> int:
        return deadline_days_left(self.due_on, today)


def deadline_days_left(due_on: Any, today: Any = None) -> int:
    """The one count of days left that every page shows: calendar days from today (Beijing) to the last day,
    0 on the last day itself, negative once it has passed. A period of N days opened today shows N, unless
    its last day fell on a day off and moved to the next working day (CPL 85), or the parties extended it."""
    return int((due_on - (today or timezone.localdate())).days)


class CaseNotification(models.Model):
    """A staff member's in-app message that a case they follow changed stage."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_event")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.case}"


# Reasons a case is closed that the platform writes itself (a person's reason is shown as written).
CLOSED_REASONS = {"repaired": _("Closed after credit repair")}


def closed_reason_label(reason: str) -> str:
    return str(CLOSED_REASONS[reason]) if reason in CLOSED_REASONS else reason


# Reasons the platform writes on events itself (how a consent was given); a person's reason shows as written.
EVENT_REASONS = {
    "at signing": _("given at signing"),
    "with the signature": _("given with the signature"),
    "creditor pages": _("given in the creditor pages"),
    "API": _("given through the API"),
}


def event_reason_label(reason: str) -> str:
    """A reason the platform wrote itself, in the reader's language; a person's reason as they wrote it (the
    catalogue has no entry for it, so gettext returns it unchanged)."""
    if reason in EVENT_REASONS:
        return str(EVENT_REASONS[reason])
    return gettext(reason) if reason else reason


def event_action_label(code: str) -> str:
    """The label of an event's action as the case history shows it (transitions read as their buttons)."""
    return str(EventAction(code).label) if code in EventAction.values else code


def _legality_evidence_storage() -> Any:
    """Private storage for evidence answering a finding: served only by a view that checks the reader."""
    from django.core.files.storage import FileSystemStorage

    class _Private(FileSystemStorage):
        @property  # type: ignore[override]
        def base_location(self) -> str:
            return str(settings.PRIVATE_STORAGE_ROOT)

        @property  # type: ignore[override]
        def location(self) -> str:
            import os

            return os.path.abspath(self.base_location)

    return _Private(base_url=None)


class ClaimHistory(models.Model):
    """What the batch file says happened to a claim before it came in (BATCH_FORMAT.md, optional columns).

    The dates that restart limitation (Civil Code 195) and the chain of assignment; one row per case that has
    any of them, written with the batch in one set-based insert."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="history")
    last_demand_on = models.DateField(_("last demand"), null=True, blank=True)
    acknowledged_on = models.DateField(_("debt acknowledged on"), null=True, blank=True)
    last_payment_on = models.DateField(_("last part payment"), null=True, blank=True)
    original_creditor = models.CharField(_("original creditor"), max_length=120, blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    assignment_ref = models.CharField(_("assignment agreement number"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("claim history")
        verbose_name_plural = _("claim histories")

    def __str__(self) -> str:
        return str(self.case_id)


class Finding(models.Model):
    """One rule of the legality screen (cases.legality) that a case breaks: its creditor may answer with
    evidence, a judge decides. Open or answered blocking findings stop a payment order or a suit."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting the creditor's answer")
        ANSWERED = "answered", _("answered by the creditor")
        UPHELD = "upheld", _("upheld by the judge")
        DISMISSED = "dismissed", _("dismissed by the judge")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    rule = models.CharField(_("rule"), max_length=40)
    blocking = models.BooleanField(_("blocks a payment order or suit"), default=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    found_on = models.DateField(_("found on"))
    answer = models.TextField(_("creditor's answer"), blank=True)
    evidence = models.FileField(
        _("evidence"), storage=_legality_evidence_storage, upload_to="legality_evidence/", blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decision_note = models.TextField(_("judge's decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legality finding")
        verbose_name_plural = _("legality findings")
        constraints = [models.UniqueConstraint(fields=["case", "rule"], name="finding_once_per_rule")]
        indexes = [models.Index(fields=["batch", "rule"]), models.Index(fields=["case", "status"])]
        ordering = ["case_id", "rule"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.rule}"

    @property
    def decided(self) -> bool:
        return self.status in (self.Status.UPHELD, self.Status.DISMISSED)
