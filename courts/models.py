"""Court work on a case: filing numbers, confirmation decisions, payment orders, suits and enforcement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.models import Organisation, TimeStampedModel


class FilingType(models.TextChoices):
    """Case-type characters in a court's case number, e.g. (2026)闽0502民督123号."""

    CONFIRMATION = "民特", _("Judicial confirmation (民特)")
    PAYMENT_ORDER = "民督", _("Payment order (民督)")
    SUIT = "民初", _("First-instance suit (民初)")
    ENFORCEMENT = "执", _("Enforcement (执)")


class CaseNumberSequence(models.Model):
    """The last number given per court, year and type: numbers are unique and consecutive."""

    court = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    filing_type = models.CharField(max_length=4, choices=FilingType.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["court", "year", "filing_type"], name="case_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.court_id} {self.year} {self.filing_type} {self.last}"


class Filing(TimeStampedModel):
    """A case as filed in a court under one of its numbers."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="filings")
    court = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filing_type = models.CharField(_("type"), max_length=4, choices=FilingType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("number"))
    number = models.CharField(_("case number"), max_length=40, unique=True)
    filed_on = models.DateField(_("filed on"))
    # The elements of the court's document on this number that a judge fills, not the data: who signs it
    # and the judge's own reasons beyond the standard ones.
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("judge"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("court clerk"),
    )
    reasons_extra = models.TextField(_("the judge's own reasons"), blank=True)

    class Meta:
        verbose_name = _("court filing")
        verbose_name_plural = _("court filings")
        constraints = [
            models.UniqueConstraint(
                fields=["court", "year", "filing_type", "seq"], name="filing_number_unique"
            )
        ]
        ordering = ["-filed_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class RefusalGround(models.TextChoices):
    """Interp. 358: grounds on which a settlement is not confirmed."""

    MANDATORY_LAW = "mandatory_law", _("Breaches a mandatory provision of law")
    PUBLIC_INTEREST = "public_interest", _("Harms the interest of the state, the public or a third party")
    PUBLIC_ORDER = "public_order", _("Against public order and good morals")
    NOT_VOLUNTARY = "not_voluntary", _("Not the parties' free will")
    UNCLEAR = "unclear", _("Content unclear, cannot be enforced")


class ConfirmationDecision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="confirmation_decisions")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField(_("confirmed"))
    ground = models.CharField(_("refusal ground"), max_length=20, choices=RefusalGround.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    next_step = models.CharField(
        _("after refusal"),
        max_length=12,
        blank=True,
        choices=[("mediation", _("Back to mediation")), ("suit", _("On to suit"))],
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))
    ruling_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("confirmation decision")
        verbose_name_plural = _("confirmation decisions")

    def __str__(self) -> str:
        return f"{self.filing} {'✔' if self.confirmed else '✘'}"


class PaymentOrder(TimeStampedModel):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        ACCEPTED = "accepted", _("Accepted")
        ISSUED = "issued", _("Issued")
        SERVED = "served", _("Served")
        OBJECTED = "objected", _("Objection upheld: order lapsed")
        EFFECTIVE = "effective", _("Effective")
        LAPSED = "lapsed", _("Lapsed")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_orders")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    flags = models.JSONField(_("eligibility flags"), default=list, blank=True)
    amount = models.DecimalField(_("amount ordered"), max_digits=14, decimal_places=2)
    applied_on = models.DateField(_("applied on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # CPL 228; Interp. 438: the 7 days to decline the suit run from receiving the termination ruling.
    termination_ruling_received_on = models.DateField(
        _("termination ruling received on"), null=True, blank=True
    )
    document_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["-applied_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class PaymentOrderObjection(models.Model):
    """A debtor's objection to a payment order: only written, in time, and not merely about ability to pay."""

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="objections")
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    filed_on = models.DateField(_("filed on"))
    # CPL 85¶4: time in the post does not count; timeliness is decided by the posting date.
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    statement = models.TextField(_("statement"))
    only_ability_to_pay = models.BooleanField(_("only about ability to pay"), default=False)
    valid = models.BooleanField(_("valid"))
    invalid_reason = models.CharField(_("why not valid"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment-order objection")
        verbose_name_plural = _("payment-order objections")

    def __str__(self) -> str:
        return f"{self.order_id} {self.filed_on}"


class Suit(TimeStampedModel):
    class Procedure(models.TextChoices):
        SMALL_CLAIMS = "small_claims", _("Small claims")
        SUMMARY = "summary", _("Summary procedure")
        ORDINARY = "ordinary", _("Ordinary procedure")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suits")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="+")
    procedure = models.CharField(_("procedure"), max_length=14, choices=Procedure.choices)
    # CPL 165: above the threshold, up to 2 x the wage, small claims only if both parties agree.
    parties_agreed_small_claims = models.BooleanField(_("both parties agreed to small claims"), default=False)
    filed_on = models.DateField(_("filed on"))
    decide_by = models.DateField(_("to be decided by"))
    hearing_at = models.DateTimeField(_("hearing"), null=True, blank=True)
    judgment_on = models.DateField(_("judgment on"), null=True, blank=True)
    judgment_amount = models.DecimalField(
        _("amount awarded"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    performance_due_on = models.DateField(_("performance period ends"), null=True, blank=True)
    judgment_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("suit")
        verbose_name_plural = _("suits")

    def __str__(self) -> str:
        return f"{self.filing}"


class Enforcement(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enforcements")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField(_("applied on"))
    amount = models.DecimalField(_("amount to enforce"), max_digits=14, decimal_places=2)
    performance_due_on = models.DateField(_("performance period ended"), null=True, blank=True)
    dishonest_listed_on = models.DateField(_("put on the dishonest list on"), null=True, blank=True)
    dishonest_grounds = models.CharField(_("listing grounds"), max_length=200, blank=True)
    dishonest_removed_on = models.DateField(_("removed from the list on"), null=True, blank=True)
    consumption_restricted = models.BooleanField(_("consumption restricted"), default=False)
    suspended_on = models.DateField(_("current round terminated on (终本)"), null=True, blank=True)

    class Meta:
        verbose_name = _("enforcement")
        verbose_name_plural = _("enforcements")

    def __str__(self) -> str:
        return f"{self.filing}"


class EnforcementMeasure(models.Model):
    class Kind(models.TextChoices):
        ASSET_SEARCH = "asset_search", _("Asset search")
        FREEZE = "freeze", _("Freeze of accounts")
        DEDUCTION = "deduction", _("Deduction or transfer")
        SEIZURE = "seizure", _("Seizure")
        CONSUMPTION_BAN = "consumption_ban", _("Restriction on high consumption")
        OTHER = "other", _("Other")

    enforcement = models.ForeignKey(Enforcement, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    amount_received = models.DecimalField(_("amount received"), max_digits=14, decimal_places=2, default=0)
    taken_on = models.DateField(_("taken on"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("enforcement measure")
        verbose_name_plural = _("enforcement measures")
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_on}"
