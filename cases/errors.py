"""Why a case action was refused, with a code for the API and a message in the user's language."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class CaseActionError(Exception):
    code = "refused"

    def __init__(self, message: "str | _StrPromise", *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code


class TransitionRefused(CaseActionError):
    """The transition is not possible now: wrong stage, a condition unmet, or the case is on hold."""

    code = "transition_refused"


class ActionForbidden(CaseActionError):
    """This actor's role or organisation may not take this action on this case."""

    code = "forbidden"


MESSAGES = {
    "unknown_transition": _("There is no such action."),
    "wrong_stage": _("This action is not possible in the case's current stage."),
    "on_hold": _("The case is on hold; lift the hold first."),
    "condition": _("The conditions for this action are not met: %(detail)s."),
    "forbidden": _("Your role may not take this action on this case."),
    "reason_required": _("Give a reason for this action."),
    "no_open_deadline": _("There is no open time limit of this kind on the case."),
}
