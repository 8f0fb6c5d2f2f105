from django.utils.translation import gettext_lazy as _

from cases.errors import CaseActionError


class MediationError(CaseActionError):
    code = "mediation_refused"


MESSAGES = {
    "quiet_hours": _(
        "Contact between 22:00 and 08:00 is not allowed without the debtor's recorded consent "
        "(collection guideline)."
    ),
    "future_contact": _("A contact attempt cannot be logged in the future."),
    "unreachable_reason": _("Say why the debtor is unreachable."),
    "too_many_unanswered": _(
        "More than 6 unanswered attempts to this number today: the collection guideline allows at most 6."
    ),
    "schedule_sum": _("The instalments add up to %(sum)s, not the agreed total %(total)s."),
    "not_mediator": _("Only a mediator of this case may do this."),
    "settlement_state": _("The settlement is not in a state that allows this."),
    "no_mediator": _("No mediator is available for this case."),
    "meeting_link": _("A video session needs a meeting link."),
    "past_session": _("A session cannot be scheduled in the past."),
    "not_creditor": _("Only the creditor's staff may do this on its own cases."),
    "not_committee": _("Only a mediator of the case's mediation committee may apply its seal."),
    "refused": _(
        "The debtor refused mediation: mediation on this case has ended and no further mediation contact "
        "is made (People's Mediation Law 17)."
    ),
    "not_in_mediation": _("The case is not in mediation."),
    "refusal_how": _("Say how the debtor refused mediation."),
    "extension_days": _("An extension is a whole number of days, at least 1."),
    "duplicate_contact": _(
        "This contact attempt is already in the log (same channel, outcome and notes a moment ago): "
        "it was not logged twice."
    ),
    "duplicate_session": _(
        "A session of this kind is already scheduled at this time: it was not scheduled twice and the "
        "parties were not notified again."
    ),
    "no_phone": _("There is no phone number on this case."),
    "quiet_hours_call": _(
        "It is between 22:00 and 08:00 and the debtor has not consented to calls at this hour: the number is "
        "shown from 08:00 (collection guideline)."
    ),
    "six_unanswered_today": _(
        "This number already has 6 unanswered calls today: the collection guideline advises no more today."
    ),
}
