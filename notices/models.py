"""Legal notices: templates per centre, letterheads, rendered notices, delivery attempts and batches.

A notice is rendered once per (case, kind, template version) and stored with its SHA-256; delivery
attempts are rows written before a channel backend is called, so a retried task never sends twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.models import Centre, Organisation, TimeStampedModel

from .storage import private_storage


class Kind(models.TextChoices):
    MEDIATION_NOTICE = "mediation_notice", _("Mediation notice")
    LITIGATION_RISK = "litigation_risk", _("Litigation-risk notice")
    DEBT_COLLECTION = "debt_collection", _("Debt-collection letter")
    SETTLEMENT_AGREEMENT = "settlement_agreement", _("Settlement agreement")
    CONFIRMATION_RULING = "confirmation_ruling", _("Judicial confirmation ruling")
    PAYMENT_ORDER = "payment_order", _("Payment order")
    JUDGMENT = "judgment", _("Civil judgment")
    ENFORCEMENT_NOTICE = "enforcement_notice", _("Enforcement notice")
    CREDIT_REPAIR_CERTIFICATE = "credit_repair_certificate", _("Credit-repair certificate")
    PROOF_OF_SERVICE = "proof_of_service", _("Proof of service")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")


class NoticeTemplate(TimeStampedModel):
    """One version of a centre's template for a kind; versions are kept, one is active (the shipped default
    is version 0 and lives in templates/notices/kinds/)."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="notice_templates")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("body (HTML, Django template)"))
    css = models.TextField(_("extra print CSS"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["centre__code", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "kind", "version"], name="notice_template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["centre", "kind"], condition=Q(is_active=True), name="notice_template_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.get_kind_display()} v{self.version}"


class Letterhead(TimeStampedModel):
    """How an organisation heads and seals its documents."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="notice_letterhead"
    )
    name_line = models.CharField(_("name line"), max_length=120)
    address_line = models.CharField(_("address and telephone line"), max_length=200, blank=True)
    seal = models.FileField(_("seal image (PNG)"), storage=private_storage, upload_to="seals/", blank=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return self.name_line


class NoticeBatch(TimeStampedModel):
    """A bulk send from one person's selection: its progress is polled by a page."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="notice_batches")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    rendered = models.PositiveIntegerField(_("rendered"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    # Rendered and waiting for a post batch: done for this run, served once the batch is mailed.
    post_queued = models.PositiveIntegerField(_("waiting for the post"), default=0)
    skipped = models.PositiveIntegerField(_("skipped (already sent)"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice batch")
        verbose_name_plural = _("notice batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def done(self) -> int:
        """Notices that reached an end state for this run: sent, waiting for the post, or failed."""
        return self.sent + self.post_queued + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class PostBatch(TimeStampedModel):
    """Notices served by post, merged into one PDF with an address sheet before each, for the print shop."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready to print")
        MAILED = "mailed", _("Mailed")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="post_batches")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.READY)
    pdf = models.FileField(_("merged PDF"), storage=private_storage, upload_to="post/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    count = models.PositiveIntegerField(_("notices"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post batch")
        verbose_name_plural = _("post batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.count})"


class Notice(TimeStampedModel):
    """One legal document for one case, rendered once per (case, kind, template version, subject), and its
    service. The subject tells apart documents of a kind a case can have several of: each court decision
    or order, each breach reminder; letters sent once per case leave it empty."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERED = "rendered", _("Rendered")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    template_version = models.PositiveIntegerField(_("template version"), default=0)
    subject = models.CharField(_("subject"), max_length=40, blank=True, default="")
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, null=True, blank=True)
    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    failure_reason = models.TextField(_("failure reason"), blank=True)

    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="notices/", blank=True, max_length=200
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)

    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    opened_ip = models.GenericIPAddressField(_("opened from IP"), null=True, blank=True)
    opened_user_agent = models.CharField(_("opened with browser"), max_length=300, blank=True)

    batch = models.ForeignKey(
        NoticeBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    post_batch = models.ForeignKey(
        PostBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "template_version", "subject"], name="notice_once_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["status", "channel"]),
            models.Index(fields=["channel", "status", "post_batch"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} v{self.template_version}"

    @property
    def is_served(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.DELIVERED, self.Status.OPENED)


class DeliveryAttempt(models.Model):
    """One try to hand a notice to one channel; written and committed before the backend is called.

    (notice, channel, seq) is unique; the key goes to the provider so that it can drop a duplicate too.
    """

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    seq = models.PositiveSmallIntegerField(_("attempt"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.STARTED)
    recipient_masked = models.CharField(_("recipient"), max_length=254, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["notice_id", "channel", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel", "seq"], name="delivery_attempt_seq_unique"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key
