"""Judicial-suggestion rules: patterns across one creditor's cases that a court writes to the creditor about.

Each rule counts set-based over the creditor's cases received in the window and returns a finding (its
figures and some example case codes) or None. Findings are stored as codes and numbers; their wording is
looked up here when shown, so each reader gets their language. Thresholds are per centre (RuleSettings).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, ExpressionWrapper, F, Max, Model, Q, QuerySet, Sum
from django.db.models import DecimalField as DecimalOutput
from django.db.models.functions import ExtractHour
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cases.lpr import lpr_table
from cases.models import Case
from core.models import Centre, CreditorKind, Organisation
from core.money import format_yuan
from mediation.models import ContactAttempt, LateContactConsent
from mediation.services import QUIET_END, QUIET_START
from notices.models import Notice

from .models import LenderStatus, RuleSettings

# SPC private lending rules 2020, 25-29: interest and penalties at most 4 x the one-year LPR at contract date.
PRIVATE_LENDING_LPR_MULTIPLE = Decimal(4)
ATTEMPTED = [Notice.Status.SENT, Notice.Status.DELIVERED, Notice.Status.OPENED, Notice.Status.FAILED]
BAD_NUMBER = [ContactAttempt.Outcome.WRONG_NUMBER, ContactAttempt.Outcome.UNREACHABLE]


def optional_model(label: str) -> type[Model] | None:
    """A model another app is still building (objections): None while it does not exist."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@dataclass(frozen=True)
class RuleContext:
    centre: Centre
    creditor: Organisation
    settings: RuleSettings
    cases: QuerySet[Case]
    today: date

    def examples(self, qs: QuerySet[Any], path: str = "code") -> list[str]:
        """Up to `examples` distinct case codes, from a queryset of cases or of rows with a case."""
        codes = qs.order_by(path).values_list(path, flat=True).distinct()[: self.settings.examples]
        return list(codes)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def share_reached(part: int, whole: int, threshold: Decimal, minimum: int) -> bool:
    return whole >= minimum and whole > 0 and Decimal(part) / Decimal(whole) >= threshold


def finding(code: str, figures: list[tuple[Any, ...]], examples: list[str]) -> dict[str, Any]:
    """A finding as stored: figures are [msgid, value] or [msgid, value, {placeholder: choice code}]."""
    return {"code": code, "figures": [[f[0], str(f[1]), *f[2:]] for f in figures], "examples": examples}


def undeliverable_notices(ctx: RuleContext) -> dict[str, Any] | None:
    notices = Notice.objects.filter(case__in=ctx.cases, status__in=ATTEMPTED)
    counts = notices.aggregate(sent=Count("pk"), failed=Count("pk", filter=Q(status=Notice.Status.FAILED)))
    sent, failed = counts["sent"], counts["failed"]
    s = ctx.settings
    if not share_reached(failed, sent, s.undeliverable_share, s.min_cases):
        return None
    figures = [
        (gettext_noop("Notices sent"), sent),
        (gettext_noop("Notices that could not be delivered"), failed),
        (gettext_noop("Share undeliverable"), percent(failed, sent)),
    ]
    return finding(
        "undeliverable_notices", figures, ctx.examples(notices.filter(status="failed"), "case__code")
    )


def wrong_phones(ctx: RuleContext) -> dict[str, Any] | None:
    contacted = ctx.cases.filter(contact_attempts__isnull=False).distinct()
    wrong = ctx.cases.filter(contact_attempts__outcome__in=BAD_NUMBER).distinct()
    n_contacted, n_wrong = contacted.count(), wrong.count()
    s = ctx.settings
    if not share_reached(n_wrong, n_contacted, s.wrong_phone_share, s.min_cases):
        return None
    figures = [
        (gettext_noop("Cases with contact attempts"), n_contacted),
        (gettext_noop("Cases with a wrong or unreachable number"), n_wrong),
        (gettext_noop("Share with a wrong or unreachable number"), percent(n_wrong, n_contacted)),
    ]
    return finding("wrong_phones", figures, ctx.examples(wrong))


def missing_service_address(ctx: RuleContext) -> dict[str, Any] | None:
    total = ctx.cases.count()
    missing = ctx.cases.filter(e_service_consent=False, address="")
    n_missing = missing.count()
    s = ctx.settings
    if not share_reached(n_missing, total, s.no_service_address_share, s.min_cases):
        return None
    figures = [
        (gettext_noop("Cases received"), total),
        (gettext_noop("Cases with neither a postal address nor consent to electronic service"), n_missing),
        (gettext_noop("Share without a service address"), percent(n_missing, total)),
    ]
    return finding("missing_service_address", figures, ctx.examples(missing))


