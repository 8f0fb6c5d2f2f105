"""'Download only the rejected rows': the rows as uploaded plus what is wrong, fixed and uploaded again."""

import csv
import io

import openpyxl
from django.urls import reverse

from cases.models import Batch, BatchRejectedRow, Case
from tests.cases.batches.files import HEADERS, as_lists, good_row, write_csv, write_xlsx
from tests.factories import PASSWORD, valid_phone

BAD_PHONE = "139-1234-56"


def _download(client, batch: Batch, fmt: str, language: str = "zh-hans") -> list[list[str]]:
    response = client.get(
        reverse("batches:rejected_rows", args=[batch.pk, fmt]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]


def test_the_rejected_rows_come_back_as_uploaded_with_the_error_and_reimport_once_fixed(
    world, client, tmp_path, web_upload
):
    rows = [
        good_row(2),
        good_row(3, phone=BAD_PHONE),
        good_row(4, external_ref="=HT4", principal="-5"),
        good_row(5),
    ]
    page, batch = web_upload(write_csv(tmp_path / "mixed.csv", rows))
    assert (batch.accepted, batch.rejected) == (2, 2)
    assert 'data-testid="rejected-csv"' in page.content.decode()
    # the file is gone (PIPL 6); its two rejected rows and the header are kept, encrypted
    assert BatchRejectedRow.objects.filter(batch=batch).count() == 3

    got = _download(client, batch, "csv")
    assert got[0][: len(HEADERS)] == HEADERS and got[0][-1].startswith("本行错误")
    assert [r[0] for r in got[1:]] == ["HT00000003", "'=HT4"]  # neutralised: a spreadsheet runs nothing
    assert got[1][3] == BAD_PHONE and "手机号" in got[1][-1] and "phone_invalid" in got[1][-1]
    assert "本金" in got[2][-1] and "amount_invalid" in got[2][-1]
    english = _download(client, batch, "csv", language="en")
    assert english[0][-1] == "Errors in this row (ignored on upload)"
    assert (
        english[2][-1].startswith("本金: ") and english[2][-1].isascii() is False
    )  # the header as in the file
    assert english[2][-1].removeprefix("本金: ").isascii()  # the message itself in English

    # fixed in place and uploaded as it is: the error column is ignored as an unknown column
    got[1][3] = valid_phone(3)
    got[2][7] = "5000"
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(got)
    _page, again = web_upload(fixed)
    assert (again.accepted, again.rejected) == (2, 0)
    assert again.unknown_columns == [got[0][-1]]
    assert Case.objects.filter(creditor=world.bank, external_ref="=HT4").exists()  # the apostrophe is ours


def test_an_xlsx_upload_gives_back_an_xlsx_of_its_rejected_rows(world, client, tmp_path, web_upload):
    rows = as_lists([good_row(2), good_row(3, id_number="35050219900101001")])
    _page, batch = web_upload(write_xlsx(tmp_path / "b.xlsx", rows))
    got = _download(client, batch, "xlsx")
    assert got[0][: len(HEADERS)] == HEADERS and len(got) == 2
    assert got[1][0] == "HT00000003" and "id_number_invalid" in got[1][-1]


def test_rejected_rows_are_out_of_reach_of_another_creditor(world, client, tmp_path, web_upload):
    _page, batch = web_upload(write_csv(tmp_path / "m.csv", [good_row(2, phone=BAD_PHONE)]))
    client.login(username="creditor2", password=PASSWORD)
    assert client.get(reverse("batches:rejected_rows", args=[batch.pk, "csv"])).status_code == 404


def test_a_batch_without_rejected_rows_offers_no_such_download(world, client, tmp_path, web_upload):
    page, batch = web_upload(write_csv(tmp_path / "ok.csv", [good_row(2)]))
    assert "rejected-csv" not in page.content.decode()
    assert client.get(reverse("batches:rejected_rows", args=[batch.pk, "csv"])).status_code == 404


def test_the_error_table_shows_the_message_in_the_readers_language_beside_the_code(
    world, client, tmp_path, web_upload
):
    _page, batch = web_upload(write_csv(tmp_path / "m.csv", [good_row(2, phone=BAD_PHONE)]))
    url = reverse("batches:detail", args=[batch.pk])
    chinese = client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "phone_invalid</code>" in chinese and "手机号" in chinese.split('data-testid="error-message">')[1]
    message = english.split('data-testid="error-message">')[1].split("<")[0]
    assert message and all(ord(ch) < 128 for ch in message)
