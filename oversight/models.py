"""Judicial suggestions to creditors, group-risk flags, and the per-centre thresholds of both.

The tables keep the names they had in the dashboards app (db_table): the models moved, the data did not.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.models import Centre, Organisation, TimeStampedModel
from notices.storage import private_storage

# --- settings -------------------------------------------------------------------------------------------


class RuleSettings(models.Model):
    """A centre's thresholds for judicial suggestions and group-risk detection (defaults below)."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="dashboard_rules")
    window_days = models.PositiveSmallIntegerField(_("cases received in the last (days)"), default=365)
    min_cases = models.PositiveIntegerField(
        _("smallest sample for a share"),
        default=20,
        help_text=_("A share is judged only over this many cases."),
    )
    undeliverable_share = models.DecimalField(
        _("undeliverable notices: share"), max_digits=4, decimal_places=3, default=Decimal("0.200")
    )
    wrong_phone_share = models.DecimalField(
        _("wrong or unreachable phones: share"), max_digits=4, decimal_places=3, default=Decimal("0.200")
    )
    no_service_address_share = models.DecimalField(
        _("no service address nor consent: share"), max_digits=4, decimal_places=3, default=Decimal("0.100")
    )
    charges_ratio = models.DecimalField(
        _("(interest + fees) / principal above"), max_digits=5, decimal_places=3, default=Decimal("0.500")
    )
    charges_share = models.DecimalField(
        _("cases with such charges: share"), max_digits=4, decimal_places=3, default=Decimal("0.050")
    )
    rate_cap_cases = models.PositiveIntegerField(_("cases above 4x LPR (non-licensed lenders)"), default=1)
    upheld_objections = models.PositiveIntegerField(_("upheld objections on one ground"), default=5)
    quiet_hour_contacts = models.PositiveIntegerField(_("contacts in the quiet hours"), default=3)
    examples = models.PositiveSmallIntegerField(_("example cases per finding"), default=5)
    answer_days = models.PositiveSmallIntegerField(_("days for the creditor to answer"), default=30)
    district_debtors = models.PositiveIntegerField(
        _("group risk: debtors of one creditor in one district"), default=30
    )
    launch_cases = models.PositiveIntegerField(
        _("group risk: cases of one product overdue in the same month"), default=50
    )

    class Meta:
        db_table = "dashboards_rulesettings"
        verbose_name = _("suggestion and group-risk thresholds")
        verbose_name_plural = _("suggestion and group-risk thresholds")

    def __str__(self) -> str:
        return str(self.centre)


class LprRate(models.Model):
    """The one-year loan prime rate from a date on, per centre (SPC private lending rules 2020, 25-29)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="lpr_rates")
    effective_from = models.DateField(_("effective from"))
    one_year_rate = models.DecimalField(_("one-year LPR (%)"), max_digits=5, decimal_places=3)

    class Meta:
        db_table = "dashboards_lprrate"
        verbose_name = _("one-year LPR")
        verbose_name_plural = _("one-year LPR")
        ordering = ["centre", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["centre", "effective_from"], name="lpr_rate_unique")]

    def __str__(self) -> str:
        return f"{self.effective_from} {self.one_year_rate}%"


class LenderStatus(models.Model):
    """Whether a creditor is a licensed financial institution (the private-lending cap does not bind it)."""

    creditor = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="lender_status",
        limit_choices_to={"kind": "creditor"},
    )
    licensed = models.BooleanField(_("licensed financial institution"), default=True)

    class Meta:
        db_table = "dashboards_lenderstatus"
        verbose_name = _("lender status")
        verbose_name_plural = _("lender statuses")

    def __str__(self) -> str:
        return f"{self.creditor} {'licensed' if self.licensed else 'not licensed'}"


# --- judicial suggestions -------------------------------------------------------------------------------


class JudicialSuggestion(TimeStampedModel):
    """A letter (司法建议) telling a creditor what its cases show: drafted by rules, issued, answered."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued, awaiting the answer")
        ANSWERED = "answered", _("Answered")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="judicial_suggestions")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="judicial_suggestions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text of the letter"))
    body_edited = models.BooleanField(default=False)
    # [{"code", "title", "figures": [[label, value], ...], "examples": [case code, ...], "advice"}]
    findings = models.JSONField(_("findings"), default=list)
    cases_from = models.DateField(_("cases received from"))
    cases_to = models.DateField(_("cases received until"))
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    answer_due_on = models.DateField(_("answer due on"), null=True, blank=True)
    pdf = models.FileField(_("letter (PDF)"), storage=private_storage, upload_to="suggestions/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(
        _("attachment"), storage=private_storage, upload_to="suggestion_answers/", blank=True
    )
    answer_file_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        db_table = "dashboards_judicialsuggestion"
        verbose_name = _("judicial suggestion")
        verbose_name_plural = _("judicial suggestions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor"], condition=Q(status="draft"), name="suggestion_one_draft_per_creditor"
            ),
            models.UniqueConstraint(fields=["centre", "year", "seq"], name="suggestion_number_unique"),
        ]
        indexes = [models.Index(fields=["centre", "status"]), models.Index(fields=["creditor", "status"])]

    def __str__(self) -> str:
        return f"{self.creditor} {self.number or self.get_status_display()}"

    @property
    def number(self) -> str:
        return f"〔{self.year}〕第{self.seq}号" if self.seq else ""

    def is_overdue(self, today: date | None = None) -> bool:
        return (
            self.status == self.Status.ISSUED
            and self.answer_due_on is not None
            and self.answer_due_on < (today or timezone.localdate())
        )


# --- group risk -----------------------------------------------------------------------------------------


class GroupRiskFlag(TimeStampedModel):
    """A cluster of one creditor's open cases that may be a group dispute (群体性风险), for the centre."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("Many debtors in one district")
        PRODUCT_LAUNCH = "product_launch", _("One product overdue in the same month")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        APPLIED = "applied", _("Cases marked red")
        DISMISSED = "dismissed", _("Dismissed")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="group_risk_flags")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The district's 6-digit code, or "product:YYYY-MM" of the month the debts fell overdue.
    key = models.CharField(_("cluster"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    case_count = models.PositiveIntegerField(_("cases"))
    debtor_count = models.PositiveIntegerField(_("debtors"))
    claimed = models.DecimalField(_("claimed"), max_digits=18, decimal_places=2)
    cases = models.ManyToManyField(Case, related_name="group_risk_flags", blank=True)
    detected_at = models.DateTimeField(_("detected at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        db_table = "dashboards_groupriskflag"
        verbose_name = _("group-risk flag")
        verbose_name_plural = _("group-risk flags")
        ordering = ["status", "-case_count", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "kind", "key"], name="group_risk_flag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.creditor} {self.kind} {self.key}"


def centre_lpr_rows(centre_id: int) -> list[tuple[date, Decimal]]:
    """A centre's own dated one-year LPR rows, laid over the official table by cases.lpr."""
    return list(LprRate.objects.filter(centre_id=centre_id).values_list("effective_from", "one_year_rate"))
