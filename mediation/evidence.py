"""Evidence files from debtors: type sniffed from the first bytes, size capped, stored privately.

Files live under settings.PRIVATE_STORAGE_ROOT/evidence/ with random names; only views that check the
debtor's session or a staff user's reach (cases.selectors) serve them.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case, Debtor
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.models import Role
from core.uploads import ACCEPT_ATTRIBUTE, DOCUMENT_TYPES, UploadRefused, uploads_check

from .models import EvidenceFile, HardshipRequest, Objection

# The platform's one table of accepted types (core.uploads): photos from a phone and scanned or saved PDFs.
EXTENSIONS = {t.content_type: t.extension for t in DOCUMENT_TYPES}
ACCEPT = ACCEPT_ATTRIBUTE


class EvidenceError(ValueError):
    """A file that cannot be accepted; ``message`` says why, in the reader's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "DEBTOR_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "DEBTOR_EVIDENCE_MAX_FILES", 5))


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str


def evidence_check(files: Iterable[UploadedFile]) -> list[CheckedFile]:
    """Every file is a JPEG, PNG or PDF by its bytes (no scripts in a PDF), within the size limit, or
    EvidenceError (core.uploads decides)."""
    try:
        checked = uploads_check(files, max_files=max_files(), max_bytes=max_bytes())
    except UploadRefused as exc:
        raise EvidenceError(exc.message) from exc
    return [CheckedFile(upload=c.upload, content_type=c.content_type) for c in checked]


def _root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def evidence_store(
    *,
    case: Case,
    files: list[CheckedFile],
    objection: Objection | None = None,
    hardship: HardshipRequest | None = None,
) -> list[EvidenceFile]:
    """Write checked files under random names and record them (call inside the caller's transaction)."""
    stored: list[EvidenceFile] = []
    written: list[Path] = []
    try:
        for item in files:
            relative = (
                f"evidence/{case.centre_id}/{timezone.localdate():%Y/%m}/"
                f"{secrets.token_hex(16)}.{EXTENSIONS[item.content_type]}"
            )
            target = _root() / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with target.open("xb") as out:
                written.append(target)
                for chunk in item.upload.chunks():
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            stored.append(
                EvidenceFile.objects.create(
                    case=case,
                    objection=objection,
                    hardship=hardship,
                    path=relative,
                    original_name=Path(item.upload.name or "").name[:200] or relative.rsplit("/", 1)[-1],
                    content_type=item.content_type,
                    size=size,
                    sha256=digest.hexdigest(),
                )
            )
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return stored


def evidence_open(evidence: EvidenceFile) -> IO[bytes]:
    path = (_root() / evidence.path).resolve()
    if _root().resolve() not in path.parents:
        raise Http404
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc


def evidence_filename(evidence: EvidenceFile) -> str:
    return f"{evidence.case.code}-evidence-{evidence.pk}.{EXTENSIONS.get(evidence.content_type, 'bin')}"


# --- who may read a file --------------------------------------------------------------------------------


def evidence_of_debtor(*, debtor: Debtor, case_ids: list[int], pk: Any) -> EvidenceFile:
    """A file on one of the cases this debtor's session has proven (case_ids), or 404."""
    try:
        return EvidenceFile.objects.select_related("case").get(
            pk=pk, case__debtor_id=debtor.pk, case__centre_id=debtor.centre_id, case_id__in=case_ids
        )
    except (EvidenceFile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def evidence_visible_to(user: Any) -> QuerySet[EvidenceFile]:
    """Files on cases the user may see; a creditor's staff never see hardship evidence (medical, personal)."""
    qs = EvidenceFile.objects.filter(case__in=cases_visible_to(user))
    if actor_role(user) == Role.CREDITOR_STAFF:
        qs = qs.filter(hardship__isnull=True)
    return qs


def evidence_for_staff(*, user: Any, pk: Any) -> EvidenceFile:
    try:
        return evidence_visible_to(user).select_related("case").get(pk=pk)
    except (EvidenceFile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
