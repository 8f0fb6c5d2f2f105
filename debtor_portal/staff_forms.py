"""Forms for the staff who answer debtors: decisions with reasons, counter-offers, relief."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation.models import HardshipRequest

from .forms import AmountField, PlanForm

REASONS = forms.Textarea(attrs={"rows": 4})


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("rejected", _("Reject the objection")), ("upheld", _("Uphold the objection"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons (the debtor reads them)"), max_length=3000, widget=REASONS)
    remedy = forms.ChoiceField(
        label=_("If upheld"),
        required=False,
        choices=[
            ("", _("—")),
            ("correct", _("Correct the amounts claimed")),
            ("close", _("Close the case as an invalid claim (judge or centre administrator)")),
        ],
    )
    principal = AmountField(label=_("Principal"), required=False)
    interest = AmountField(label=_("Interest"), required=False)
    fees = AmountField(label=_("Fees"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "upheld":
            if not data.get("remedy"):
                self.add_error("remedy", _("Say how the case is put right."))
            if data.get("remedy") == "correct":
                for name in ("principal", "interest", "fees"):
                    if data.get(name) is None:
                        self.add_error(name, _("Give the corrected amount."))
        return data

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        upheld = data["decision"] == "upheld"
        amounts = None
        if upheld and data.get("remedy") == "correct":
            amounts = {k: data[k] for k in ("principal", "interest", "fees")}
        return {
            "upheld": upheld,
            "reasons": data["reasons"],
            "amounts": amounts,
            "close": upheld and data.get("remedy") == "close",
        }


class CounterForm(PlanForm):
    note = forms.CharField(
        label=_("Message to the debtor"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    above_affordable_reason = forms.CharField(
        label=_("If the plan is above what the person can afford: why"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why (the debtor reads it)"), max_length=1000, widget=REASONS)


class HardshipDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Relief"), choices=HardshipRequest.Outcome.choices)
    note = forms.CharField(label=_("Reasons (the debtor reads them)"), max_length=3000, widget=REASONS)
    waived_interest = AmountField(label=_("Interest waived (yuan)"), required=False)
    waived_fees = AmountField(label=_("Fees waived (yuan)"), required=False)
    plan_months = forms.IntegerField(
        label=_("Plan length (months)"), min_value=1, max_value=120, required=False
    )
    pause_until = forms.DateField(
        label=_("Paused until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def service_args(self) -> dict[str, Any]:
        from decimal import Decimal

        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "note": data["note"],
            "waived_interest": data.get("waived_interest") or Decimal("0.00"),
            "waived_fees": data.get("waived_fees") or Decimal("0.00"),
            "plan_months": data.get("plan_months"),
            "pause_until": data.get("pause_until"),
        }


class HandledForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=300)


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("Why you need the full number"), max_length=120)
