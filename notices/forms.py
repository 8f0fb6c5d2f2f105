"""Forms of the notice pages: parse and validate only; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Stage
from core.uploads import PNG, UploadRefused, upload_check

from .models import Kind, Letterhead

# A seal is a small PNG with a transparent background: printed over the date of a court's document.
SEAL_MAX_BYTES = 2 * 1024 * 1024


def kind_choices(kinds: list[str]) -> list[tuple[str, Any]]:
    return [(k, Kind(k).label) for k in kinds]


class SendForm(forms.Form):
    kind = forms.ChoiceField(label=_("Notice"))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(kinds)  # type: ignore[attr-defined]


class BulkSendForm(forms.Form):
    """A selection of cases: explicit ids (a list page's checkboxes) or the cases matching filters."""

    kind = forms.ChoiceField(label=_("Notice"))
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    batch = forms.IntegerField(label=_("Batch no."), required=False, min_value=1)
    case_ids = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(kinds)  # type: ignore[attr-defined]

    def clean_case_ids(self) -> list[int]:
        raw = self.cleaned_data.get("case_ids") or ""
        parts = [p for p in raw.replace(",", " ").split() if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Not a list of case numbers."))
        return [int(p) for p in parts]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("stage", "batch") if data.get(k)}


def seal_check(upload: Any) -> Any:
    """A seal image as uploaded: a PNG by its bytes (core.uploads), no larger than SEAL_MAX_BYTES."""
    try:
        upload_check(upload, types=(PNG,), max_bytes=SEAL_MAX_BYTES)
    except UploadRefused as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from refused
    return upload


class LetterheadForm(forms.ModelForm):
    """An organisation's letterhead and seal; the seal is checked by its content, not its name."""

    class Meta:
        model = Letterhead
        fields = ["organisation", "name_line", "address_line", "seal"]

    def clean_seal(self) -> Any:
        seal = self.cleaned_data.get("seal")
        if seal and hasattr(seal, "content_type"):  # a new upload (a stored file is already checked)
            return seal_check(seal)
        return seal
