"""The elements of a court document the judge fills (要素式): who signs it and the judge's own reasons.

A page shows the form beside the preview (courts.documents.court_document_preview with ``overrides()``),
and saves it with courts.services.filing_document_elements_set(filing=..., actor=..., **form.cleaned_data).
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from core.models import Organisation, Role

from .documents import ELEMENTS, JUDGE
from .models import Filing

REASONS_MAX_LENGTH = 2000


def court_members(court: Organisation, role: str) -> QuerySet[Any]:
    """The active judges (or clerks) of one court: the only people who may sign its documents."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__organisation=court, membership__role=role)
        .order_by("first_name", "username")
    )


class SignerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class DocumentElementsForm(forms.Form):
    """The judge-filled elements of the document on one filing; the court's own members to choose from."""

    judge = SignerField(queryset=None, label=pgettext_lazy("court document", "Judge"))
    clerk = SignerField(queryset=None, label=pgettext_lazy("court document", "Court clerk"))
    reasons_extra = forms.CharField(
        required=False,
        max_length=REASONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args: Any, filing: Filing, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"judge": filing.judge_id, "clerk": filing.clerk_id, "reasons_extra": filing.reasons_extra},
        )
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = court_members(filing.court, Role.JUDGE)  # type: ignore[attr-defined]
        self.fields["clerk"].queryset = court_members(filing.court, Role.CLERK)  # type: ignore[attr-defined]
        labels = {e.key: e.label for elements in ELEMENTS.values() for e in elements if e.source == JUDGE}
        self.fields["reasons_extra"].label = str(labels["reasons_extra"])

    def overrides(self) -> dict[str, Any]:
        """The cleaned values as court_document_preview takes them (signers by id)."""
        data = self.cleaned_data
        return {
            "judge": data["judge"].pk if data.get("judge") else "",
            "clerk": data["clerk"].pk if data.get("clerk") else "",
            "reasons_extra": data.get("reasons_extra", ""),
        }
