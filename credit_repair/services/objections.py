"""Credit-record objections (Credit Reporting Regulation 25): the debtor's objection with its evidence and
the creditor's written answer."""

import hashlib
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Deadline, EventAction
from cases.permissions import actor_reaches_case
from cases.services import case_event_record, deadline_open
from core.actors import SYSTEM, Actor, SystemActor, actor_role
from core.models import Role
from core.uploads import UploadRefused, upload_check
from notices.storage import private_storage

from .. import rules
from ..errors import EvidenceRefused, RepairError
from ..models import CreditObjection, ObjectionEvidence
from ._common import _forbidden
from .repair import repair_advance


def _evidence_kind(uploaded: UploadedFile) -> tuple[str, str]:
    """The verified type and extension of an evidence file (core.uploads: by its bytes, no active PDFs)."""
    try:
        checked = upload_check(uploaded, max_bytes=rules.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        code = {
            "file_too_large": "evidence_too_large",
            "file_empty": "evidence_empty",
            "file_active_content": "evidence_active_content",
        }.get(exc.code, "evidence_type")
        raise EvidenceRefused(exc.message, code=code) from exc
    return checked.content_type, f".{checked.extension}"


def credit_objection_file(*, case: Case, statement: str, evidence: list) -> CreditObjection:
    """A debtor's objection to a credit record (Credit Reporting Regulation 25): the statement, evidence
    files kept privately (JPEG, PNG or PDF by their first bytes, 10 MB each), and the creditor's 20-day
    limit to answer in writing. Raises EvidenceRefused or RepairError with a message for the debtor."""
    statement = (statement or "").strip()
    if not statement:
        raise RepairError(_("Say which record you believe is wrong and why."), code="statement_required")
    if len(statement) > rules.OBJECTION_STATEMENT_MAX_CHARS:
        raise RepairError(_("The statement is longer than 2000 characters."), code="statement_too_long")
    files = list(evidence or [])
    if len(files) > rules.EVIDENCE_MAX_FILES:
        raise EvidenceRefused(_("Attach at most 10 files."), code="evidence_too_many")
    kinds = [_evidence_kind(f) for f in files]
    storage = private_storage()
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("centre").get(pk=case.pk)
            deadline = deadline_open(case=locked, kind=Deadline.Kind.CREDIT_OBJECTION_ANSWER)
            objection = CreditObjection.objects.create(
                case=locked,
                statement=statement,
                filed_on=deadline.starts_on,
                answer_due_on=deadline.due_on,
                calendar_warning=deadline.calendar_warning,
                deadline=deadline,
            )
            for uploaded, (content_type, ext) in zip(files, kinds, strict=True):
                digest = hashlib.sha256()
                for chunk in uploaded.chunks():
                    digest.update(chunk)
                uploaded.seek(0)
                name = storage.save(
                    f"credit_objections/{locked.centre.code}/{locked.code}/{uuid.uuid4().hex}{ext}", uploaded
                )
                saved.append(name)
                ObjectionEvidence.objects.create(
                    objection=objection,
                    file=name,
                    original_name=(uploaded.name or "")[-200:],
                    content_type=content_type,
                    size=uploaded.size or 0,
                    sha256=digest.hexdigest(),
                )
            case_event_record(
                case=locked,
                action=EventAction.CREDIT_OBJECTION_FILED,
                actor=SYSTEM,
                reason=statement[:300],
                data={
                    "objection": objection.pk,
                    "evidence": len(files),
                    "answer_due_on": str(deadline.due_on),
                },
            )
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return objection


@transaction.atomic
def credit_objection_answer(
    *, objection: CreditObjection, actor: Actor, answer: str, record_corrected: bool = False
) -> CreditObjection:
    """The creditor's written answer (Credit Reporting Regulation 25: within 20 days; a late answer is
    still recorded, and shown as late)."""
    case = Case.objects.select_for_update().get(pk=objection.case_id)
    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, case):
        raise _forbidden()
    objection = CreditObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != CreditObjection.Status.OPEN:
        raise RepairError(_("This objection was already answered."), code="answered")
    answer = (answer or "").strip()
    if not answer:
        raise RepairError(_("Write the answer to the debtor."), code="answer_required")
    now = timezone.now()
    objection.status, objection.answer, objection.record_corrected = (
        CreditObjection.Status.ANSWERED,
        answer[:5000],
        record_corrected,
    )
    objection.answered_at = now
    objection.answered_by = None if isinstance(actor, SystemActor) else actor
    objection.save()
    if objection.deadline_id:
        Deadline.objects.filter(
            pk=objection.deadline_id, status__in=[Deadline.Status.OPEN, Deadline.Status.EXPIRED]
        ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    late = timezone.localdate(now) > objection.answer_due_on
    case_event_record(
        case=case,
        action=EventAction.CREDIT_OBJECTION_ANSWERED,
        actor=actor,
        data={"objection": objection.pk, "record_corrected": record_corrected, "late": late},
    )
    repair_advance(case=case)
    return objection
