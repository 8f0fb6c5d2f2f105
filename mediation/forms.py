"""Forms of the mediator's pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Colour, Product, Track
from core.pii import CallPurpose
from core.widgets import PlainSelect

from .instalments import FREQUENCIES
from .models import ContactAttempt, MediationSession, Settlement, TriageRule
from .triage import RuleError, condition_q

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
        except json.JSONDecodeError as exc:
            # Python's own message is English: say where, in the reader's language.
            raise forms.ValidationError(
                _("Not valid JSON: look at line %(line)s, column %(column)s.")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("name") for r in rules):
            raise forms.ValidationError(_("Give a list of rules, each with a name."))
        for rule in rules:
            if rule.get("colour") not in Colour.values or rule.get("track", "") not in ("", *Track.values):
                raise forms.ValidationError(
                    _("Rule %(name)s: colour must be green, yellow or red; track fast, slow or empty.")
                    % {"name": rule["name"]}
                )
        return rules


# --- the rules builder: each rule a form, its conditions rows of (field, operator, value) ---------------

RULE_CONDITIONS = 3  # condition rows offered per rule; all must hold
YES_WORDS = ("1", "true", "yes", "y", "是", "有")
YES_NO_FIELDS = {TriageRule.Field.E_SERVICE_CONSENT, TriageRule.Field.HARDSHIP}
LIST_FIELDS = {TriageRule.Field.PRODUCT, TriageRule.Field.REGION}


def _value_text(field: str, value: Any) -> str:
    """A stored condition value as the builder shows it in its text box."""
    if field in YES_NO_FIELDS:
        return str(pgettext_lazy("rule value", "yes") if value else pgettext_lazy("rule value", "no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _value_parsed(field: str, text: str) -> Any:
    """The text of a value box as the rule stores it (the JSON export shows the same)."""
    text = text.strip()
    if field in YES_NO_FIELDS:
        return text.lower() in (*YES_WORDS, str(pgettext_lazy("rule value", "yes")).lower())
    if field in LIST_FIELDS:
        items = [v.strip() for v in text.replace("，", ",").replace("、", ",").split(",") if v.strip()]
        if field == TriageRule.Field.PRODUCT:
            by_label = {str(label): value for value, label in Product.choices}
            items = [by_label.get(v, v) for v in items]
        return items
    return text.replace(",", "")


class TriageRuleForm(forms.Form):
    """One rule of the builder: its name, when it applies, what it gives and why, in both languages."""

    name = forms.CharField(label=pgettext_lazy("triage rule", "Name"), max_length=80)
    name_en = forms.CharField(label=_("Name in English"), max_length=80, required=False)
    # A blank first choice, so that the empty "new rule" form is left alone when nothing is typed in it.
    colour = forms.ChoiceField(label=_("Colour"), choices=[("", "—"), *Colour.choices])
    track = forms.ChoiceField(
        label=_("Track"), choices=[("", _("Keep the usual track")), *Track.choices], required=False
    )
    staff_reason = forms.CharField(label=_("Reason shown to staff"), max_length=200)
    staff_reason_en = forms.CharField(
        label=_("Reason shown to staff, in English"), max_length=200, required=False
    )
    debtor_reason = forms.CharField(label=_("Reason in plain words for the debtor"), max_length=200)
    debtor_reason_en = forms.CharField(
        label=_("Reason for the debtor, in English"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(RULE_CONDITIONS):
            self.fields[f"cond_{i}_field"] = forms.ChoiceField(
                label=_("Field"), required=False, choices=[("", "—"), *TriageRule.Field.choices]
            )
            self.fields[f"cond_{i}_op"] = forms.ChoiceField(
                label=_("Operator"), required=False, choices=[("", "—"), *TriageRule.Op.choices]
            )
            self.fields[f"cond_{i}_value"] = forms.CharField(
                label=pgettext_lazy("rule condition", "Value"), required=False, max_length=200
            )

    @classmethod
    def initial_of(cls, rule: Any) -> dict[str, Any]:
        get = rule.get if isinstance(rule, dict) else lambda k, d="": getattr(rule, k, d)
        initial = {k: get(k, "") for k in ("name", "name_en", "colour", "track", "staff_reason",
                   "staff_reason_en", "debtor_reason", "debtor_reason_en")}  # fmt: skip
        # A platform text (the default rules keep English msgids) shows in Chinese, its English beside it.
        with translation.override(settings.LANGUAGE_CODE):
            for key in ("name", "staff_reason", "debtor_reason"):
                text = initial[key]
                chinese = translation.gettext(text) if text else ""
                if chinese != text and not initial[f"{key}_en"]:
                    initial[key], initial[f"{key}_en"] = chinese, text
        for i, c in enumerate((get("conditions", []) or [])[:RULE_CONDITIONS]):
            initial |= {f"cond_{i}_field": c.get("field"), f"cond_{i}_op": c.get("op"),
                        f"cond_{i}_value": _value_text(c.get("field", ""), c.get("value"))}  # fmt: skip
        return initial

    def head_fields(self) -> list[Any]:
        return [self[k] for k in ("name", "name_en", "colour", "track")]

    def reason_fields(self) -> list[Any]:
        return [self[k] for k in ("staff_reason", "staff_reason_en", "debtor_reason", "debtor_reason_en")]

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"cond_{i}_field"], self[f"cond_{i}_op"], self[f"cond_{i}_value"])
            for i in range(RULE_CONDITIONS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conditions = []
        for i in range(RULE_CONDITIONS):
            field, op = data.get(f"cond_{i}_field"), data.get(f"cond_{i}_op")
            text = data.get(f"cond_{i}_value", "")
            if not field and not op and not text:
                continue
            if not field or not op or (not text and field not in YES_NO_FIELDS):
                self.add_error(f"cond_{i}_value", _("Choose a field and an operator and give a value."))
                continue
            condition = {"field": field, "op": op, "value": _value_parsed(field, text)}
            try:
                condition_q(condition, today=timezone.localdate())
            except RuleError as exc:
                self.add_error(f"cond_{i}_value", str(exc))
                continue
            conditions.append(condition)
        if not conditions and not self.errors:
            raise forms.ValidationError(_("Give the rule at least one condition."))
        data["conditions"] = conditions
        return data

    def rule(self) -> dict[str, Any]:
        """The rule as triage_ruleset_publish and the JSON export take it."""
        keys = ("name", "name_en", "colour", "track", "staff_reason", "staff_reason_en", "debtor_reason",
                "debtor_reason_en", "conditions")  # fmt: skip
        return {k: self.cleaned_data.get(k) or ("" if k != "conditions" else []) for k in keys}


TriageRuleFormSet = forms.formset_factory(
    TriageRuleForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


class TriageRulesNoteForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class CallForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why do you call?"), choices=CallPurpose.choices, widget=forms.RadioSelect
    )
