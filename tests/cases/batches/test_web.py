"""Portal pages and REST API of batches: scoping, progress, reports, downloads, export and withdrawal."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.batches.template import template_csv, template_xlsx
from cases.models import Batch, Case
from tests.cases.batches.files import good_row, write_csv
from tests.factories import PASSWORD


@pytest.fixture
def batch_with_errors(world, tmp_path, web_upload):
    rows = [
        good_row(2),
        good_row(3, id_number="35050219900101001", phone="139-1234-56"),
        good_row(4, debtor_name="=HYPERLINK(1)" + "x" * 50),
    ]
    _page, batch = web_upload(write_csv(tmp_path / "mixed.csv", rows))
    return batch


def test_the_upload_page_lists_past_batches_with_counts(world, client, batch_with_errors):
    client.login(username="creditor1", password=PASSWORD)
    page = client.get(reverse("batches:list")).content.decode()
    assert "mixed.csv" in page and f"#{batch_with_errors.pk}" in page
    assert 'action="' not in page or "multipart/form-data" in page


def test_the_status_fragment_polls_while_running_and_stops_when_done(world, client, batch_with_errors):
    client.login(username="creditor1", password=PASSWORD)
    url = reverse("batches:status", args=[batch_with_errors.pk])
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and 'data-testid="error-table"' in done
    Batch.objects.filter(pk=batch_with_errors.pk).update(
        status="running", rows_read=5000, progress_percent=40
    )
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running and "<progress" in running and ">5000<" in running


def test_error_report_downloads_mask_and_neutralise(world, client, batch_with_errors):
    client.login(username="creditor1", password=PASSWORD)
    response = client.get(reverse("batches:errors", args=[batch_with_errors.pk, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + batch_with_errors.error_count == 4
    by_code = {r[3]: r for r in rows[1:]}
    masked_id = by_code["id_number_invalid"][5]
    assert len(masked_id) == 17 and masked_id.count("*") >= 10 and "19900101" not in masked_id
    assert "1234" not in by_code["phone_invalid"][5]
    assert by_code["too_long"][5].startswith("'=HYPERLINK")
    response = client.get(reverse("batches:errors", args=[batch_with_errors.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 3 and any(str(v[5]).startswith("'=HYPERLINK") for v in values)


def test_messages_follow_the_readers_language(world, client, batch_with_errors):
    client.login(username="creditor1", password=PASSWORD)
    url = reverse("batches:detail", args=[batch_with_errors.pk])
    client.cookies["django_language"] = "en"
    assert "Not a mainland mobile number" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_another_creditor_gets_404_on_pages_and_api(world, client, batch_with_errors):
    client.login(username="creditor2", password=PASSWORD)
    pk = batch_with_errors.pk
    for url in [
        reverse("batches:detail", args=[pk]),
        reverse("batches:status", args=[pk]),
        reverse("batches:errors", args=[pk, "csv"]),
        reverse("batches:errors", args=[pk, "xlsx"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("batches:retry", args=[pk])).status_code == 404
    assert "mixed.csv" not in client.get(reverse("batches:list")).content.decode()
    api = APIClient()
    api.force_authenticate(world.creditor2)
    assert api.get(f"/api/batches/{pk}/").status_code == 404
    assert api.get(f"/api/batches/{pk}/errors/").status_code == 404
    assert api.get("/api/batches/").json()["results"] == []


def test_the_centre_admin_sees_the_batch_and_a_mediator_may_not_upload(
    world, client, batch_with_errors, tmp_path
):
    client.login(username="centreadmin", password=PASSWORD)
    assert client.get(reverse("batches:detail", args=[batch_with_errors.pk])).status_code == 200
    client.login(username="mediator1", password=PASSWORD)
    assert client.get(reverse("batches:list")).status_code == 403
    api = APIClient()
    api.force_authenticate(world.mediator1)
    with write_csv(tmp_path / "m.csv", [good_row(2)]).open("rb") as f:
        assert api.post("/api/batches/", {"file": f}, format="multipart").status_code == 403


def test_api_upload_status_and_errors(world, tmp_path, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(world.creditor1)
    path = write_csv(tmp_path / "api.csv", [good_row(2), good_row(3, email="bad"), good_row(4, phone="")])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as f:
        created = api.post("/api/batches/", {"file": f}, format="multipart")
    assert created.status_code == 201
    batch_id = created.json()["batch"]
    status = api.get(f"/api/batches/{batch_id}/").json()
    counts = (status["status"], status["accepted"], status["rejected"], status["error_count"])
    assert counts == ("done", 1, 2, 2)
    errors = api.get(f"/api/batches/{batch_id}/errors/", {"page_size": 1}).json()
    assert errors["count"] == 2 and len(errors["results"]) == 1 and errors["next"]
    assert errors["results"][0] | {"message": ""} == {
        "row": 3,
        "column": "email",
        "code": "email_invalid",
        "message": "",
        "value": "bad",
    }
    assert api.post("/api/batches/", {}, format="multipart").status_code == 400


def test_the_templates_have_chinese_headers_an_example_and_import_cleanly(world, tmp_path, run_import):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    cases, guide = workbook.worksheets
    assert [c.value for c in cases[1]][:4] == ["合同编号", "姓名", "身份证号", "手机号"]
    assert cases.max_row == 2 and guide.max_row == 22  # 15 columns and 6 optional history columns
    (tmp_path / "template.xlsx").write_bytes(template_xlsx())
    (tmp_path / "template.csv").write_bytes(template_csv())
    assert run_import(tmp_path / "template.xlsx").data["accepted"] == 1
    again = run_import(tmp_path / "template.csv").data
    assert again["accepted"] == 0 and again["errors"] == [
        {"row": 2, "column": "external_ref", "code": "duplicate_existing"}
    ]


def test_case_export_follows_the_filters_masks_and_neutralises(world, client, tmp_path, web_upload):
    _page, batch = web_upload(
        write_csv(tmp_path / "e.csv", [good_row(2, external_ref="=cmd|' /C calc'!A0"), good_row(3)])
    )
    world.case()  # not in the batch
    response = client.get(reverse("batches:cases_export", args=["csv"]), {"batch": batch.pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    refs = {r[1] for r in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in refs
    assert all("*" in r[4] and "*" in r[5] for r in rows[1:])
    response = client.get(reverse("batches:cases_export", args=["xlsx"]), {"batch": batch.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3
    client.login(username="creditor2", password=PASSWORD)
    response = client.get(reverse("batches:cases_export", args=["csv"]), {"batch": batch.pk})
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))) == 1


def test_bulk_withdraw_reports_what_it_could_not_withdraw(world, client):
    from cases import services

    open_cases = [world.case(), world.case()]
    closed = world.case()
    services.case_transition(
        case=closed, transition="withdraw", actor=world.creditor1, reason="paid elsewhere"
    )
    other = world.case(creditor=world.cf)
    client.login(username="creditor1", password=PASSWORD)
    form = client.get(reverse("batches:cases_withdraw"))
    assert form.status_code == 200 and open_cases[0].code in form.content.decode()
    response = client.post(
        reverse("batches:cases_withdraw"),
        {
            "cases": [c.pk for c in [*open_cases, closed, other]],
            "reason": "settled outside",
            "confirmed": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert Case.objects.filter(pk__in=[c.pk for c in open_cases], stage="withdrawn").count() == 2
    assert closed.code in html and other.code not in html
    other.refresh_from_db()
    assert other.stage != "withdrawn"


def test_bulk_withdraw_opens_with_nothing_ticked(world, client):
    cases = [world.case(), world.case()]
    client.login(username="creditor1", password=PASSWORD)
    html = client.get(reverse("batches:cases_withdraw")).content.decode()
    for case in cases:
        assert f'value="{case.pk}"' in html
    assert " checked" not in html


def test_bulk_withdraw_shows_the_count_and_asks_before_it_acts(world, client):
    cases = [world.case(), world.case(), world.case()]
    client.login(username="creditor1", password=PASSWORD)
    chosen = [cases[0].pk, cases[2].pk]
    review = client.post(reverse("batches:cases_withdraw"), {"cases": chosen, "reason": "paid at the branch"})
    html = review.content.decode()
    assert review.status_code == 200
    assert "撤回 2 件案件" in html
    assert cases[0].code in html and cases[2].code in html and cases[1].code not in html
    assert not Case.objects.filter(stage="withdrawn").exists()  # nothing happened yet
    done = client.post(
        reverse("batches:cases_withdraw"), {"cases": chosen, "reason": "paid at the branch", "confirmed": "1"}
    )
    assert done.status_code == 200
    assert set(Case.objects.filter(stage="withdrawn").values_list("pk", flat=True)) == set(chosen)


def test_the_uploaded_file_is_deleted_once_imported(world, tmp_path, web_upload):
    from pathlib import Path

    _page, batch = web_upload(write_csv(tmp_path / "gone.csv", [good_row(2)]))
    assert batch.status == "done" and batch.stored_file
    assert not Path(batch.stored_file).exists()
    assert (tmp_path / "gone.csv").exists()
