"""Forms of the mediator's pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Colour, Track
from core.pii import CallPurpose
from core.widgets import PlainSelect

from .instalments import FREQUENCIES
from .models import ContactAttempt, MediationSession, Settlement

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Case code or debtor name")}),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        widget=PlainSelect,
        choices=[
            ("", _("All stages")),
            ("triaged", _("Triaged")),
            ("in_mediation", _("In people's mediation")),
            ("court_mediation", _("In court mediation")),
            ("settled", _("Settled")),
        ],
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        required=False,
        choices=_blank(_("All colours")) + Colour.choices,
        widget=PlainSelect,
    )
    track = forms.ChoiceField(
        label=_("Track"),
        required=False,
        choices=_blank(_("All tracks")) + Track.choices,
        widget=PlainSelect,
    )
    days_left = forms.IntegerField(
        label=_("Window closes within (days)"), required=False, min_value=0, max_value=365
    )
    contact = forms.ChoiceField(
        label=_("Next contact"),
        required=False,
        choices=[("", _("Any")), ("due", _("Due today or earlier"))],
        widget=PlainSelect,
    )
    min_amount = forms.DecimalField(
        label=_("Amount from (yuan)"), required=False, min_value=0, decimal_places=2
    )
    max_amount = forms.DecimalField(
        label=_("Amount to (yuan)"), required=False, min_value=0, decimal_places=2
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=PlainSelect,
        choices=[
            ("window", _("Days left in the window")),
            ("contact", _("Next contact due")),
            ("-amount", _("Amount, largest first")),
            ("amount", _("Amount, smallest first")),
            ("updated", _("Recently updated")),
        ],
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class BulkForm(forms.Form):
    ACTIONS = [
        ("schedule", _("Schedule next contact")),
        ("reassign", _("Reassign to a mediator")),
        ("unreachable", _("Mark unreachable")),
        ("escalate", _("Escalate to court mediation")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=PlainSelect)
    case_ids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    due_on = forms.DateField(label=_("Contact on"), required=False, widget=DATE_INPUT)
    mediator = forms.ChoiceField(label=_("Mediator"), required=False, widget=PlainSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, mediators: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(str(k), v) for k, v in (mediators or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "schedule" and not data.get("due_on"):
            self.add_error("due_on", _("Choose the date of the next contact."))
        if action == "reassign" and not data.get("mediator"):
            self.add_error("mediator", _("Choose a mediator."))
        if action in ("unreachable", "escalate") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason."))
        return data


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactAttempt.Channel.choices)
    at = forms.DateTimeField(label=_("Time of contact"), widget=DATETIME_INPUT)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactAttempt.Outcome.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    unreachable_reason = forms.CharField(label=_("Why unreachable"), required=False, max_length=200)
    next_contact_on = forms.DateField(label=_("Next contact due"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ConsentForm(forms.Form):
    note = forms.CharField(label=_("How the debtor consented"), max_length=200)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MediationSession.Kind.choices)
    scheduled_at = forms.DateTimeField(label=_("Scheduled for"), widget=DATETIME_INPUT)
    location = forms.CharField(label=_("Place"), required=False, max_length=200)
    meeting_link = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")


class SessionRecordForm(forms.Form):
    status = forms.ChoiceField(label=_("Outcome"), choices=MediationSession.Status.choices[1:])
    record = forms.CharField(label=_("Record of the session"), widget=forms.Textarea(attrs={"rows": 3}))


class SettlementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Settlement.Kind.choices)
    total = forms.DecimalField(label=_("Agreed total (yuan)"), min_value=Decimal("0.01"), decimal_places=2)
    waived_interest = forms.DecimalField(label=_("Interest waived"), min_value=0, decimal_places=2, initial=0)
    waived_fees = forms.DecimalField(label=_("Fees waived"), min_value=0, decimal_places=2, initial=0)
    first_due = forms.DateField(label=_("First payment due"), widget=DATE_INPUT)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[
            (f, label)
            for f, label in zip(FREQUENCIES, [_("Monthly"), _("Every two weeks"), _("Weekly")], strict=True)
        ],
    )
    count = forms.IntegerField(label=_("Number of instalments"), min_value=1, max_value=120, initial=1)
    terms = forms.CharField(label=_("Other terms"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleEditForm(forms.Form):
    schedule = forms.CharField(
        label=_("Schedule (one line per instalment: date amount)"), widget=forms.Textarea(attrs={"rows": 6})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RefusalForm(forms.Form):
    how = forms.CharField(label=_("How the debtor refused"), max_length=200)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=365)


class CreditorSignForm(forms.Form):
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    apply_for_confirmation = forms.BooleanField(
        label=_("We also apply jointly with the debtor for judicial confirmation"), required=False
    )


class TriageRulesForm(forms.Form):
    """A new version of the rules as JSON: a list of {name, conditions, colour, track, staff_reason,
    debtor_reason}; each condition {field, op, value} with field amount, product, overdue_days,
    other_cases, e_service_consent, region or hardship."""

    rules = forms.CharField(
        label=_("Rules (JSON)"), widget=forms.Textarea(attrs={"rows": 22, "class": "mono"})
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def clean_rules(self) -> list[dict[str, Any]]:
        import json

        try:
            rules = json.loads(self.cleaned_data["rules"])
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc
        if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("name") for r in rules):
            raise forms.ValidationError(_("Give a list of rules, each with a name."))
        for rule in rules:
            if rule.get("colour") not in Colour.values or rule.get("track", "") not in ("", *Track.values):
                raise forms.ValidationError(
                    _("Rule %(name)s: colour must be green, yellow or red; track fast, slow or empty.")
                    % {"name": rule["name"]}
                )
        return rules


class CallForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why do you call?"), choices=CallPurpose.choices, widget=forms.RadioSelect
    )
