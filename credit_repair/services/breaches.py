"""Breaches of a payment plan or order: detection after the grace period, reminders, and the creditor's
request for enforcement."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, EventAction
from cases.permissions import actor_reaches_case
from cases.services import cases_change_bulk, cases_lock
from core.actors import SYSTEM, Actor, actor_role
from core.models import Centre, Role
from core.workdays import WorkingCalendar

from .. import rules, selectors
from ..errors import RepairError
from ..models import Breach
from ._common import CHUNK, ZERO, _forbidden, logger

# The notice that reminds a debtor of a missed instalment (a dedicated kind can replace it later).
REMINDER_KIND = "debt_collection"


def breaches_detect(*, today: date | None = None) -> dict[str, int]:
    """Find, set-based per centre, instalments (and effective orders) unpaid after the centre's grace period
    in working days; record each breach once and remind each debtor. Returns counts."""
    today = today or timezone.localdate()
    counts = {"breaches": 0, "cases": 0, "reminded": 0}
    for centre_id, grace in Centre.objects.values_list("pk", "performance_grace_days"):
        work_calendar = WorkingCalendar.for_centre(centre_id)
        cutoff = rules.breach_cutoff(today=today, grace_working_days=grace, work_calendar=work_calendar)

        def grace_end(due_on: date, g: int = grace, c: WorkingCalendar = work_calendar) -> date:
            return rules.grace_ends_on(due_on=due_on, grace_working_days=g, work_calendar=c)

        rows = [
            Breach(
                case_id=case_id,
                instalment_id=pk,
                due_on=due_on,
                grace_ends_on=grace_end(due_on),
                detected_on=today,
                unpaid=unpaid,
            )
            for pk, case_id, due_on, unpaid in selectors.instalments_in_breach(
                centre_id=centre_id, cutoff=cutoff
            )
        ] + [
            Breach(
                case_id=case_id,
                due_on=due_on,
                grace_ends_on=grace_end(due_on),
                detected_on=today,
                unpaid=unpaid,
            )
            for case_id, due_on, unpaid in selectors.orders_in_breach(centre_id=centre_id, cutoff=cutoff)
        ]
        if not rows:
            continue
        case_ids = sorted({b.case_id for b in rows})
        with transaction.atomic():
            cases_lock(case_ids=case_ids)  # the cases first, then their breaches
            Breach.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
            data: dict[int, dict[str, Any]] = {}
            for b in rows:
                entry = data.setdefault(b.case_id, {"due_on": [], "unpaid": ZERO})
                entry["due_on"].append(str(b.due_on))
                entry["unpaid"] += b.unpaid
            data = {pk: {"due_on": v["due_on"], "unpaid": str(v["unpaid"])} for pk, v in data.items()}
            cases_change_bulk(
                case_ids=case_ids, action=EventAction.PERFORMANCE_BREACH, actor=SYSTEM, data_per_case=data
            )
        counts["breaches"] += len(rows)
        counts["cases"] += len(case_ids)
        counts["reminded"] += breaches_remind(case_ids=case_ids)
    return counts


def breaches_remind(*, case_ids: Sequence[int]) -> int:
    """Remind each debtor once per breach (a notice); only the newly breached cases, never all cases."""
    try:
        from notices.services import NoticeError, notice_send
    except ImportError:  # the notices app is optional for this step
        return 0
    reminded = 0
    pending = Breach.objects.filter(
        case_id__in=list(case_ids), status=Breach.Status.OPEN, reminded_at__isnull=True
    )
    # One reminder per breach: a second breach on the same case is a new letter, keyed by its first breach.
    first_breach = dict(
        pending.order_by().values("case_id").annotate(first=Min("pk")).values_list("case_id", "first")
    )
    for case in Case.objects.filter(pk__in=list(first_breach)).order_by("pk"):
        try:
            subject = f"breach:{first_breach[case.pk]}"
            notice = notice_send(case=case, kind=REMINDER_KIND, actor=SYSTEM, subject=subject)
        except (NoticeError, LookupError) as exc:
            logger.warning("breach reminder for case %s not sent: %s", case.pk, exc)
            continue
        reminded += pending.filter(case_id=case.pk).update(reminder=notice, reminded_at=timezone.now())
    return reminded


@transaction.atomic
def breach_request_enforcement(*, case: Case, actor: Actor) -> Any:
    """The creditor asks the court to enforce a breached confirmed settlement or effective order: the
    unpaid balance is the amount to enforce (courts.services.enforcement_apply)."""
    from courts.services import enforcement_apply

    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, case):
        raise _forbidden()
    case = Case.objects.select_for_update().get(pk=case.pk)
    breaches = Breach.objects.filter(case=case, status=Breach.Status.OPEN)
    if not breaches.exists():
        raise RepairError(_("This case has no unpaid breach."), code="no_breach")
    if not case.enforceable_title:
        raise RepairError(
            _(
                "The settlement was not confirmed by a court, so it cannot be enforced: apply for a payment "
                "order or file a suit."
            ),
            code="no_title",
        )
    balance = selectors.case_ledger(case=case).balance
    enforcement = enforcement_apply(case=case, actor=actor, amount=balance)
    breaches.update(
        status=Breach.Status.ENFORCEMENT,
        enforcement_requested_at=timezone.now(),
        enforcement_requested_by=actor,
        updated_at=timezone.now(),
    )
    return enforcement
