"""One cure before enforcement: after a missed instalment, within the centre's grace period, the debtor may
re-schedule the rest of the plan once online, within limits the creditor set in advance. The case stays in
performance and the creditor is told; a second breach, or a re-scheduling outside the limits, goes on to
enforcement as before (breaches_detect, breach_request_enforcement)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, EventAction, Stage
from cases.services import case_event_record
from core.actors import SYSTEM
from core.models import Membership, Role
from core.workdays import WorkingCalendar
from courts.enforcement_figures import enforcement_application_deadlines_sync
from mediation.instalments import instalment_schedule
from mediation.models import Instalment

from .. import rules, selectors
from ..errors import RepairError
from ..models import Breach, CureLimits, PlanCure
from ._common import ZERO, _forbidden, logger
from .ledger import ledgers_rebuild

# The re-scheduled rest starts within this many days (a month): a cure, not a pause (project rule).
CURE_FIRST_DUE_MAX_DAYS = 30

REFUSALS = {
    "stage": gettext_lazy("Only a plan in performance can be re-scheduled."),
    "no_limits": gettext_lazy("The creditor has not allowed re-scheduling online."),
    "used": gettext_lazy("The plan has already been re-scheduled once."),
    "breach": gettext_lazy("The grace period is over: the missed instalment is already a breach."),
    "nothing_missed": gettext_lazy("No instalment is overdue."),
    "grace_over": gettext_lazy("The grace period for the missed instalment is over."),
    "count": gettext_lazy("Choose between %(low)d and %(high)d instalments."),
    "minimum": gettext_lazy("Each instalment must be at least %(min)s yuan."),
    "first_due": gettext_lazy("The first new instalment must fall between %(start)s and %(end)s."),
    "limits": gettext_lazy(
        "Extra instalments cannot be negative, and the smallest instalment must be above zero."
    ),
}


@dataclass(frozen=True)
class CureOffer:
    """What the debtor may do now: re-schedule ``remaining`` in ``min_count``..``max_count`` instalments."""

    settlement_id: int
    missed_due_on: date
    grace_ends_on: date
    remaining: Decimal
    unpaid_count: int
    max_count: int
    min_instalment: Decimal
    first_due_from: date
    first_due_until: date

    @property
    def min_count(self) -> int:
        return 1


def _refused(code: str, **params: Any) -> RepairError:
    text = REFUSALS[code] % params if params else REFUSALS[code]
    return RepairError(text, code=f"cure_{code}")


def cure_offer_or_reason(*, case: Case, today: date | None = None) -> tuple[CureOffer | None, str]:
    """The re-scheduling open to this case today, or why there is none (a REFUSALS key)."""
    today = today or timezone.localdate()
    if case.stage != Stage.PERFORMING:
        return None, "stage"
    limits = CureLimits.objects.filter(creditor_id=case.creditor_id, allowed=True).first()
    if limits is None:
        return None, "no_limits"
    if PlanCure.objects.filter(case=case).exists():
        return None, "used"
    if Breach.objects.filter(case=case).exists():
        return None, "breach"
    ledger = selectors.case_ledger(case=case, today=today)
    settlement_id = ledger.obligation.settlement_id
    unpaid = [line for line in ledger.instalments if line.outstanding > 0]
    missed = [line for line in unpaid if line.due_on < today]
    if settlement_id is None or not missed:
        return None, "nothing_missed"
    first_missed = missed[0].due_on
    grace = case.centre.performance_grace_days
    grace_end = rules.grace_ends_on(
        due_on=first_missed,
        grace_working_days=grace,
        work_calendar=WorkingCalendar.for_centre(case.centre_id),
    )
    if today > grace_end:
        return None, "grace_over"
    remaining = sum((line.outstanding for line in unpaid), ZERO)
    # No more instalments than the limits allow, and none below the creditor's minimum.
    by_minimum = (
        int((remaining / limits.min_instalment).to_integral_value(ROUND_DOWN))
        if limits.min_instalment
        else 10**4
    )
    max_count = max(1, min(len(unpaid) + limits.max_extra_instalments, by_minimum))
    offer = CureOffer(
        settlement_id=settlement_id,
        missed_due_on=first_missed,
        grace_ends_on=grace_end,
        remaining=remaining,
        unpaid_count=len(unpaid),
        max_count=max_count,
        min_instalment=limits.min_instalment,
        first_due_from=today,
        first_due_until=today + timedelta(days=CURE_FIRST_DUE_MAX_DAYS),
    )
    return offer, ""


def cure_offer(*, case: Case, today: date | None = None) -> CureOffer | None:
    return cure_offer_or_reason(case=case, today=today)[0]


@transaction.atomic
def plan_cure(
    *, case: Case, count: int, first_due: date, ip: str | None = None, today: date | None = None
) -> PlanCure:
    """The debtor re-schedules the rest of the plan (monthly from ``first_due``): the unpaid instalments are
    replaced, the case stays in performance, the event is recorded and the creditor's staff are told."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().select_related("centre").get(pk=case.pk)
    offer, why = cure_offer_or_reason(case=case, today=today)
    if offer is None:
        raise _refused(why)
    if not offer.min_count <= count <= offer.max_count:
        raise _refused("count", low=offer.min_count, high=offer.max_count)
    if not offer.first_due_from <= first_due <= offer.first_due_until:
        raise _refused("first_due", start=offer.first_due_from, end=offer.first_due_until)
    schedule = instalment_schedule(
        total=offer.remaining, first_due=first_due, frequency="monthly", count=count
    )
    if any(p.amount < offer.min_instalment for p in schedule):
        raise _refused("minimum", min=offer.min_instalment)
    ledger = selectors.case_ledger(case=case, today=today)
    before = [
        {"seq": line.seq, "due_on": str(line.due_on), "amount": str(line.amount), "paid": str(line.paid)}
        for line in ledger.instalments
    ]
    plan = Instalment.objects.select_for_update().filter(settlement_id=offer.settlement_id)
    paid_by_id = {line.id: line.paid for line in ledger.instalments}
    # Paid instalments stay; a part-paid one keeps what was paid; the unpaid ones give way to the new rest.
    unpaid_ids = [line.id for line in ledger.instalments if line.paid <= 0]
    for line in ledger.instalments:
        if 0 < line.paid < line.amount:
            plan.filter(pk=line.id).update(amount=paid_by_id[line.id])
    plan.filter(pk__in=unpaid_ids).delete()
    last_seq = max((line.seq for line in ledger.instalments if line.paid > 0), default=0)
    Instalment.objects.bulk_create(
        Instalment(settlement_id=offer.settlement_id, seq=last_seq + p.seq, due_on=p.due_on, amount=p.amount)
        for p in schedule
    )
    ledgers_rebuild([case.pk])
    # The title's last day of performance moved: any open enforcement-application limit follows it (CPL 250).
    enforcement_application_deadlines_sync([case.pk])
    after = [{"seq": last_seq + p.seq, "due_on": str(p.due_on), "amount": str(p.amount)} for p in schedule]
    cure = PlanCure.objects.create(
        case=case,
        settlement_id=offer.settlement_id,
        missed_due_on=offer.missed_due_on,
        grace_ends_on=offer.grace_ends_on,
        remaining=offer.remaining,
        extra_instalments=max(0, count - offer.unpaid_count),
        before=before,
        after=after,
        ip=ip,
    )
    case_event_record(
        case=case,
        action=EventAction.PLAN_RESCHEDULED,
        actor=SYSTEM,
        data={
            "party": "debtor",
            "debtor": case.debtor_id,
            "ip": ip or "",
            "cure": cure.pk,
            "missed_due_on": str(offer.missed_due_on),
            "remaining": str(offer.remaining),
            "instalments": count,
            "first_due": str(first_due),
        },
    )
    cure_id = cure.pk
    transaction.on_commit(lambda: creditor_told_of_cure(cure_id=cure_id))
    return cure


