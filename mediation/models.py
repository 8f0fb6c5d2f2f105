"""Triage rules, assignment history, contact attempts, mediation sessions and settlements."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Colour, Debtor, Hold, Track
from core.fields import EncryptedTextField
from core.models import Centre, Organisation, TimeStampedModel


class TriageRuleSet(TimeStampedModel):
    """One version of a centre's triage rules; an edit makes a new version and the old ones stay."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="triage_rulesets")
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("triage rule set")
        verbose_name_plural = _("triage rule sets")
        constraints = [models.UniqueConstraint(fields=["centre", "version"], name="triage_ruleset_version")]
        ordering = ["centre", "-version"]

    def __str__(self) -> str:
        return f"{self.centre} v{self.version}"


class TriageRule(models.Model):
    """If every condition holds, the case gets at least this colour (and this track, when set)."""

    class Field(models.TextChoices):
        AMOUNT = "amount", _("Claimed total (yuan)")
        PRODUCT = "product", _("Product")
        OVERDUE_DAYS = "overdue_days", _("Days overdue")
        OTHER_CASES = "other_cases", _("Debtor's other cases at the centre")
        E_SERVICE_CONSENT = "e_service_consent", _("Consents to electronic service")
        REGION = "region", _("Debtor's region code (prefix)")
        HARDSHIP = "hardship", _("Debtor stated hardship")

    class Op(models.TextChoices):
        LT = "lt", "<"
        LTE = "lte", "≤"
        GT = "gt", ">"
        GTE = "gte", "≥"
        EQ = "eq", "="
        IN = "in", _("one of")
        PREFIX = "prefix", _("starts with")

    ruleset = models.ForeignKey(TriageRuleSet, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=80)
    conditions = models.JSONField(
        _("conditions"), default=list, help_text=_('A list of {"field": ..., "op": ..., "value": ...}')
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices, blank=True)
    staff_reason = models.CharField(_("reason shown to staff"), max_length=200)
    debtor_reason = models.CharField(_("reason in plain words for the debtor"), max_length=200)
    # The same texts in English (the plain fields hold the Chinese, the default language); empty: the
    # plain text is shown, translated when it is one of the platform's own (the default rules).
    name_en = models.CharField(_("name in English"), max_length=80, blank=True)
    staff_reason_en = models.CharField(_("reason shown to staff, in English"), max_length=200, blank=True)
    debtor_reason_en = models.CharField(_("reason for the debtor, in English"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")
        ordering = ["ruleset", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    def in_language(self, field: str) -> str:
        """One of the rule's texts (name, staff_reason, debtor_reason) in the reader's language."""
        from django.utils import translation

        english, text = getattr(self, f"{field}_en"), getattr(self, field)
        if english and (translation.get_language() or "").startswith("en"):
            return str(english)
        return translation.gettext(text) if text else ""

    @property
    def name_shown(self) -> str:
        return self.in_language("name")

    @property
    def staff_reason_shown(self) -> str:
        return self.in_language("staff_reason")

    @property
    def debtor_reason_shown(self) -> str:
        return self.in_language("debtor_reason")


class TriageResult(models.Model):
    """What triage decided for a case and why, under which rule version."""

    # Looked up by case through the (case, -created_at) index below; a second one would only slow the import.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_results", db_index=False)
    ruleset = models.ForeignKey(TriageRuleSet, on_delete=models.PROTECT, null=True, blank=True)
    version = models.PositiveIntegerField(_("rule version"), default=0)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    track = models.CharField(_("track"), max_length=8, choices=Track.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("triage result")
        verbose_name_plural = _("triage results")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.colour}/{self.track} v{self.version}"


class Assignment(models.Model):
    """Who a case was given to, when and by whom: reassignment keeps the history."""

    # History is read by case only; an index per person column would cost every batch's 100,000 assignments
    # four more index entries each (users and committees are deactivated, not deleted).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    committee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    previous_mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    how = models.CharField(
        _("how"), max_length=10, choices=[("auto", _("Automatic")), ("manual", _("By hand"))]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.mediator_id}"


class ContactAttempt(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("SMS")
        VIDEO = "video", _("Video call")
        VISIT = "visit", _("Visit")
        WECHAT = "wechat", _("WeChat")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the debtor")
        NO_ANSWER = "no_answer", _("No answer")
        REFUSED = "refused", _("Refused mediation")
        PROMISED = "promised", _("Promised to pay or to talk")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        UNREACHABLE = "unreachable", _("Unreachable")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    at = models.DateTimeField(_("time of contact"))
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    unreachable_reason = models.CharField(_("why unreachable"), max_length=200, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    next_contact_on = models.DateField(_("next contact due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-at"]
        indexes = [models.Index(fields=["phone_hash", "at"]), models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"


class LateContactConsent(models.Model):
    """The debtor agreed to be contacted in the quiet hours (22:00-08:00), recorded by a mediator."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="late_contact_consent")
    note = models.CharField(_("how consent was given"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("late-contact consent")
        verbose_name_plural = _("late-contact consents")

    def __str__(self) -> str:
        return f"{self.case_id}"


class MediationSession(TimeStampedModel):
    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        PHONE = "phone", pgettext_lazy("mediation session kind", "Phone")
        VIDEO = "video", _("Video")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Debtor did not attend")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_sessions")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    meeting_link = models.URLField(_("meeting link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    record = models.TextField(_("record of the session"), blank=True)
    parties_notified_at = models.DateTimeField(_("parties notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["scheduled_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.scheduled_at:%Y-%m-%d %H:%M}"


class Settlement(TimeStampedModel):
    """A repayment agreement drafted by the mediator (PML 29¶2): effective when the debtor and the creditor
    have signed, the mediator has signed AND the committee's seal is applied, on the last of these."""

    class Kind(models.TextChoices):
        LUMP_SUM = "lump_sum", _("Lump sum")
        INSTALMENTS = "instalments", _("Instalments")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_DEBTOR = "awaiting_debtor", _("Awaiting the debtor's acceptance")
        AWAITING_MEDIATOR = "awaiting_mediator", _("Awaiting the mediator's signature")
        AWAITING_CREDITOR = "awaiting_creditor", _("Awaiting the creditor's signature")
        AWAITING_SEAL = "awaiting_seal", _("Awaiting the committee's seal")
        EFFECTIVE = "effective", _("Effective")
        VOID = "void", _("Void")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    total = models.DecimalField(_("agreed total"), max_digits=14, decimal_places=2)
    waived_interest = models.DecimalField(_("interest waived"), max_digits=14, decimal_places=2, default=0)
    waived_fees = models.DecimalField(_("fees waived"), max_digits=14, decimal_places=2, default=0)
    terms = models.TextField(_("other terms"), blank=True)
    status = models.CharField(_("status"), max_length=18, choices=Status.choices, default=Status.DRAFT)
    document_sha256 = models.CharField(_("agreement SHA-256"), max_length=64, blank=True)
    debtor_accepted_at = models.DateTimeField(_("debtor accepted at"), null=True, blank=True)
    debtor_accept_ip = models.GenericIPAddressField(_("debtor's IP address"), null=True, blank=True)
    mediator_signed_at = models.DateTimeField(_("mediator signed at"), null=True, blank=True)
    creditor_signed_at = models.DateTimeField(_("creditor signed at"), null=True, blank=True)
    creditor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A settlement below the claim waives interest or fees: the creditor's consent, with who and when.
    waiver_consented_at = models.DateTimeField(
        _("creditor consented to the waiver at"), null=True, blank=True
    )
    waiver_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed_at = models.DateTimeField(_("committee seal applied at"), null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.total}"

    @property
    def waives(self) -> bool:
        """The agreement gives up part of the claim: interest or fees waived, or a total below the claim."""
        return bool(self.waived_interest or self.waived_fees) or self.total < self.case.claimed_total

    @property
    def instalment_total(self) -> Decimal:
        return sum((i.amount for i in self.instalments.all()), Decimal("0.00"))


class Instalment(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["settlement", "seq"]
        constraints = [models.UniqueConstraint(fields=["settlement", "seq"], name="instalment_seq_unique")]

    def __str__(self) -> str:
        return f"{self.seq}: {self.amount} on {self.due_on}"


class MediationRefusal(models.Model):
    """A debtor's express refusal of mediation (PML 17; Online Mediation Rules 25): mediation ends on the
    case and no further mediation contact is made."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mediation_refusal")
    how = models.CharField(_("how the refusal was expressed"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("refused at"))

    class Meta:
        verbose_name = _("mediation refusal")
        verbose_name_plural = _("mediation refusals")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class MediationExtension(models.Model):
    """An extension of the mediation period by so many days, effective when every party consents
    (Online Mediation Rules 24): each consent recorded, then the window's last day moves."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_extensions")
    days = models.PositiveSmallIntegerField(_("days"))
    debtor_consented_at = models.DateTimeField(_("debtor consented at"), null=True, blank=True)
    debtor_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creditor_consented_at = models.DateTimeField(_("creditor consented at"), null=True, blank=True)
    creditor_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    new_due_on = models.DateField(_("new last day"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation extension")
        verbose_name_plural = _("mediation extensions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class NextContact(models.Model):
    """When the mediator plans to contact the debtor next: set by a contact log or in bulk from the queue."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="next_contact")
    due_on = models.DateField(_("next contact due"), db_index=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("next contact")
        verbose_name_plural = _("next contacts")

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_on}"


# --- the debtor's side: objections, evidence, proposals, hardship relief, coming forward ----------------


class Objection(TimeStampedModel):
    """A debtor's objection (异议申诉) to a claim: a hold while it is reviewed, then a reasoned decision."""

    class Ground(models.TextChoices):
        NOT_MY_DEBT = "not_my_debt", _("Not my debt (identity theft)")
        AMOUNT_WRONG = "amount_wrong", _("The amount is wrong")
        ALREADY_PAID = "already_paid", _("Already paid")
        TIME_BARRED = "time_barred", _("Time-barred")
        OTHER = "other", _("Other")
        # Interp. 436: admits the debt; recorded for the judge, never ends a payment order.
        CANNOT_PAY_NOW = "cannot_pay_now", _("I owe it but cannot pay now, need time or want instalments")

    class Status(models.TextChoices):
        UNDER_REVIEW = "under_review", _("Under review")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")
        # About ability to pay, not the debt: handled as a repayment plan or hardship relief.
        TO_PLAN = "to_plan", _("Sent to the repayment plan and hardship relief")

    class Outcome(models.TextChoices):
        NONE = "", _("No change to the case")
        CORRECTED = "corrected", _("Amounts corrected")
        CLOSED = "closed", _("Case closed as an invalid claim")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="objections")
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    statement = models.TextField(_("statement"), max_length=3000)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.UNDER_REVIEW)
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment_order_objection = models.ForeignKey(
        "courts.PaymentOrderObjection", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(_("filed from IP"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    corrected_amounts = models.JSONField(_("amounts before and after"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Triage: an objection on the merits goes to one person, to decide within so many working days.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    review_due_on = models.DateField(_("decision due on"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.ground} {self.status}"


class HardshipRequest(TimeStampedModel):
    """A request for hardship relief (特殊群体救助): a hold and a flag for the mediator, then an outcome."""

    class Kind(models.TextChoices):
        SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
        DISABILITY = "disability", _("Disability")
        UNEMPLOYMENT = "unemployment", _("Unemployment")
        DISASTER = "disaster", _("Disaster")
        CARING = "caring", _("Caring for dependants")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the mediator")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        WAIVE = "waive", _("Fees or interest waived")
        LONGER_PLAN = "longer_plan", _("A longer repayment plan")
        PAUSE = "pause", _("Collection paused")
        REFUSED = "refused", _("No relief")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hardship_requests")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="hardship_requests")
    kind = models.CharField(_("situation"), max_length=16, choices=Kind.choices)
    statement = models.TextField(_("statement"), max_length=3000)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ip = models.GenericIPAddressField(_("filed from IP"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    waived_interest = models.DecimalField(
        _("interest waived"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    waived_fees = models.DecimalField(
        _("fees waived"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    plan_months = models.PositiveSmallIntegerField(_("plan length (months)"), null=True, blank=True)
    pause_until = models.DateField(_("paused until"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hardship request")
        verbose_name_plural = _("hardship requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class EvidenceFile(models.Model):
    """A file a debtor gave as evidence, stored privately; served only to the debtor and staff allowed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_files")
    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    hardship = models.ForeignKey(
        HardshipRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    # Relative to PRIVATE_STORAGE_ROOT; a random name, never the uploaded one.
    path = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.original_name}"


class Proposal(TimeStampedModel):
    """A repayment plan proposed by the debtor, or a counter-offer by the mediator, until one is accepted."""

    class Party(models.TextChoices):
        DEBTOR = "debtor", _("Debtor")
        MEDIATOR = "mediator", _("Mediator")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        WEEKLY = "weekly", _("Weekly")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        COUNTERED = "countered", _("Answered with a counter-offer")
        ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Replaced by a newer proposal")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="proposals")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counters"
    )
    party = models.CharField(_("from"), max_length=8, choices=Party.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total = models.DecimalField(_("total to pay"), max_digits=14, decimal_places=2)
    amount_now = models.DecimalField(_("amount paid now"), max_digits=14, decimal_places=2)
    instalment_count = models.PositiveSmallIntegerField(_("number of instalments"), default=0)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    first_due = models.DateField(_("first instalment due"), null=True, blank=True)
    # Statement of means: what the debtor says they can afford, for the mediator.
    monthly_income = models.DecimalField(
        _("monthly income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    dependants = models.PositiveSmallIntegerField(_("dependants"), null=True, blank=True)
    other_debts = models.DecimalField(
        _("other debts"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_note = models.TextField(_("answer"), blank=True, max_length=1000)
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    # Affordability when the plan was made: the statement it was measured against, what the debtor could
    # afford each month, what they would pay each month across all their cases at the centre, and the
    # reason recorded for a plan above what they can afford (the judge reads it when confirming).
    statement = models.ForeignKey(
        "FinancialStatement", on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    affordable_monthly = models.DecimalField(
        _("affordable each month"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_total = models.DecimalField(
        _("to pay each month, all cases"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    above_affordable_reason = models.TextField(_("why a plan above what is affordable"), blank=True)

    class Meta:
        verbose_name = _("repayment proposal")
        verbose_name_plural = _("repayment proposals")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "status"]), models.Index(fields=["status", "party"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.party} {self.total}"

    @property
    def instalment_amount(self) -> Decimal:
        """Each instalment's amount (the last takes the remainder to the fen)."""
        if not self.instalment_count:
            return Decimal("0.00")
        return ((self.total - self.amount_now) / self.instalment_count).quantize(Decimal("0.01"))


class ComeForwardRequest(TimeStampedModel):
    """A person asks to settle before being contacted: matched to their cases, or kept for the centre."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Sent to a mediator with the case")
        RECORDED = "recorded", _("Recorded for the centre")
        HANDLED = "handled", _("Handled by the centre")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="come_forward_requests")
    name = models.CharField(_("name"), max_length=50)
    id_hash = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    phone = EncryptedTextField(_("phone"))
    phone_masked = models.CharField(_("phone"), max_length=11)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    matched_case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="come_forward_requests"
    )
    matched_count = models.PositiveSmallIntegerField(_("cases found"), default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_note = models.CharField(_("what was done"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("request to settle")
        verbose_name_plural = _("requests to settle")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["centre", "status"])]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.name} {self.status}"


class FinancialStatement(models.Model):
    """A debtor's standard financial statement: household, income, essential spending by category, other
    debts. One person at one centre (the Debtor row), so one statement serves all their cases; each filing
    is a new version and the latest counts."""

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="financial_statements")
    household_size = models.PositiveSmallIntegerField(_("people in the household"), default=1)
    dependants = models.PositiveSmallIntegerField(_("dependants"), default=0)
    # [{"label": ..., "amount": "1234.00"}], monthly, yuan
    income = models.JSONField(_("monthly income"), default=list)
    # {"housing": "1200.00", ...}: the categories of affordability.CATEGORIES, monthly
    spending = models.JSONField(_("essential spending each month"), default=dict)
    # [{"label": ..., "monthly": "500.00"}]: what other debts cost each month
    other_debts = models.JSONField(_("other debts"), default=list)
    affordable_monthly = models.DecimalField(_("affordable each month"), max_digits=12, decimal_places=2)
    flagged = models.JSONField(_("categories above the reference"), default=list)
    reference_source = models.CharField(_("reference figures"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["debtor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.debtor_id} {self.created_at:%Y-%m-%d}"


class ReferenceFigure(models.Model):
    """A centre's reference for essential spending: one category, per person per month, for debtors whose
    region code starts with the prefix (empty: every region), from a date. The latest applicable wins;
    without any, the dated national default in affordability.py applies."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="reference_figures")
    region_prefix = models.CharField(_("region code prefix"), max_length=6, blank=True)
    category = models.CharField(_("category"), max_length=12)
    per_person_monthly = models.DecimalField(
        _("per person each month (yuan)"), max_digits=10, decimal_places=2
    )
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("spending reference figure")
        verbose_name_plural = _("spending reference figures")
        ordering = ["centre", "region_prefix", "category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "region_prefix", "category", "valid_from"], name="reference_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.region_prefix or '*'} {self.category} {self.valid_from}"
