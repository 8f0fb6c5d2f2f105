"""The judicial-suggestion letter (司法建议书) as a document kind of notices: notices renders it with the
issuer's letterhead and seal; this builds what the letter states. Registered from OversightConfig.ready."""

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation

from core.models import Organisation
from notices.documents import chinese_date, issuer_context
from notices.registry import register_document

from .models import JudicialSuggestion
from .rules import finding_view

SUGGESTION_KIND = "judicial_suggestion"
CHINESE_NUMERALS = "一二三四五六七八九十"  # the numbering of a Chinese official letter's points
# The print stylesheet heads every page with a case code; a letter to a creditor is headed by its number.
LETTER_CSS = '@page { @top-right { content: "文号：" string(case-code); } }'


def letter_context(suggestion: JudicialSuggestion, issuer: Organisation, issued_on: date) -> dict[str, Any]:
    """The numbered letter: its paragraphs, the findings table, the issuer, the dates (in Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "s": suggestion,
            "paragraphs": [p for p in suggestion.body.split("\n\n") if p.strip()],
            "findings": list(zip(CHINESE_NUMERALS, map(finding_view, suggestion.findings), strict=False)),
            "issuer": issuer_context(issuer),
            "issued_on": chinese_date(issued_on),
            "due_on": chinese_date(suggestion.answer_due_on),
        }


def register() -> None:
    register_document(
        SUGGESTION_KIND,
        title="司法建议书",
        issuers=("centre",),
        template="oversight/suggestion_letter.html",
    )
