"""Forms of the dashboard pages: the filters."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Colour, Product, Track

from .selectors import Filters


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Give a month as YYYY-MM.")}

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-")[:2])
            return date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class FilterForm(forms.Form):
    since = MonthField(label=_("Received from"), required=False)
    until = MonthField(label=_("Received until"), required=False)
    creditor = forms.TypedChoiceField(label=_("Creditor"), required=False, coerce=int, empty_value=None)
    product = forms.ChoiceField(
        label=_("Product"), required=False, choices=_blank(_("All products"), Product.choices)
    )
    colour = forms.ChoiceField(
        label=_("Colour"), required=False, choices=_blank(_("All colours"), Colour.choices)
    )
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=_blank(_("All tracks"), Track.choices)
    )

    def __init__(self, *args: Any, creditors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creditors:
            self.fields["creditor"].choices = [("", _("All creditors")), *creditors]  # type: ignore[attr-defined]
        else:
            del self.fields["creditor"]

    def filters(self) -> Filters:
        """The valid filters only: a mistyped month drops that filter and shows its error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            since=data.get("since"),
            until=data.get("until"),
            creditor_id=data.get("creditor"),
            product=data.get("product", ""),
            colour=data.get("colour", ""),
            track=data.get("track", ""),
        )
