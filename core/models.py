"""Tenancy (centres, organisations, memberships), the working-day calendar and the PII access log."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Centre(TimeStampedModel):
    """The top tenant: one regional dispute centre with its own courts, committees, rules and letterheads."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    # Small claims take claims up to 50% of the province's prior-year average wage of employed persons
    # (CPL 165), the latest published figure (Interp. 272). No default: a figure counts only with its year
    # and its published source, entered by the centre; until then small claims are not chosen.
    average_wage = models.DecimalField(
        _("province's average annual wage of employed persons (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    average_wage_year = models.PositiveSmallIntegerField(_("year of the wage figure"), null=True, blank=True)
    average_wage_source = models.CharField(
        _("published source of the wage figure"),
        max_length=200,
        blank=True,
        help_text=_("The statistics bureau's bulletin that publishes the figure, with its date."),
    )
    # Quick mechanism: disputes up to 100,000 yuan take the fast track (Longyan centre practice).
    fast_track_ceiling = models.DecimalField(
        _("fast-track ceiling (yuan)"), max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    performance_grace_days = models.PositiveSmallIntegerField(_("performance grace days"), default=5)
    # New cases go to the committees' mediators as soon as a batch is in (region first, then workload);
    # off, they wait in the committee pool for the centre admin or a mediator to take them.
    auto_assign = models.BooleanField(
        _("assign new cases automatically"),
        default=True,
        help_text=_(
            "Give each imported case to a mediator: one covering the debtor's region, else the least loaded."
        ),
    )

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        CENTRE = "centre", _("Dispute centre")
        CREDITOR = "creditor", _("Creditor")
        COMMITTEE = "committee", _("Mediation committee")
        COURT = "court", _("Court")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    # Court case numbers: (2026)闽0502民督123号 — the court's own prefix.
    court_number_prefix = models.CharField(_("case number prefix"), max_length=20, blank=True)
    letterhead = models.CharField(_("letterhead"), max_length=200, blank=True)
    # What a debtor reads where the page says to contact the mediator (committee) or the centre.
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    # A party's particulars as a court document states them (a creditor as applicant or plaintiff).
    address = models.CharField(_("registered address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    legal_representative_title = models.CharField(
        _("legal representative's position"), max_length=50, blank=True
    )
    agent_name = models.CharField(_("agent ad litem"), max_length=50, blank=True)
    agent_detail = models.CharField(_("agent's particulars"), max_length=120, blank=True)
    # A committee of mediators invited by a court (诉前调解): it takes the court-mediation stage.
    invited_by_court = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invited_committees",
        verbose_name=_("invited by court"),
        limit_choices_to={"kind": "court"},
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["centre__code", "kind", "code"]
        indexes = [models.Index(fields=["centre", "kind"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CREDITOR_STAFF = "creditor_staff", _("Creditor staff")
    MEDIATOR = "mediator", _("Mediator")
    JUDGE = "judge", _("Judge")
    CLERK = "clerk", _("Court clerk")
    CENTRE_ADMIN = "centre_admin", _("Centre administrator")


# Which organisation kind each role belongs to.
ROLE_ORGANISATION_KIND = {
    Role.CREDITOR_STAFF: Organisation.Kind.CREDITOR,
    Role.MEDIATOR: Organisation.Kind.COMMITTEE,
    Role.JUDGE: Organisation.Kind.COURT,
    Role.CLERK: Organisation.Kind.COURT,
    Role.CENTRE_ADMIN: Organisation.Kind.CENTRE,
}


class Membership(TimeStampedModel):
    """A staff user's place: one organisation, one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region_codes = models.CharField(
        _("regions served"), max_length=200, blank=True, help_text=_("Comma-separated region code prefixes")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    @property
    def centre_id(self) -> int:
        return self.organisation.centre_id


class CalendarYear(models.Model):
    """Whether a centre's calendar has official holiday data for a year."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("Official data (chinese-calendar package)")
        IMPORTED = "imported", _("Imported or edited by the centre")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="calendar_years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="calendar_year_unique")]
        ordering = ["centre", "year"]

    def __str__(self) -> str:
        return f"{self.centre} {self.year}"


class CalendarDay(models.Model):
    """An exception to the weekday rule: a holiday on a weekday, or an adjusted working weekend (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Adjusted working day")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="calendar_days")
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["centre", "day"], name="calendar_day_unique")]
        ordering = ["centre", "day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKDAY


class PiiAccessLog(models.Model):
    """Who saw a full ID or phone number, when, and why (PIPL 28-29: sensitive data, log access)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=60)  # e.g. "debtor:12" or "case:34"
    field = models.CharField(_("field"), max_length=30)
    purpose = models.CharField(_("purpose"), max_length=120, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.subject} {self.field}"


def today_in_centre() -> date:
    from django.utils import timezone

    return timezone.localdate()
