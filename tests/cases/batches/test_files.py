"""Reading files: encodings, delimiters, spreadsheet cells, headers; refusing whole files with the reason."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from cases.models import Batch, Case
from tests.cases.batches.files import HEADERS, KEYS, good_row, write_csv, write_xlsx
from tests.factories import valid_id_number, valid_phone


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_encodings_are_detected(world, tmp_path, run_import, encoding):
    rows = [good_row(2, debtor_name="欧阳娜娜", address="福建省泉州市丰泽区东海街道"), good_row(3)]
    result = run_import(write_csv(tmp_path / "enc.csv", rows, encoding=encoding))
    assert result.ok and result.data["accepted"] == 2, result.data
    case = Case.objects.get(external_ref="HT00000002")
    assert case.debtor.name == "欧阳娜娜" and case.address == "福建省泉州市丰泽区东海街道"


def test_tab_delimited(world, tmp_path, run_import):
    path = write_csv(
        tmp_path / "cases.tsv", [good_row(2), good_row(3, address="厦门市, 思明区")], delimiter="\t"
    )
    result = run_import(path)
    assert result.ok and result.data["accepted"] == 2
    assert Case.objects.get(external_ref="HT00000003").address == "厦门市, 思明区"


def test_headers_in_any_order_by_english_key_with_unknown_columns_listed(world, tmp_path, run_import):
    keys = list(reversed(KEYS))
    headers = [k.upper() if i % 2 else k for i, k in enumerate(keys)] + ["客户经理"]
    path = write_csv(
        tmp_path / "en.csv", [{**good_row(2), "extra": "王五"}], headers=headers, keys=[*keys, "extra"]
    )
    result = run_import(path)
    assert result.ok and result.data["accepted"] == 1
    assert Batch.objects.get(pk=result.data["batch"]).unknown_columns == ["客户经理"]


def test_full_width_text_is_normalised(world, tmp_path, run_import):
    number = valid_id_number(7)
    full = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    row = good_row(
        2,
        id_number=full,
        phone="１３９ ００００ ０００７",
        principal="￥１２，０００．５０",
        overdue_since="２０２５年３月５日",
    )
    result = run_import(write_csv(tmp_path / "wide.csv", [row]))
    assert result.ok and result.data["accepted"] == 1, result.data
    case = Case.objects.get(external_ref="HT00000002")
    assert (case.phone_masked, case.principal, case.overdue_since) == (
        "139****0007",
        Decimal("12000.50"),
        datetime.date(2025, 3, 5),
    )
    assert case.debtor.id_number_masked == number[:4] + "*" * 10 + number[-4:]


def test_xlsx_with_date_cells_numbers_a_blank_row_and_a_numeric_id(world, tmp_path, run_import):
    def row(n, **changes):
        values = {
            "external_ref": f"X{n}",
            "debtor_name": "李四",
            "id_number": valid_id_number(n),
            "phone": int(valid_phone(n)),
            "principal": 12000.5,
            "interest": 300,
            "fees": 0,
            "annual_rate": 0.18,
            "overdue_since": datetime.datetime(2025, 3, 5),
            "contract_date": datetime.date(2023, 1, 15),
            "e_service_consent": True,
        }
        values.update(changes)
        return [values.get(k) for k in KEYS]

    rows = [row(2), [None] * len(KEYS), row(4, id_number=350502199001010123), row(5, principal=-1.5)]
    path = write_xlsx(tmp_path / "cells.xlsx", rows)
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=2, column=KEYS.index("annual_rate") + 1).number_format = "0.00%"
    workbook.save(path)
    result = run_import(path)
    assert result.ok, result.error
    assert result.data["accepted"] == 1 and result.data["rejected"] == 2
    assert result.codes == {(4, "id_number", "id_number_numeric"), (5, "principal", "amount_invalid")}
    batch = Batch.objects.get(pk=result.data["batch"])
    assert batch.rows_read == 3  # the blank row is skipped and not counted
    case = Case.objects.get(external_ref="X2")
    assert case.principal == Decimal("12000.50") and case.interest == Decimal("300.00")
    assert case.annual_rate == Decimal("18.000") and case.overdue_since == datetime.date(2025, 3, 5)
    assert case.contract_date == datetime.date(2023, 1, 15) and case.e_service_consent is True


def test_a_15_digit_legacy_number_is_converted(world, tmp_path, run_import):
    number = valid_id_number(9, birth="19650304")
    legacy = number[:6] + number[8:17]
    result = run_import(write_csv(tmp_path / "legacy.csv", [good_row(2, id_number=legacy)]))
    assert result.ok and result.data["accepted"] == 1
    assert Case.objects.get(external_ref="HT00000002").debtor.id_number == number


# --- refused files: the command exits non-zero, the page says why, nothing is created ---

REFUSALS = {
    "not_a_spreadsheet": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        "not a spreadsheet",
    ),
    "pdf": (
        lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        "not a spreadsheet",
    ),
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "header_only": (lambda p: write_csv(p, []), "no data rows"),
    "missing_column": (
        lambda p: write_csv(p, [good_row(2)], headers=HEADERS[:3] + HEADERS[4:], keys=KEYS[:3] + KEYS[4:]),
        "手机号 (phone)",
    ),
    "old_xls": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512), ".xls"),
}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_refused_through_the_command(world, tmp_path, run_import, kind):
    make, reason = REFUSALS[kind]
    path = tmp_path / f"{kind}.csv"
    make(path)
    result = run_import(path)
    assert not result.ok
    assert reason in result.error
    assert Batch.objects.get().status == "refused"
    assert Case.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_refused_through_the_web_upload(world, tmp_path, web_upload, kind, settings):
    settings.LANGUAGE_CODE = "en"
    make, reason = REFUSALS[kind]
    path = tmp_path / f"{kind}.csv"
    make(path)
    page, batch = web_upload(path)
    assert page.status_code in (200, 400)
    if batch is not None:
        assert batch.status == "refused"
    assert Case.objects.count() == 0
    html = page.content.decode()
    assert ("message--error" in html or "field__error" in html) and reason in html


def test_missing_column_message_names_the_column(world, tmp_path, run_import):
    path = write_csv(tmp_path / "m.csv", [good_row(2)], headers=HEADERS[1:], keys=KEYS[1:])
    result = run_import(path)
    assert not result.ok and "合同编号 (external_ref)" in result.error


def test_too_large_is_refused_with_the_limit(world, tmp_path, run_import, web_upload):
    path = write_csv(tmp_path / "big.csv", [good_row(n) for n in range(2, 400)])
    with override_settings(BATCH_MAX_BYTES=10_000):
        result = run_import(path)
        page, batch = web_upload(path)
    assert not result.ok and "the limit is 9.8 KB" in result.error
    assert batch is None and page.status_code == 400
    assert "limit" in page.content.decode() or "上限" in page.content.decode()
    assert Case.objects.count() == 0


def test_too_many_rows_is_refused(world, tmp_path, run_import):
    with override_settings(BATCH_MAX_ROWS=5):
        result = run_import(write_csv(tmp_path / "rows.csv", [good_row(n) for n in range(2, 9)]))
    assert not result.ok and "more than 5 data rows" in result.error
    assert Case.objects.count() == 0


def test_unknown_creditor_exits_non_zero(world, tmp_path, run_import):
    result = run_import(write_csv(tmp_path / "a.csv", [good_row(2)]), creditor="no-such-bank")
    assert not result.ok and "unknown creditor" in result.error
