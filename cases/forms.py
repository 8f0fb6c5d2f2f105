"""Forms of the staff case pages: list filters, a transition, a request to see a full personal number."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.pii import PurposeRefused, RevealPurpose, reveal_purpose_text

from .models import Colour, Stage, Track


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Case code, contract number or debtor name"),
                                      "type": "search"}),
    )  # fmt: skip
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=_blank(_("All stages")) + Stage.choices
    )
    colour = forms.ChoiceField(
        label=_("Colour"), required=False, choices=_blank(_("All colours")) + Colour.choices
    )
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=_blank(_("All tracks")) + Track.choices
    )
    min_amount = forms.DecimalField(
        label=_("Amount from (yuan)"), required=False, min_value=0, decimal_places=2
    )
    max_amount = forms.DecimalField(
        label=_("Amount to (yuan)"), required=False, min_value=0, decimal_places=2
    )
    batch = forms.IntegerField(label=_("Batch no."), required=False, min_value=1)
    creditor = forms.CharField(label=_("Creditor code"), required=False, max_length=60)
    # The column the list is sorted by (selectors.CASE_SORTS), kept when the filters change.
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, show_creditor: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_creditor:
            del self.fields["creditor"]

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a mistyped amount drops that filter and shows its error."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class TransitionForm(forms.Form):
    name = forms.CharField(max_length=60)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


REVEAL_ID_NUMBER, REVEAL_PHONE = "id_number", "phone"


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Number"), choices=[(REVEAL_ID_NUMBER, _("ID number")), (REVEAL_PHONE, _("Phone"))]
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "---------"), *RevealPurpose.choices])
    purpose_other = forms.CharField(
        label=_("Purpose in your words"), max_length=120, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. identity check before a mediation call")}),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "purpose" in data:
            try:
                data["purpose_text"] = reveal_purpose_text(
                    purpose=data["purpose"], other=data.get("purpose_other", "")
                )
            except PurposeRefused as exc:
                field = "purpose_other" if data["purpose"] == RevealPurpose.OTHER else "purpose"
                self.add_error(field, str(exc.message))
        return data
