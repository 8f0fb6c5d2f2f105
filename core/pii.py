"""Why a full ID or phone number is read (PIPL 6, 28-29: minimum necessity; every reading is logged).

A purpose is chosen from a short list of the work that needs the full value, or written out as a sentence;
a letter or a word ("x", "check") is not a purpose.
"""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A written purpose must say something: at least this many characters (a short Chinese sentence).
REVEAL_PURPOSE_MIN_CHARS = 6


class RevealPurpose(models.TextChoices):
    IDENTITY_CHECK = "identity_check", pgettext_lazy("reveal purpose", "Verify identity before a call")
    CALL_DEBTOR = "call_debtor", pgettext_lazy("reveal purpose", "Call the debtor")
    SERVICE_ADDRESS = "service", pgettext_lazy("reveal purpose", "Serve a document or confirm the address")
    COURT_FILING = "court_filing", pgettext_lazy("reveal purpose", "Court filing or enforcement")
    DEBTOR_REQUEST = "debtor_request", pgettext_lazy("reveal purpose", "Answer the debtor's own request")
    OTHER = "other", pgettext_lazy("reveal purpose", "Other (write it out)")


class PurposeRefused(ValueError):
    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def reveal_purpose_text(*, purpose: str, other: str = "") -> str:
    """The purpose as logged: a listed one's name in Chinese, or the written sentence; else PurposeRefused."""
    purpose = (purpose or "").strip()
    if purpose in RevealPurpose.values and purpose != RevealPurpose.OTHER:
        with translation.override("zh-hans"):
            return str(RevealPurpose(purpose).label)
    written = (other if purpose == RevealPurpose.OTHER else purpose).strip()
    if len(written) < REVEAL_PURPOSE_MIN_CHARS:
        raise PurposeRefused(
            _("Choose a purpose from the list, or write it out in a sentence (at least %(n)d characters).")
            % {"n": REVEAL_PURPOSE_MIN_CHARS}
        )
    return written[:120]


class CallPurpose(models.TextChoices):
    """Why a mediator reads the phone number to call the debtor: one of these, never a free letter."""

    NEGOTIATE = "negotiate", pgettext_lazy("call purpose", "Negotiate repayment")
    VERIFY_IDENTITY = "verify_identity", pgettext_lazy("call purpose", "Verify identity")
    CONFIRM_SERVICE = "confirm_service", pgettext_lazy("call purpose", "Confirm service of a document")
    FOLLOW_UP = "follow_up", pgettext_lazy("call purpose", "Follow-up call")


def call_purpose_text(purpose: str) -> str:
    """The purpose as logged (in Chinese, as the listed reveal purposes are); else PurposeRefused."""
    if purpose not in CallPurpose.values:
        raise PurposeRefused(_("Choose why you call from the list."))
    with translation.override("zh-hans"):
        return f"{RevealPurpose.CALL_DEBTOR.label}：{CallPurpose(purpose).label}"