def excessive_charges(ctx: RuleContext) -> dict[str, Any] | None:
    s = ctx.settings
    charges = ExpressionWrapper(F("interest") + F("fees"), output_field=DecimalOutput())
    high = (
        ctx.cases.filter(principal__gt=0)
        .alias(charges=charges)
        .filter(charges__gt=F("principal") * s.charges_ratio)
    )
    total, n_high = ctx.cases.count(), high.count()
    if not share_reached(n_high, total, s.charges_share, s.min_cases):
        return None
    sums = high.aggregate(principal=Sum("principal"), charges=Sum("interest") + Sum("fees"))
    figures = [
        (gettext_noop("Cases received"), total),
        (
            gettext_noop("Interest and fees above this share of the principal"),
            f"{s.charges_ratio * 100:.0f}%",
        ),
        (gettext_noop("Cases above it"), n_high),
        (gettext_noop("Share of cases"), percent(n_high, total)),
        (gettext_noop("Their principal"), format_yuan(sums["principal"])),
        (gettext_noop("Their interest and fees"), format_yuan(sums["charges"])),
    ]
    return finding("excessive_charges", figures, ctx.examples(high))


def lpr_periods(centre: Centre) -> list[tuple[date, date, Decimal]]:
    """(from, until exclusive, rate): the dated one-year LPR (cases.lpr, the official table and the centre's
    rows); a contract outside them is not judged here (the legality screen reports it)."""
    return lpr_table(centre.pk).periods()


def above_private_lending_cap(centre: Centre) -> Q:
    """Cases whose annual rate is above 4 x the one-year LPR in force on the contract date."""
    q = Q(pk__in=[])
    for since, until, rate in lpr_periods(centre):
        q |= Q(
            annual_rate__gt=rate * PRIVATE_LENDING_LPR_MULTIPLE,
            contract_date__gte=since,
            contract_date__lt=until,
        )
    return q & Q(contract_date__isnull=False, annual_rate__isnull=False)


def rate_above_private_cap(ctx: RuleContext) -> dict[str, Any] | None:
    status = LenderStatus.objects.filter(creditor=ctx.creditor).first()
    private = ctx.creditor.creditor_kind == CreditorKind.PRIVATE
    if not private and (status is None or status.licensed):
        return None  # the cap binds private lenders only; banks' outliers are the charges rule's
    rated = ctx.cases.filter(contract_date__isnull=False, annual_rate__isnull=False)
    above = rated.filter(above_private_lending_cap(ctx.centre))
    n_above = above.count()
    if n_above < ctx.settings.rate_cap_cases or n_above == 0:
        return None
    periods = lpr_periods(ctx.centre)
    rates = sorted(
        {r for f, u, r in periods if above.filter(contract_date__gte=f, contract_date__lt=u).exists()}
    )
    figures = [
        (gettext_noop("Cases with an agreed annual rate and a contract date"), rated.count()),
        (gettext_noop("One-year LPR at the contract dates"), " / ".join(f"{r}%" for r in rates)),
        (gettext_noop("Cases above four times the LPR"), n_above),
        (gettext_noop("Highest annual rate"), f"{above.aggregate(m=Max('annual_rate'))['m']}%"),
    ]
    return finding("rate_above_private_cap", figures, ctx.examples(above))


def objections_upheld(ctx: RuleContext) -> dict[str, Any] | None:
    objection = optional_model("mediation.Objection")
    if objection is None:
        return None
    rows = (
        objection.objects.filter(case__in=ctx.cases)  # type: ignore[attr-defined]
        .values("ground")
        .annotate(filed=Count("pk"), upheld=Count("pk", filter=Q(status="upheld")))
        .order_by("-upheld", "ground")
    )
    grounds = [r for r in rows if r["upheld"] >= ctx.settings.upheld_objections]
    if not grounds:
        return None
    figures = [
        (gettext_noop("Objections upheld / filed on the ground: %(ground)s"), f"{r['upheld']} / {r['filed']}",
         {"ground": r["ground"]})
        for r in grounds
    ]  # fmt: skip
    upheld = objection.objects.filter(  # type: ignore[attr-defined]
        case__in=ctx.cases, status="upheld", ground__in=[r["ground"] for r in grounds]
    )
    return finding("objections_upheld", figures, ctx.examples(upheld, "case__code"))


