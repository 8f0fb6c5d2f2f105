"""One upload check for the whole platform: type by content, size, no active PDFs; files served safely."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import (
    DOWNLOAD_TYPE,
    UploadRefused,
    pdf_active_content,
    stored_file_response,
    upload_check,
    uploads_check,
)

PLAIN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _file(data: bytes, name: str = "f.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/html")


def test_a_pdf_is_accepted_by_its_bytes_whatever_its_name_and_claimed_type():
    checked = upload_check(_file(PLAIN_PDF, "reply.html"))
    assert checked.content_type == "application/pdf"
    assert checked.extension == "pdf"


def test_html_with_a_pdf_header_is_refused_as_not_a_complete_pdf():
    hostile = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n"
    with pytest.raises(UploadRefused) as exc:
        upload_check(_file(hostile, "reply.html"))
    assert exc.value.code == "file_incomplete_pdf"
    assert "reply.html" in str(exc.value.message)


def test_html_is_refused_by_type():
    with pytest.raises(UploadRefused) as exc:
        upload_check(_file(b"<html><script>alert(1)</script></html>", "reply.pdf"))
    assert exc.value.code == "file_type"


@pytest.mark.parametrize("name", ["JS", "JavaScript", "OpenAction", "AA", "Launch"])
def test_pdfs_with_scripts_or_automatic_actions_are_refused(name):
    data = PLAIN_PDF.replace(b"/Type /Catalog", f"/Type /Catalog /{name} 3 0 R".encode())
    with pytest.raises(UploadRefused) as exc:
        upload_check(_file(data))
    assert exc.value.code == "file_active_content"
    assert f"/{name}" in str(exc.value.message)


def test_escaped_and_compressed_names_are_found_too():
    assert pdf_active_content(b"%PDF-1.7 << /J#53 (app.alert(1)) >> %%EOF") == ["JS"]
    hidden = zlib.compress(b"<< /OpenAction << /S /JavaScript /JS (x) >> >>")
    data = b"%PDF-1.7\n4 0 obj << /Filter /FlateDecode >>\nstream\n" + hidden + b"\nendstream\n%%EOF"
    assert set(pdf_active_content(data)) == {"JS", "JavaScript", "OpenAction"}


def test_names_that_only_begin_like_an_action_are_not_active():
    assert pdf_active_content(b"%PDF-1.7 << /AAPL 1 /JSON 2 /Launcher 3 >> %%EOF") == []


def test_size_limit_is_the_configured_one_on_both_sides(settings):
    settings.UPLOAD_MAX_BYTES = len(PNG)
    assert upload_check(_file(PNG, "photo.png")).content_type == "image/png"
    settings.UPLOAD_MAX_BYTES = len(PNG) - 1
    with pytest.raises(UploadRefused) as exc:
        upload_check(_file(PNG, "photo.png"))
    assert exc.value.code == "file_too_large"


def test_empty_files_and_too_many_files_are_refused():
    with pytest.raises(UploadRefused) as exc:
        upload_check(_file(b"", "empty.pdf"))
    assert exc.value.code == "file_empty"
    with pytest.raises(UploadRefused) as exc:
        uploads_check([_file(PNG, f"{i}.png") for i in range(3)], max_files=2)
    assert exc.value.code == "too_many_files"
    assert len(uploads_check([_file(PNG, f"{i}.png") for i in range(2)], max_files=2)) == 2


def test_a_stored_file_is_served_with_the_type_its_bytes_prove():
    response = stored_file_response(io.BytesIO(PLAIN_PDF), filename="reply.html")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="reply.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_stored_file_that_is_not_an_image_or_pdf_is_a_sandboxed_download():
    response = stored_file_response(io.BytesIO(b"<script>alert(1)</script>"), filename="reply.html")
    assert response["Content-Type"] == DOWNLOAD_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
