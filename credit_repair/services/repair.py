"""Credit repair of a performed case: the record and its four steps, each by the party whose step it is,
and the certificate once all are done (and no objection waits for its answer)."""

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import due_date
from cases.models import Case, Deadline, EventAction, Stage
from cases.permissions import actor_reaches_case
from cases.services import case_event_record, case_transition, cases_bulk_transition, cases_lock
from core.actors import SYSTEM, Actor, actor_role
from core.models import Role
from core.workdays import WorkingCalendar
from courts.models import Enforcement

from .. import rules, selectors
from ..errors import RepairError
from ..models import CreditObjection, RepairRecord, RepairStep
from ._common import CHUNK, _actor_id, _forbidden, _is_system, logger

K = RepairStep.Kind

# Whose action each repair step is, and the roles that may record it.
STEP_PARTY: dict[str, str] = {
    K.LIST_REMOVAL: RepairStep.Party.COURT,
    K.RESTRICTION_LIFT: RepairStep.Party.COURT,
    K.CREDIT_REPORT_CORRECTION: RepairStep.Party.CREDITOR,
    K.CERTIFICATE: RepairStep.Party.CENTRE,
}
PARTY_ROLES: dict[str, frozenset[str]] = {
    RepairStep.Party.COURT: frozenset({Role.JUDGE, Role.CLERK}),
    RepairStep.Party.CREDITOR: frozenset({Role.CREDITOR_STAFF}),
    RepairStep.Party.CENTRE: frozenset({Role.CENTRE_ADMIN}),
}
STEP_EVENTS: dict[str, EventAction] = {
    K.LIST_REMOVAL: EventAction.DISHONEST_LIST_REMOVED,
    K.RESTRICTION_LIFT: EventAction.CONSUMPTION_RESTRICTION_LIFTED,
    K.CREDIT_REPORT_CORRECTION: EventAction.CREDIT_REPORT_CORRECTED,
}
CERTIFICATE_KIND = "credit_repair_certificate"


def verification_code_new() -> str:
    """12 characters of an alphabet without 0/O, 1/I: 60 bits, not guessable, easy to type from paper."""
    return "".join(secrets.choice(selectors.CODE_ALPHABET) for _ in range(12))


def _step(record: RepairRecord, kind: str, *, needed: bool = True, **fields: Any) -> RepairStep:
    status = RepairStep.Status.PENDING if needed else RepairStep.Status.NOT_NEEDED
    return RepairStep(
        record=record, case_id=record.case_id, kind=kind, party=STEP_PARTY[kind], status=status, **fields
    )


def _steps_for(
    record: RepairRecord,
    *,
    today: date,
    work_calendar: WorkingCalendar,
    listed: bool,
    restricted: bool,
    removal: tuple[int | None, date, bool],
) -> list[RepairStep]:
    """The four steps and their due dates (DOMAIN.md: removal in 3 working days; see credit_repair.rules)."""
    deadline_id, removal_due, warning = removal
    lift = work_calendar.add_working_days(today, rules.RESTRICTION_LIFT_WORKING_DAYS)
    correction = work_calendar.add_calendar_days(today, rules.CREDIT_REPORT_CORRECTION_DAYS)
    return [
        _step(
            record,
            K.LIST_REMOVAL,
            needed=listed,
            due_on=removal_due,
            calendar_warning=warning,
            deadline_id=deadline_id,
        ),
        _step(
            record,
            K.RESTRICTION_LIFT,
            needed=restricted,
            due_on=lift.due,
            calendar_warning=lift.calendar_warning,
        ),
        _step(
            record,
            K.CREDIT_REPORT_CORRECTION,
            due_on=correction.due,
            calendar_warning=correction.calendar_warning,
        ),
        _step(record, K.CERTIFICATE),
    ]


