"""Every error code of BATCH_FORMAT.md, triggered by a file, through the command and the web upload."""

import pytest

from cases.models import BatchError, Case
from tests.cases.batches.files import good_row, write_csv
from tests.factories import valid_id_number


def wrong_check_char(n: int) -> str:
    number = valid_id_number(n)
    return number[:17] + ("0" if number[17] != "0" else "1")


# code -> (rows after the good row 2, the faults expected as (row, column))
CASES = {
    "required": ([good_row(3, external_ref="")], [(3, "external_ref")]),
    "id_number_invalid": ([good_row(3, id_number="35050219901301001X")], [(3, "id_number")]),
    "id_number_checksum": ([good_row(3, id_number=wrong_check_char(3))], [(3, "id_number")]),
    "id_number_numeric": ([good_row(3, id_number="3.50502199001011E+17")], [(3, "id_number")]),
    "phone_invalid": ([good_row(3, phone="12345678901")], [(3, "phone")]),
    "email_invalid": ([good_row(3, email="not-an-address")], [(3, "email")]),
    "amount_invalid": (
        [good_row(3, principal="0"), good_row(4, interest="-5"), good_row(5, fees="1.234")],
        [(3, "principal"), (4, "interest"), (5, "fees")],
    ),
    "rate_invalid": ([good_row(3, annual_rate="150%")], [(3, "annual_rate")]),
    "date_invalid": ([good_row(3, overdue_since="2024-02-30")], [(3, "overdue_since")]),
    "date_future": ([good_row(3, overdue_since="2999-01-01")], [(3, "overdue_since")]),
    "date_order": (
        [good_row(3, overdue_since="2024-03-05", contract_date="2024-04-01")],
        [(3, "contract_date")],
    ),
    "value_invalid": (
        [good_row(3, product="房贷"), good_row(4, e_service_consent="也许")],
        [(3, "product"), (4, "e_service_consent")],
    ),
    "too_long": (
        [good_row(3, debtor_name="张" * 51), good_row(4, note="x" * 501)],
        [(3, "debtor_name"), (4, "note")],
    ),
    "duplicate_in_file": ([good_row(3, external_ref="HT00000002")], [(3, "external_ref")]),
    "duplicate_existing": ([good_row(3, external_ref="EXISTING-1")], [(3, "external_ref")]),
}


def batch_file(tmp_path, code):
    rows, expected = CASES[code]
    path = write_csv(tmp_path / f"{code}.csv", [good_row(2), *rows])
    return path, {(row, column, code) for row, column in expected}


def test_every_code_of_the_format_has_a_case():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[4] / "shared" / "BATCH_FORMAT.md").read_text()
    table = text.split("| code | meaning |")[1].split("\n## ")[0]
    codes = {line.split("|")[1].strip() for line in table.splitlines()[2:] if line.startswith("|")}
    assert codes == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_through_the_command(world, tmp_path, run_import, code):
    if code == "duplicate_existing":
        world.case(external_ref="EXISTING-1")
    path, expected = batch_file(tmp_path, code)
    result = run_import(path)
    assert result.ok
    assert expected <= result.codes
    assert {c for _r, _col, c in result.codes} == {code}
    assert result.data["accepted"] == 1
    assert result.data["rejected"] == len(CASES[code][0])
    assert Case.objects.filter(batch_id=result.data["batch"]).count() == 1


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_through_the_web_upload(world, tmp_path, web_upload, code):
    if code == "duplicate_existing":
        world.case(external_ref="EXISTING-1")
    path, expected = batch_file(tmp_path, code)
    page, batch = web_upload(path)
    assert page.status_code == 200
    assert batch.status == "done" and batch.accepted == 1 and batch.rejected == len(CASES[code][0])
    assert expected <= set(BatchError.objects.filter(batch=batch).values_list("row", "column", "code"))
    html = page.content.decode()
    assert code in html
    for row, _column, _code in expected:
        assert f'<td class="num">{row}</td>' in html


def test_a_row_with_several_faults_reports_each(world, tmp_path, run_import):
    path = write_csv(tmp_path / "several.csv", [good_row(2, phone="1", email="x", principal="abc")])
    result = run_import(path)
    assert result.codes == {
        (2, "phone", "phone_invalid"),
        (2, "email", "email_invalid"),
        (2, "principal", "amount_invalid"),
    }
    assert result.data["rejected"] == 1 and result.data["accepted"] == 0
