"""Forms of the debtor pages: few fields, phone keyboards that fit, and amounts as people type them."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.identifiers import IdentifierError, normalize_id_number, normalize_phone
from core.models import Centre
from core.money import AmountError, parse_yuan
from mediation.affordability import CATEGORIES, CATEGORY_KEYS
from mediation.debtor_services import MAX_INSTALMENTS, Plan
from mediation.evidence import ACCEPT, CheckedFile, EvidenceError, evidence_check, max_bytes, max_files
from mediation.models import HardshipRequest, Objection, Proposal

TEXT = {"autocomplete": "off", "autocorrect": "off", "spellcheck": "false"}


class IdentifyForm(forms.Form):
    case_code = forms.CharField(
        label=_("Case code"),
        max_length=32,
        help_text=_("Printed at the top of every notice, e.g. K7Q2M9X4PA."),
        widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "characters"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "characters"}),
    )


class IdNumberForm(forms.Form):
    id_number = IdentifyForm.base_fields["id_number"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class AmountField(forms.CharField):
    """Yuan as people type them: "1,200", "１２００元", "¥1200.5"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20, **TEXT}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_yuan(text)
        except AmountError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _evidence_help() -> str:
    return gettext("Photos (JPEG, PNG) or PDF files, up to %(n)d files of %(mb)d MB each.") % {
        "n": max_files(),
        "mb": max_bytes() // (1024 * 1024),
    }


class EvidenceField(forms.FileField):
    """Several photos or PDFs; each checked by its bytes and size (evidence.py)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # Lazy: worded in the reader's language, with the limits as configured when the page is shown.
        kwargs.setdefault("help_text", lazy(_evidence_help, str)())
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:  # type: ignore[override]
        files = [
            f for f in (data if isinstance(data, list | tuple) else [data]) if isinstance(f, UploadedFile)
        ]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            return evidence_check(files)
        except EvidenceError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class ObjectionForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Why do you object?"), choices=Objection.Ground.choices, widget=forms.RadioSelect
    )
    statement = forms.CharField(
        label=_("Explain in your own words"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong with the claim, and what shows it."),
    )
    evidence = EvidenceField(label=_("Evidence"))


class HardshipForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your situation"), choices=HardshipRequest.Kind.choices, widget=forms.RadioSelect
    )
    statement = forms.CharField(
        label=_("Tell us about it"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, since when, and what you could manage to pay."),
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        help_text=_("For example a hospital certificate, a disability card or a proof of unemployment."),
    )


class PlanForm(forms.Form):
    """A repayment plan: something now, the rest in instalments."""

    total = AmountField(label=_("Total you will pay (yuan)"))
    amount_now = AmountField(label=_("Amount you can pay now (yuan)"), required=False)
    instalment_count = forms.IntegerField(
        label=_("Number of instalments for the rest"),
        min_value=0,
        max_value=MAX_INSTALMENTS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    frequency = forms.ChoiceField(label=_("How often"), choices=Proposal.Frequency.choices)
    first_due = forms.DateField(
        label=_("First instalment on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_first_due(self) -> Any:
        first_due = self.cleaned_data.get("first_due")
        if first_due and first_due < timezone.localdate():
            raise forms.ValidationError(_("The first instalment cannot be in the past."))
        return first_due

    def plan(self) -> Plan:
        data = self.cleaned_data
        count = data.get("instalment_count") or 0
        first_due = data.get("first_due") or (timezone.localdate() + timedelta(days=30) if count else None)
        return Plan(
            total=data["total"],
            amount_now=data.get("amount_now") or Decimal("0.00"),
            instalment_count=count,
            frequency=data["frequency"],
            first_due=first_due,
        )


class ProposalForm(PlanForm):
    monthly_income = AmountField(label=_("Your monthly income (yuan)"), required=False)
    dependants = forms.IntegerField(
        label=_("People who depend on you"),
        min_value=0,
        max_value=20,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    other_debts = AmountField(label=_("Your other debts in total (yuan)"), required=False)
    note = forms.CharField(
        label=_("Message to the mediator"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    above_affordable_reason = forms.CharField(
        label=_("Why you can keep this plan although it is more than you can afford"),
        help_text=_("For example: someone in the family helps, or an income not in your statement."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatementForm(forms.Form):
    """The standard financial statement: household, monthly income, essential spending, other debts."""

    household_size = forms.IntegerField(
        label=_("People in your household, you included"),
        min_value=1,
        max_value=20,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dependants = forms.IntegerField(
        label=_("Of whom depend on your income"),
        min_value=0,
        max_value=20,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wages = AmountField(label=_("Wages or salary each month (yuan)"), required=False)
    other_income = AmountField(label=_("Other income each month (yuan)"), required=False)
    other_debts_monthly = AmountField(
        label=_("What your other debts cost each month (yuan)"),
        required=False,
        help_text=_("Loans, cards or plans not handled at this centre."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CATEGORIES:
            self.fields[f"spend_{key}"] = AmountField(label=label, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("dependants") or 0) >= (data.get("household_size") or 1):
            self.add_error("dependants", gettext("Dependants are the others in the household, not you."))
        return data

    def spending_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("spend_")]

    def statement(self) -> dict[str, Any]:
        data = self.cleaned_data
        zero = Decimal("0.00")
        income = [
            {"label": label, "amount": data.get(key) or zero}
            for key, label in (("wages", "wages"), ("other_income", "other"))
            if data.get(key)
        ]
        debts = (
            [{"label": "other", "monthly": data["other_debts_monthly"]}]
            if data.get("other_debts_monthly")
            else []
        )
        return {
            "household_size": data["household_size"],
            "dependants": data["dependants"],
            "income": income,
            "spending": {k: data.get(f"spend_{k}") or zero for k in CATEGORY_KEYS},
            "other_debts": debts,
        }


class CureForm(forms.Form):
    """The once-only re-scheduling of the rest of a plan after a missed instalment."""

    count = forms.IntegerField(
        label=_("Number of monthly instalments for the rest"),
        min_value=1,
        max_value=MAX_INSTALMENTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    first_due = forms.DateField(
        label=_("First new instalment on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class SignForm(forms.Form):
    code = CodeForm.base_fields["code"]
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("I have read the agreement and accept it."))
    apply_for_confirmation = forms.BooleanField(
        label=_("I also apply, jointly with the creditor, for the court to confirm this agreement."),
        required=False,
    )


class ComeForwardForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("Dispute centre"), queryset=Centre.objects.order_by("code"), empty_label=_("Choose a centre")
    )
    name = forms.CharField(label=_("Your name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={**TEXT, "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    note = forms.CharField(
        label=_("What would you like to settle?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example the creditor, the kind of debt and what you could pay."),
    )

    def clean_id_number(self) -> str:
        try:
            return normalize_id_number(self.cleaned_data["id_number"])
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class CreditObjectionForm(forms.Form):
    statement = forms.CharField(
        label=_("What is wrong in your credit record?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = EvidenceField(label=_("Evidence"))
