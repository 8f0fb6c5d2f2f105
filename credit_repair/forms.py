"""Forms of the repair pages: they parse and check input; the services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import AmountError, parse_yuan

from . import rules
from .importer import MAX_BYTES


class DateInput(forms.DateInput):
    """A browser date picker: its value is always ISO (yyyy-mm-dd), whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PaymentForm(forms.Form):
    case = forms.CharField(label=_("Case code or contract number"), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        help_text=_("Your bank's transaction number: entering the same payment twice records it once."),
    )

    def clean_amount(self) -> Decimal:
        try:
            return parse_yuan(self.cleaned_data["amount"], allow_zero=False, max_value=rules.MAX_PAYMENT)
        except AmountError as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean_paid_on(self) -> Any:
        value = self.cleaned_data["paid_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The payment date is in the future."))
        return value


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Payment file (.xlsx, .csv or .tsv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.tsv,.txt"}),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB; split it into smaller files."))
        return uploaded


class StepForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Written answer to the debtor"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    record_corrected = forms.BooleanField(
        label=_("The record was wrong and has been corrected"), required=False
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=32, required=False)
    sha256 = forms.CharField(label=_("SHA-256 of the PDF"), max_length=80, required=False)
    pdf = forms.FileField(
        label=_("Or upload the certificate PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_pdf(self) -> Any:
        uploaded = self.cleaned_data.get("pdf")
        if uploaded and uploaded.size > rules.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return uploaded


class CureLimitsForm(forms.Form):
    """What a debtor may re-schedule online, once, after a missed instalment and within the grace period."""

    allowed = forms.BooleanField(label=_("Debtors may re-schedule the rest once online"), required=False)
    max_extra_instalments = forms.IntegerField(
        label=_("Extra instalments at most"), min_value=0, max_value=24
    )
    min_instalment = forms.DecimalField(
        label=_("Smallest instalment (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
