"""The optional history columns (BATCH_FORMAT.md): dates that restart limitation and the assignment chain,
validated like the other dates, stored with the batch, and screened after the import (issue #20)."""

from datetime import date

from cases.models import Case, ClaimHistory, Finding
from tests.cases.batches.files import HEADERS, KEYS, good_row, write_csv

HISTORY_HEADERS = ["最后催收日", "债务确认日", "最后还款日", "原债权人", "债权转让日", "转让协议编号"]
HISTORY_KEYS = [
    "last_demand_date",
    "acknowledged_on",
    "last_payment_date",
    "original_creditor",
    "assigned_on",
    "assignment_ref",
]


def write(path, rows, headers=HISTORY_HEADERS):
    return write_csv(path, rows, headers=[*HEADERS, *headers], keys=[*KEYS, *HISTORY_KEYS])


def test_history_columns_are_stored_and_rows_without_them_get_none(world, tmp_path, run_import):
    rows = [
        good_row(
            2, last_demand_date="2024/6/1", acknowledged_on="2024年7月2日", last_payment_date="2024-08-03"
        ),
        good_row(3, original_creditor="原银行", assigned_on="2024-01-10", assignment_ref="ZR-2024-1"),
        good_row(4),
    ]
    result = run_import(write(tmp_path / "h.csv", rows))
    assert result.data["accepted"] == 3 and result.data["errors"] == []
    demand = ClaimHistory.objects.get(case__external_ref="HT00000002")
    assert (demand.last_demand_on, demand.acknowledged_on, demand.last_payment_on) == (
        date(2024, 6, 1),
        date(2024, 7, 2),
        date(2024, 8, 3),
    )
    assigned = ClaimHistory.objects.get(case__external_ref="HT00000003")
    assert (assigned.original_creditor, assigned.assigned_on, assigned.assignment_ref) == (
        "原银行",
        date(2024, 1, 10),
        "ZR-2024-1",
    )
    assert not ClaimHistory.objects.filter(case__external_ref="HT00000004").exists()


def test_english_headers_are_recognised_and_not_listed_as_unknown(world, tmp_path, run_import):
    result = run_import(write(tmp_path / "e.csv", [good_row(2, last_demand_date="2024-06-01")], HISTORY_KEYS))
    assert result.data["accepted"] == 1
    assert ClaimHistory.objects.get().last_demand_on == date(2024, 6, 1)
    assert Case.objects.get().batch.unknown_columns == []


def test_history_dates_use_the_date_error_codes(world, tmp_path, run_import):
    rows = [
        good_row(2, last_demand_date="2024-02-30"),
        good_row(3, acknowledged_on="2999-01-01"),
        good_row(4, last_payment_date="2022-12-31"),  # before the contract date 2023-01-05
        good_row(5, assigned_on="yesterday", assignment_ref="X" * 65),
        good_row(6, principal="abc", last_demand_date="bad"),  # every fault of a row is reported
    ]
    result = run_import(write(tmp_path / "bad.csv", rows))
    assert result.data["accepted"] == 0
    assert result.codes == {
        (2, "last_demand_date", "date_invalid"),
        (3, "acknowledged_on", "date_future"),
        (4, "last_payment_date", "date_order"),
        (5, "assigned_on", "date_invalid"),
        (5, "assignment_ref", "too_long"),
        (6, "principal", "amount_invalid"),
        (6, "last_demand_date", "date_invalid"),
    }


def test_a_batch_is_screened_once_it_is_imported(
    world, tmp_path, run_import, django_capture_on_commit_callbacks
):
    rows = [
        good_row(2, overdue_since="2020-01-05", contract_date="2019-01-05"),
        good_row(3, overdue_since="2020-01-05", contract_date="2019-01-05", last_demand_date="2024-03-01"),
        good_row(4, original_creditor="原银行"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(write(tmp_path / "s.csv", rows))
    assert result.data["accepted"] == 3
    found = set(Finding.objects.values_list("case__external_ref", "rule"))
    assert found == {("HT00000002", "limitation"), ("HT00000004", "assignment_chain")}
    assert set(Finding.objects.values_list("batch_id", flat=True)) == {result.data["batch"]}


def test_history_columns_are_found_under_the_names_other_systems_give_them(world, tmp_path, run_import):
    headers = ["最近催收日", "确认债务日期", "最后还款日期", "原始债权人", "转让日期", "转让协议号"]
    rows = [good_row(2, last_demand_date="2024-06-01", original_creditor="原银行", assigned_on="2024-01-10")]
    result = run_import(write(tmp_path / "aliases.csv", rows, headers=headers))
    assert result.data["accepted"] == 1 and result.data["errors"] == []
    history = ClaimHistory.objects.get(case__external_ref="HT00000002")
    assert history.last_demand_on == date(2024, 6, 1)
    assert (history.original_creditor, history.assigned_on) == ("原银行", date(2024, 1, 10))