@transaction.atomic
def repairs_open(*, case_ids: Sequence[int] | None = None, today: date | None = None) -> list[int]:
    """Open the repair record and its steps for performed cases that have none (the given ones, or all),
    set-based, and move them on to `credit_repair`. Returns the cases opened."""
    today = today or timezone.localdate()
    qs = Case.objects.filter(stage__in=[Stage.PERFORMED, Stage.CREDIT_REPAIR], repair__isnull=True)
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    cases_lock(case_ids=qs.values_list("pk", flat=True))
    cases = list(qs.order_by("pk").values_list("pk", "centre_id", "performed_on"))
    if not cases:
        return []
    ids = [pk for pk, *_ in cases]
    removal_deadlines = {
        case_id: (pk, due_on, warning)
        for pk, case_id, due_on, warning in Deadline.objects.filter(
            case_id__in=ids, kind=Deadline.Kind.RECORD_REMOVAL
        )
        .order_by("pk")
        .values_list("pk", "case_id", "due_on", "calendar_warning")
    }
    court_state = selectors.enforcements_of(ids)
    calendars: dict[int, WorkingCalendar] = {}
    records = RepairRecord.objects.bulk_create(
        [
            RepairRecord(
                case_id=pk,
                performed_on=performed_on or today,
                opened_on=today,
                verification_code=verification_code_new(),
            )
            for pk, _c, performed_on in cases
        ]
    )
    steps: list[RepairStep] = []
    for record, (pk, centre_id, _p) in zip(records, cases, strict=True):
        work_calendar = calendars.setdefault(centre_id, WorkingCalendar.for_centre(centre_id))
        listed, restricted = court_state.get(pk, (False, False))
        removal: tuple[int | None, date, bool] | None = removal_deadlines.get(pk)
        if removal is None:
            due = due_date(kind=Deadline.Kind.RECORD_REMOVAL, start=today, work_calendar=work_calendar)
            removal = (None, due.due_on, due.calendar_warning)
        steps += _steps_for(
            record,
            today=today,
            work_calendar=work_calendar,
            listed=listed,
            restricted=restricted,
            removal=removal,
        )
    RepairStep.objects.bulk_create(steps, batch_size=CHUNK)
    # Nobody to remove from the list: the removal limit is met as it stands.
    not_listed = [pk for pk in ids if not court_state.get(pk, (False, False))[0]]
    now = timezone.now()
    Deadline.objects.filter(
        case_id__in=not_listed, kind=Deadline.Kind.RECORD_REMOVAL, status=Deadline.Status.OPEN
    ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    cases_bulk_transition(
        case_ids=ids,
        transition="start_credit_repair",
        actor=SYSTEM,
        reason="paid in full: credit repair begins",
    )
    return ids


@transaction.atomic
def repair_step_complete(
    *, case: Case, kind: str, actor: Actor, done_on: date | None = None, reference: str = "", note: str = ""
) -> RepairStep:
    """Record that a repair step was done, by the party whose step it is (the court removes the listing and
    lifts the restriction; the creditor corrects the credit report, with the correction's reference)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    try:
        step = RepairStep.objects.select_for_update().select_related("record").get(case=case, kind=kind)
    except RepairStep.DoesNotExist as exc:
        raise RepairError(_("This case has no such repair step."), code="no_step") from exc
    if kind == K.CERTIFICATE:
        raise RepairError(
            _("The platform issues the certificate once the other steps are done."), code="auto"
        )
    if not _is_system(actor) and (
        actor_role(actor) not in PARTY_ROLES[step.party] or not actor_reaches_case(actor, case)
    ):
        raise _forbidden()
    if step.status != RepairStep.Status.PENDING:
        raise RepairError(_("This step is already recorded."), code="step_done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate() or done_on < step.record.performed_on:
        raise RepairError(_("The date must lie between the performance and today."), code="step_date")
    reference, note = reference.strip(), note.strip()
    if kind == K.CREDIT_REPORT_CORRECTION and not reference:
        raise RepairError(
            _("Give the reference of the correction you sent to the credit reporting system."),
            code="reference",
        )
    step.status, step.done_on, step.done_by_id = RepairStep.Status.DONE, done_on, _actor_id(actor)
    step.reference, step.note = reference[:100], note[:300]
    step.save()
    now = timezone.now()
    if kind == K.LIST_REMOVAL:
        Enforcement.objects.filter(
            case=case, dishonest_listed_on__isnull=False, dishonest_removed_on__isnull=True
        ).update(dishonest_removed_on=done_on, updated_at=now)
        Deadline.objects.filter(
            case=case, kind=Deadline.Kind.RECORD_REMOVAL, status=Deadline.Status.OPEN
        ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    elif kind == K.RESTRICTION_LIFT:
        Enforcement.objects.filter(case=case, consumption_restricted=True).update(
            consumption_restricted=False, updated_at=now
        )
    case_event_record(
        case=case,
        action=STEP_EVENTS[kind],
        actor=actor,
        reason=note[:300],
        data={"done_on": str(done_on), "reference": reference[:100]},
    )
    repair_advance(case=case)
    return step


def repair_advance(*, case: Case) -> RepairRecord | None:
    """Once every step but the certificate is done and no objection waits for its answer: issue the
    certificate (a notice) and close the case. A case on hold waits (the periodic task comes back)."""
    Case.objects.select_for_update().only("pk").get(pk=case.pk)  # Case first, then its record
    record = RepairRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        return None
    if record.status == RepairRecord.Status.OPEN:
        pending = record.steps.filter(status=RepairStep.Status.PENDING).exclude(kind=K.CERTIFICATE)
        objections = CreditObjection.objects.filter(case=case, status=CreditObjection.Status.OPEN)
        if pending.exists() or objections.exists():
            return record
        notice = _certificate_send(case)
        if notice is None:
            return record
        today = timezone.localdate()
        record.certificate, record.certificate_issued_on = notice, today
        record.status, record.completed_at = RepairRecord.Status.DONE, timezone.now()
        record.save()
        record.steps.filter(kind=K.CERTIFICATE).update(status=RepairStep.Status.DONE, done_on=today)
        case_event_record(
            case=case,
            action=EventAction.CREDIT_REPAIR_CERTIFICATE_ISSUED,
            actor=SYSTEM,
            data={"notice": notice.pk, "verification_code": record.verification_code},
        )
    case = Case.objects.get(pk=case.pk)
    if case.on_hold:
        return record
    if case.stage == Stage.PERFORMED:
        case_transition(case=case, transition="start_credit_repair", actor=SYSTEM)
        case.refresh_from_db()
    if case.stage == Stage.CREDIT_REPAIR:
        case_transition(case=case, transition="close", actor=SYSTEM, reason="credit repair completed")
    return record


def _certificate_send(case: Case) -> Any:
    try:
        from notices.services import NoticeError, notice_send
    except ImportError:
        return None
    try:
        return notice_send(case=case, kind=CERTIFICATE_KIND, actor=SYSTEM)
    except (NoticeError, LookupError) as exc:
        logger.warning("credit-repair certificate for case %s not issued: %s", case.pk, exc)
        return None


def repairs_advance_pending() -> dict[str, int]:
    """The periodic sweep: open records for cases performed elsewhere (court console, bulk), start repair
    where a hold delayed it, issue the certificates that are due, close finished cases; set-based."""
    opened = repairs_open()
    started = cases_bulk_transition(
        case_ids=list(
            Case.objects.filter(stage=Stage.PERFORMED, repair__isnull=False).values_list("pk", flat=True)
        ),
        transition="start_credit_repair",
        actor=SYSTEM,
    ).done
    step_pending = RepairStep.objects.filter(
        record_id=OuterRef("pk"), status=RepairStep.Status.PENDING
    ).exclude(kind=K.CERTIFICATE)
    objection_open = CreditObjection.objects.filter(
        case_id=OuterRef("case_id"), status=CreditObjection.Status.OPEN
    )
    ready = list(
        RepairRecord.objects.filter(status=RepairRecord.Status.OPEN)
        .exclude(Exists(step_pending))
        .exclude(Exists(objection_open))
        .values_list("case_id", flat=True)
    )
    issued = 0
    for case in Case.objects.filter(pk__in=ready).order_by("pk"):  # only records whose steps are all done
        with transaction.atomic():
            record = repair_advance(case=case)
            issued += bool(record and record.status == RepairRecord.Status.DONE)
    closed = cases_bulk_transition(
        case_ids=list(
            RepairRecord.objects.filter(
                status=RepairRecord.Status.DONE, case__stage=Stage.CREDIT_REPAIR
            ).values_list("case_id", flat=True)
        ),
        transition="close",
        actor=SYSTEM,
        reason="credit repair completed",
    ).done
    return {"opened": len(opened), "started": len(started), "certificates": issued, "closed": len(closed)}
