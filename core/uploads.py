"""Every file a user uploads, anywhere on the platform: checked by its content, served by what was verified.

One module for the whole platform so that there is one table of accepted types. A file's type is decided
from its first bytes (never from the uploader's name or the browser's claim); PDFs that carry JavaScript or
actions that run on opening are refused; and a stored file is served with the type its bytes prove, inline
only when that is an image or a PDF, with `nosniff` and a restrictive Content-Security-Policy.
"""

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # without the dot
    magic: bytes
    label: str  # what the user is told the platform accepts


JPEG = FileType("image/jpeg", "jpg", b"\xff\xd8\xff", "JPEG")
PNG = FileType("image/png", "png", b"\x89PNG\r\n\x1a\n", "PNG")
PDF = FileType("application/pdf", "pdf", b"%PDF-", "PDF")
# Photos from a phone and scanned or saved PDFs: the only evidence and attachment types accepted.
DOCUMENT_TYPES: tuple[FileType, ...] = (JPEG, PNG, PDF)
# Types a browser may show inline; anything else is served as a download.
INLINE_TYPES = frozenset({JPEG.content_type, PNG.content_type, PDF.content_type})
ACCEPT_ATTRIBUTE = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
# Bytes read to decide a type: the longest magic number.
HEAD_BYTES = 16
DOWNLOAD_TYPE = "application/octet-stream"
# File responses run nothing and load nothing; a PDF viewer may still show the document itself.
FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
DOWNLOAD_CSP = "default-src 'none'; sandbox"
# PDF name tokens that run code or act on opening (ISO 32000-1 §12.6: actions; §12.6.4.16: JavaScript).
PDF_ACTIVE_NAMES = ("JS", "JavaScript", "OpenAction", "AA", "Launch")
# A PDF ends with %%EOF (readers look for it in the last kilobyte): a file that starts like a PDF but does
# not end like one is something else wearing a PDF header.
PDF_END = b"%%EOF"
PDF_END_WINDOW = 1024
_PDF_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2})+)")


class UploadRefused(ValueError):
    """A file that cannot be accepted; ``message`` says why in the reader's language, ``code`` for APIs."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    type: FileType

    @property
    def content_type(self) -> str:
        return self.type.content_type

    @property
    def extension(self) -> str:
        return self.type.extension


def upload_max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def sniff(head: bytes, types: Iterable[FileType] = DOCUMENT_TYPES) -> FileType | None:
    """The type the first bytes prove, or None."""
    for file_type in types:
        if head.startswith(file_type.magic):
            return file_type
    return None


def _pdf_names(data: bytes) -> set[str]:
    """Every name object in a PDF, with #xx escapes decoded (so /J#53 is /JS)."""
    names = set()
    for raw in _PDF_NAME.findall(data):
        names.add(
            re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        )
    return names


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Compressed object streams can hide the names; each stream is inflated up to this many bytes.
_INFLATE_LIMIT = 20 * 1024 * 1024


def _inflated_streams(data: bytes) -> Iterable[bytes]:
    for body in _PDF_STREAM.findall(data):
        try:
            yield zlib.decompressobj().decompress(body, _INFLATE_LIMIT)
        except zlib.error:
            continue


def pdf_active_content(data: bytes) -> list[str]:
    """The names in this PDF that run JavaScript or act on opening (empty when there are none),
    looked for in the file and inside its compressed streams."""
    found = _pdf_names(data)
    for inflated in _inflated_streams(data):
        found |= _pdf_names(inflated)
    return [name for name in PDF_ACTIVE_NAMES if name in found]


def _display_name(upload: UploadedFile) -> str:
    return Path(upload.name or "").name[:100] or str(_("the file"))


def upload_check(
    upload: UploadedFile, *, types: Iterable[FileType] = DOCUMENT_TYPES, max_bytes: int | None = None
) -> CheckedUpload:
    """The upload's verified type, or UploadRefused saying why (size, type, active content)."""
    limit = max_bytes or upload_max_bytes()
    name = _display_name(upload)
    types = tuple(types)
    if upload.size is None or upload.size > limit:
        raise UploadRefused(
            _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": _megabytes(limit)},
            "file_too_large",
        )
    if upload.size == 0:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name}, "file_empty")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    file_type = sniff(head, types)
    if file_type is None:
        accepted = ", ".join(t.label for t in types)
        raise UploadRefused(
            _("%(name)s is not an accepted file (%(types)s).") % {"name": name, "types": accepted},
            "file_type",
        )
    if file_type is PDF:
        data = upload.read()
        upload.seek(0)
        if PDF_END not in data[-PDF_END_WINDOW:]:
            raise UploadRefused(
                _("%(name)s is not a complete PDF file.") % {"name": name}, "file_incomplete_pdf"
            )
        if active := pdf_active_content(data):
            raise UploadRefused(
                _("%(name)s runs scripts or actions on opening (%(names)s): save it as a plain PDF.")
                % {"name": name, "names": ", ".join(f"/{n}" for n in active)},
                "file_active_content",
            )
    return CheckedUpload(upload=upload, type=file_type)


def uploads_check(
    uploads: Iterable[UploadedFile],
    *,
    max_files: int,
    types: Iterable[FileType] = DOCUMENT_TYPES,
    max_bytes: int | None = None,
) -> list[CheckedUpload]:
    uploads = list(uploads)
    if len(uploads) > max_files:
        raise UploadRefused(_("At most %(n)d files at a time.") % {"n": max_files}, "too_many_files")
    return [upload_check(upload, types=types, max_bytes=max_bytes) for upload in uploads]


def _megabytes(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 1 else f"{mb:.2f}"


def stored_file_response(handle: IO[bytes], *, filename: str, inline: bool = True) -> FileResponse:
    """Serve a stored upload with the type its bytes prove: inline only for a verified image or PDF.

    Whatever type was recorded at upload, or the name suggests, is ignored: a file that is not a verified
    image or PDF is a download (`application/octet-stream`, attachment, sandboxed).
    """
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    file_type = sniff(head)
    safe_name = Path(filename).name or "file"
    if file_type is not None and file_type.content_type in INLINE_TYPES:
        stem = Path(safe_name).stem or "file"
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=f"{stem}.{file_type.extension}",
            content_type=file_type.content_type,
        )
        response["Content-Security-Policy"] = FILE_CSP
    else:
        response = FileResponse(handle, as_attachment=True, filename=safe_name, content_type=DOWNLOAD_TYPE)
        response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
