"""creditor1 uploads a batch with good and bad rows, watches it import, downloads the error report;
creditor2 cannot see that batch."""

import csv
import io
import threading
import time

import pytest
from playwright.sync_api import expect

from cases.batches import importer, services
from cases.models import Batch, Case
from tests.cases.batches.files import good_row, write_csv

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
ROWS = 600


@pytest.fixture
def background_worker(monkeypatch):
    """Run each started import in a thread, as a Celery worker would, slowed so its progress can be seen."""
    threads = []
    real_flush = importer._flush

    def slow_flush(*args, **kwargs):
        time.sleep(0.15)
        return real_flush(*args, **kwargs)

    def start_in_thread(*, batch):
        def run():
            from django.db import connection

            try:
                importer.batch_import(batch=Batch.objects.get(pk=batch.pk), chunk_size=40)
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        # After the upload's transaction, as the on-commit hook of the real batch_start does.
        from django.db import transaction

        transaction.on_commit(thread.start)
        threads.append(thread)

    monkeypatch.setattr(importer, "_flush", slow_flush)
    monkeypatch.setattr(importer, "REPORT_EVERY_SECONDS", 0)
    monkeypatch.setattr(services, "batch_start", start_in_thread)
    yield
    for thread in threads:
        thread.join(timeout=60)


def test_creditor_uploads_watches_progress_and_downloads_errors(
    page, live_server, browser_world, tmp_path, background_worker, browser
):
    rows = [good_row(n) for n in range(2, ROWS)]
    rows[10]["phone"] = "12345"  # row 12
    rows[20]["id_number"] = rows[20]["id_number"][:17] + (
        "1" if rows[20]["id_number"][-1] != "1" else "2"
    )  # row 22
    rows[30]["principal"] = "-100"  # row 32
    path = write_csv(tmp_path / "第一批.csv", rows)

    login(page, live_server, "creditor1")
    page.goto(f"{live_server.url}/portal/batches/")
    expect(page.get_by_role("heading", name="上传案件批次")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("[data-testid=upload-form] button[type=submit]").click()

    status = page.locator("#batch-status")
    expect(status).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    seen_running = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and status.get_attribute("data-status") in ("queued", "running"):
        read = int(page.get_by_test_id("rows-read").inner_text() or 0)
        if status.get_attribute("data-status") == "running" and read > 0:
            seen_running = max(seen_running, read)
            screenshot(page, "creditor1-batch-progress")
        time.sleep(0.2)
    assert 0 < seen_running < ROWS - 1, "the page showed the rows read while the import ran"
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("accepted")).to_have_text(str(ROWS - 5))
    expect(page.get_by_test_id("rejected")).to_have_text("3")
    table = page.get_by_test_id("error-table")
    for code in ("phone_invalid", "id_number_checksum", "amount_invalid"):
        expect(table).to_contain_text(code)
    screenshot(page, "creditor1-batch-report")

    with page.expect_download() as download_info:
        page.get_by_test_id("errors-csv").click()
    report = download_info.value.path().read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(report)))
    assert [(r[0], r[3]) for r in lines[1:]] == [
        ("12", "phone_invalid"),
        ("22", "id_number_checksum"),
        ("32", "amount_invalid"),
    ]
    assert "12345" not in report and rows[20]["id_number"] not in report
    with page.expect_download() as download_info:
        page.get_by_test_id("errors-xlsx").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    batch = Batch.objects.get()
    assert Case.objects.filter(batch=batch).count() == ROWS - 5

    other = browser.new_context(locale="zh-CN")
    other_page = other.new_page()
    try:
        login(other_page, live_server, "creditor2")
        response = other_page.goto(f"{live_server.url}/portal/batches/{batch.pk}/")
        assert response.status == 404
        other_page.goto(f"{live_server.url}/portal/batches/")
        expect(other_page.get_by_text("第一批.csv")).to_have_count(0)
        response = other_page.goto(f"{live_server.url}/portal/batches/{batch.pk}/errors.csv")
        assert response.status == 404
    finally:
        other.close()