def creditor_told_of_cure(*, cure_id: int) -> int:
    """E-mail the creditor's staff that a debtor re-scheduled the rest of a plan (keyed: once each)."""
    from notices.channels.base import PermanentChannelError, TemporaryChannelError
    from notices.channels.email import send_email

    cure = PlanCure.objects.select_related("case").get(pk=cure_id)
    case = cure.case
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(code)s: the debtor re-scheduled the rest of the plan") % {"code": case.code}
        body = _(
            "Case %(code)s: after the instalment due on %(due)s was missed, the debtor re-scheduled the "
            "remaining %(amount)s yuan in %(count)d monthly instalments from %(first)s, within your limits. "
            "The case stays in performance; a further missed instalment goes on to enforcement."
        ) % {
            "code": case.code,
            "due": cure.missed_due_on,
            "amount": cure.remaining,
            "count": len(cure.after),
            "first": cure.after[0]["due_on"] if cure.after else "",
        }
    staff = Membership.objects.filter(
        organisation_id=case.creditor_id, role=Role.CREDITOR_STAFF, user__is_active=True
    ).exclude(user__email="")
    sent = 0
    for uid, email in staff.values_list("user_id", "user__email"):
        try:
            send_email(to=email, subject=subject, body=body, idempotency_key=f"cure-{cure_id}-staff-{uid}")
            sent += 1
        except (PermanentChannelError, TemporaryChannelError) as exc:
            logger.warning("cure %s: creditor staff %s not told: %s", cure_id, uid, exc)
    return sent


def cure_limits_set(
    *, actor: Any, allowed: bool, max_extra_instalments: int, min_instalment: Decimal
) -> CureLimits:
    """Creditor staff set, in advance, what a debtor may re-schedule online (for their own creditor)."""
    membership = getattr(actor, "membership", None)
    if membership is None or membership.role != Role.CREDITOR_STAFF:
        raise _forbidden()
    if max_extra_instalments < 0 or min_instalment <= 0:
        raise RepairError(REFUSALS["limits"], code="cure_limits")
    limits, _created = CureLimits.objects.update_or_create(
        creditor_id=membership.organisation_id,
        defaults={
            "allowed": allowed,
            "max_extra_instalments": max_extra_instalments,
            "min_instalment": min_instalment,
        },
    )
    return limits