def quiet_hour_contacts(ctx: RuleContext) -> dict[str, Any] | None:
    contacts = ContactAttempt.objects.filter(case__in=ctx.cases)
    quiet = (
        contacts.annotate(hour=ExtractHour("at"))
        .filter(Q(hour__gte=QUIET_START) | Q(hour__lt=QUIET_END))
        .exclude(case__in=LateContactConsent.objects.values("case"))
    )
    n_quiet = quiet.count()
    if n_quiet < ctx.settings.quiet_hour_contacts or n_quiet == 0:
        return None
    figures = [
        (gettext_noop("Contacts recorded"), contacts.count()),
        (gettext_noop("Contacts between 22:00 and 08:00 without the debtor's consent"), n_quiet),
        (gettext_noop("Cases concerned"), quiet.values("case").distinct().count()),
    ]
    return finding("quiet_hour_contacts", figures, ctx.examples(quiet, "case__code"))


@dataclass(frozen=True)
class Rule:
    code: str
    title: Promise
    advice: Promise
    check: Callable[[RuleContext], dict[str, Any] | None]


RULES = [
    Rule(
        "undeliverable_notices",
        _("Many notices could not be delivered"),
        _(
            "Check and update the debtors' addresses and telephone numbers before handing cases over, "
            "and give the address each debtor confirmed in the contract."
        ),
        undeliverable_notices,
    ),
    Rule(
        "wrong_phones",
        _("Many telephone numbers are wrong or unreachable"),
        _(
            "Verify the debtors' telephone numbers against your records and update them before handing "
            "cases over."
        ),
        wrong_phones,
    ),
    Rule(
        "missing_service_address",
        _("Service-address confirmations are missing"),
        _(
            "Have debtors confirm a service address and their consent to electronic service "
            "(送达地址确认书) when the contract is signed, and hand the confirmation over with each case."
        ),
        missing_service_address,
    ),
    Rule(
        "excessive_charges",
        _("Interest and fees are high compared with the principal"),
        _(
            "Review the interest, penalties and fees claimed: the court may reduce excessive charges at the "
            "debtor's request (SPC bank card rules, art. 2). Claim only what the contract and the law allow."
        ),
        excessive_charges,
    ),
    Rule(
        "rate_above_private_cap",
        _("Annual rates above four times the one-year LPR"),
        _(
            "Interest and penalties of private lending may not exceed four times the one-year LPR at the "
            "contract date (SPC private lending rules 2020, art. 25-29): reduce the claims to that limit."
        ),
        rate_above_private_cap,
    ),
    Rule(
        "objections_upheld",
        _("Many debtors' objections were upheld on the same ground"),
        _("Examine why objections on this ground succeed and correct the records before handing cases over."),
        objections_upheld,
    ),
    Rule(
        "quiet_hour_contacts",
        _("Collection contacts at forbidden hours"),
        _(
            "Do not contact debtors between 22:00 and 08:00 without their consent (banking association "
            "collection guideline): instruct your staff and agents accordingly."
        ),
        quiet_hour_contacts,
    ),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def findings_for(ctx: RuleContext) -> list[dict[str, Any]]:
    return [f for rule in RULES if (f := rule.check(ctx)) is not None]


def ground_label(code: str) -> str:
    objection = optional_model("mediation.Objection")
    labels = dict(getattr(objection, "Ground").choices) if objection else {}  # noqa: B009 - may not exist yet
    return str(labels.get(code, code))


def figure_rows(found: dict[str, Any]) -> list[tuple[str, str]]:
    """A stored finding's figures in the reader's language."""
    rows = []
    for label, value, *params in found.get("figures", []):
        text = gettext(label)
        if params and "ground" in params[0]:
            text = text % {"ground": ground_label(params[0]["ground"])}
        rows.append((text, value))
    return rows


def finding_view(found: dict[str, Any]) -> dict[str, Any]:
    rule = RULES_BY_CODE.get(found.get("code", ""))
    return {
        "code": found.get("code", ""),
        "title": rule.title if rule else found.get("code", ""),
        "advice": rule.advice if rule else "",
        "figures": figure_rows(found),
        "examples": found.get("examples", []),
    }
