"""What each court action asks for: small forms the console shows on the case page and its bulk pages.

Forms only parse and validate input; the console hands the cleaned values to one courts.services function.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.errors import MESSAGES
from core.money import AmountError, parse_yuan

from .models import EnforcementMeasure, PaymentOrderObjection, RefusalGround, Suit

NEXT_STEPS = [("mediation", _("Back to mediation")), ("suit", _("On to suit"))]
TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 60})


class YuanField(forms.CharField):
    """An amount in yuan as people type it ("¥1,234.50", "1234.5元"): a 2-place Decimal, above zero."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 14}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_yuan(text, allow_zero=self.allow_zero)
        except AmountError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc


class NotAfterTodayDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")


def _today() -> date:
    return timezone.localdate()


class EmptyForm(forms.Form):
    """An action that needs nothing but the click."""


class ConfirmForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), required=False, widget=TEXTAREA, max_length=2000)


class RejectForm(forms.Form):
    """Refusal needs reasons and an Interp. 358 ground; the case goes back to mediation or on to suit."""

    reasons = forms.CharField(
        label=_("Reasons"),
        widget=TEXTAREA,
        max_length=2000,
        error_messages={"required": MESSAGES["reason_required"]},
    )
    ground = forms.ChoiceField(
        label=_("Refusal ground (Interp. 358)"),
        choices=[("", "---------"), *RefusalGround.choices],
        required=False,  # checked in clean(), after the reasons, so that one missing thing is named at a time
        widget=forms.Select(attrs={"required": True}),
    )
    next_step = forms.ChoiceField(
        label=_("After refusal"), choices=NEXT_STEPS, initial="mediation", widget=forms.RadioSelect
    )
    field_order = ["ground", "reasons", "next_step"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "reasons" in data and not data.get("ground"):
            self.add_error("ground", _("Choose the ground for refusing confirmation."))
        return data


class BulkRejectForm(RejectForm):
    """The same decision for every case selected in the confirmation queue."""


class PaymentOrderApplyForm(forms.Form):
    accept_flags = forms.BooleanField(
        label=_("Claim the principal only"),
        required=False,
        help_text=_("Leaves out interest and fees that have no agreed rate in the documents (Interp. 428)."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=TEXTAREA,
        max_length=300,
        error_messages={"required": MESSAGES["reason_required"]},
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=300, required=False)


class ServiceForm(forms.Form):
    served_on = NotAfterTodayDateField(label=_("Served on"), initial=_today)


class ObjectionForm(forms.Form):
    """A debtor's objection as filed: the service decides whether it counts (Interp. 431, 436)."""

    form = forms.ChoiceField(
        label=_("Form"),
        choices=PaymentOrderObjection.Form.choices,
        initial=PaymentOrderObjection.Form.WRITTEN,
        widget=forms.RadioSelect,
    )
    filed_on = NotAfterTodayDateField(label=_("Filed on"), initial=_today)
    posted_on = NotAfterTodayDateField(
        label=_("Posted on"),
        required=False,
        help_text=_("The postmark date of an objection sent by post: time in the post does not count."),
    )
    statement = forms.CharField(label=_("Statement"), widget=TEXTAREA, max_length=4000)
    only_ability_to_pay = forms.BooleanField(label=_("Only about the ability to pay"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        posted, filed = data.get("posted_on"), data.get("filed_on")
        if posted and filed and posted > filed:
            self.add_error("posted_on", _("A document cannot arrive before it was posted."))
        return data


class RulingReceivedForm(forms.Form):
    received_on = NotAfterTodayDateField(label=_("Received by the creditor on"), initial=_today)


class SuitFileForm(forms.Form):
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        choices=[("", _("By the amount (centre's small-claims threshold)")), *Suit.Procedure.choices],
        required=False,
    )
    parties_agree_small_claims = forms.BooleanField(
        label=_("Both parties agreed to small claims (CPL 165)"),
        required=False,
        help_text=_("Above the threshold, up to twice the average wage, small claims needs both parties."),
    )


class HearingForm(forms.Form):
    hearing_on = forms.DateField(
        label=_("Hearing date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hearing_time = forms.TimeField(
        label=_("Time"), initial=time(9, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hearing_on") and data.get("hearing_time") is not None:
            at = timezone.make_aware(datetime.combine(data["hearing_on"], data["hearing_time"]))
            if at < timezone.now():
                self.add_error("hearing_on", _("The hearing cannot be in the past."))
            data["hearing_at"] = at
        return data


class JudgmentForm(forms.Form):
    amount = YuanField(label=_("Amount awarded (yuan)"))
    performance_days = forms.IntegerField(
        label=_("Performance period (days)"), min_value=1, max_value=365, initial=10
    )


class EnforcementApplyForm(forms.Form):
    amount = YuanField(label=_("Amount to enforce (yuan)"))


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=EnforcementMeasure.Kind.choices)
    note = forms.CharField(label=_("Note"), widget=TEXTAREA, max_length=2000, required=False)
    amount_received = YuanField(label=_("Amount received (yuan)"), allow_zero=True, required=False)
    taken_on = NotAfterTodayDateField(label=_("Taken on"), initial=_today)


class DishonestForm(forms.Form):
    grounds = forms.CharField(label=_("Listing grounds"), widget=TEXTAREA, max_length=200)
