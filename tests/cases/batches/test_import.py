"""What an import creates: triaged and routed cases with their events, linked debtors; all or nothing."""

import datetime
import random
from decimal import Decimal

import pytest

from cases.batches import importer
from cases.batches.importer import batch_import, case_codes_new, default_triage
from cases.batches.services import batch_create, batch_retry
from cases.batches.validation import RowValidator
from cases.events import verify_chains
from cases.models import Batch, BatchError, Case, CaseEvent, Debtor
from tests.cases.batches.files import KEYS, as_lists, good_row, write_csv
from tests.factories import valid_id_number


def test_cases_are_received_then_triaged_and_routed(
    world, tmp_path, run_import, django_capture_on_commit_callbacks
):
    rows = [
        good_row(2, principal="99,000", interest="1000", fees="0"),
        good_row(3, principal="99,000", interest="1000", fees="0.01"),
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the routing task after the import (SQLite)
        result = run_import(write_csv(tmp_path / "t.csv", rows))
    assert result.data["accepted"] == 2
    fast, slow = Case.objects.get(external_ref="HT00000002"), Case.objects.get(external_ref="HT00000003")
    assert (fast.stage, fast.colour, fast.track) == (
        "triaged",
        "green",
        "fast",
    )  # 100,000.00 is within the ceiling
    # Above it, the default rules ("Large claim") make it yellow, on the slow track, as it is written.
    assert (slow.stage, slow.colour, slow.track) == ("triaged", "yellow", "slow")
    # Decided by the centre's rules: named by the triage event as the case is written (PostgreSQL), or by
    # the `retriaged` event of the routing task that follows (SQLite).
    assert slow.events.filter(reason="rules v1").values_list("action", flat=True).get() in (
        "triage",
        "retriaged",
    )
    assert (fast.committee, fast.court, fast.mediator) == (world.committee, world.court, world.mediator1)
    assert fast.batch_id == result.data["batch"] and fast.creditor == world.bank and fast.centre == world.qz
    events = list(
        CaseEvent.objects.filter(case=fast)
        .order_by("seq")
        .values_list("seq", "action", "from_stage", "to_stage", "actor_role")
    )
    assert events == [
        (1, "received", "", "received", "system"),
        (2, "triage", "received", "triaged", "system"),
    ]
    assert list(verify_chains()) == []
    assert fast.phone != fast.phone_masked and fast.phone_masked == "139****0002"
    assert len(fast.code) == 10 and fast.code != slow.code


def test_default_triage_follows_the_centres_ceiling(world):
    world.qz.fast_track_ceiling = Decimal("5000.00")
    assert default_triage(claimed_total=Decimal("5000.00"), centre=world.qz) == {
        "colour": "green",
        "track": "fast",
    }
    assert default_triage(claimed_total=Decimal("5000.01"), centre=world.qz)["track"] == "slow"


def test_debtors_are_linked_by_the_keyed_hash_across_creditors(world, tmp_path, run_import):
    known = world.case(creditor=world.cf, id_number=valid_id_number(500))
    rows = [
        good_row(2, id_number=valid_id_number(500)),
        good_row(3, id_number=valid_id_number(501)),
        good_row(4, id_number=valid_id_number(501).lower()),
    ]
    result = run_import(write_csv(tmp_path / "d.csv", rows))
    assert result.data["accepted"] == 3
    assert Case.objects.get(external_ref="HT00000002").debtor == known.debtor
    assert (
        Case.objects.get(external_ref="HT00000003").debtor
        == Case.objects.get(external_ref="HT00000004").debtor
    )
    assert Debtor.objects.count() == 2


def test_reupload_creates_nothing_new(world, tmp_path, run_import):
    path = write_csv(tmp_path / "again.csv", [good_row(n) for n in range(2, 12)])
    first = run_import(path)
    second = run_import(path)
    assert first.data["accepted"] == 10
    assert second.ok and second.data["accepted"] == 0 and second.data["rejected"] == 10
    assert {code for _r, _c, code in second.codes} == {"duplicate_existing"}
    assert Case.objects.count() == 10 and Debtor.objects.count() == 10


def test_errors_mask_id_numbers_and_phones(world, tmp_path, run_import):
    bad_id = (
        valid_id_number(3)[:17] + "0"
        if not valid_id_number(3).endswith("0")
        else valid_id_number(3)[:17] + "1"
    )
    result = run_import(write_csv(tmp_path / "m.csv", [good_row(3, id_number=bad_id, phone="1391234567")]))
    values = dict(
        BatchError.objects.filter(batch_id=result.data["batch"]).values_list("column", "value_masked")
    )
    assert values["id_number"] == bad_id[:4] + "*" * 10 + bad_id[-4:]
    assert "1234567" not in values["phone"] and values["phone"].startswith("13")


def test_a_crash_in_the_write_phase_leaves_nothing_and_a_retry_imports_whole(world, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "crash.csv", [good_row(n) for n in range(2, 30)] + [good_row(30, phone="1")])
    batch = batch_create(creditor=world.bank, filename="crash.csv", path=path)
    real = importer.write_cases

    def crash(ctx, n):
        real(ctx, n)  # the cases are written, then the process fails before the batch commits
        raise RuntimeError("power cut")

    monkeypatch.setattr(importer, "write_cases", crash)
    with pytest.raises(RuntimeError):
        batch_import(batch=batch, chunk_size=7)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert Case.objects.filter(batch=batch).count() == 0 and Debtor.objects.count() == 0
    monkeypatch.setattr(importer, "write_cases", real)
    batch = batch_retry(batch=batch, start=False)
    batch = batch_import(batch=batch, chunk_size=7)
    assert (batch.status, batch.accepted, batch.rejected) == ("done", 28, 1)
    assert Case.objects.filter(batch=batch).count() == 28
    assert BatchError.objects.filter(batch=batch).count() == 1


def test_a_done_batch_is_not_imported_twice(world, tmp_path):
    path = write_csv(tmp_path / "once.csv", [good_row(2)])
    batch = batch_create(creditor=world.bank, filename="once.csv", path=path)
    batch_import(batch=batch)
    batch = batch_import(batch=batch)
    assert batch.status == "done" and Case.objects.count() == 1


def test_text_is_stored_as_text(world, tmp_path, run_import):
    row = good_row(2, note='=HYPERLINK("http://evil.example","x")', address="@SUM(1+1)\t\\n")
    result = run_import(write_csv(tmp_path / "t.csv", [row]))
    assert result.data["accepted"] == 1
    case = Case.objects.get()
    assert case.note == '=HYPERLINK("http://evil.example","x")' and case.address == "@SUM(1+1)\t\\n"


def test_case_codes_use_the_alphabet_and_differ():
    codes = case_codes_new(2000)
    assert len(set(codes)) == 2000
    assert set("".join(codes)) <= set(importer.CASE_CODE_ALPHABET)


def test_the_fast_path_agrees_with_the_full_validation():
    """Random plain and odd cells: whenever the fast path accepts a row, the full rules give the same row."""
    rng = random.Random(2026)
    today = datetime.date(2026, 6, 1)
    variants = {
        "external_ref": ["HT1", " HT2", "ＨＴ3", "x" * 64, "x" * 65, "", "HT\t4"],
        "debtor_name": ["张三", "张 三 ", "A" * 50, "A" * 51, ""],
        "id_number": [
            valid_id_number(1),
            valid_id_number(2).lower(),
            valid_id_number(3)[:17] + "0",
            "123",
            "",
        ],
        "phone": ["13900000001", "12900000001", "+8613900000001", "1390000000", ""],
        "address": ["", "泉州", " 泉州", "x" * 301],
        "email": ["", "a@b.cn"],
        "product": ["", "信用卡", "credit_card", "Credit_Card", "房贷"],
        "principal": ["1", "0", "10,000.50", "10000000", "10000000.01", "1.234", "-1", "99999999"],
        "interest": ["", "0", "5.5", "-1"],
        "fees": ["", "12,345", "1,2"],
        "annual_rate": ["", "18", "18%", "100.5", "18.1234%"],
        "overdue_since": ["2025-03-05", "2026-06-02", "2025-02-30", "2025/3/5", ""],
        "contract_date": ["", "2024-01-01", "2025-03-06", "2026-06-01"],
        "e_service_consent": ["", "是", "否", "yes", "maybe"],
        "note": ["", "备注", "x" * 501],
    }
    positions = {k: i for i, k in enumerate(KEYS)}
    fast_hits = 0
    for n in range(3000):
        row = {k: rng.choice(v) if rng.random() < 0.3 else v[0] for k, v in variants.items()}
        row["external_ref"] = f"{row['external_ref']}-{n}" if row["external_ref"] else ""
        cells = as_lists([row])[0]
        fast = RowValidator(positions, today=today)._fast(n, list(cells))
        full, errors = RowValidator(positions, today=today)._full(n, list(cells))
        if fast is not None:
            fast_hits += 1
            assert not errors and fast == full, (row, fast, full)
    assert fast_hits > 50


def test_a_batch_left_running_by_a_dead_worker_is_taken_over_when_stale(world, tmp_path):
    from django.utils import timezone

    path = write_csv(tmp_path / "stale.csv", [good_row(2), good_row(3)])
    batch = batch_create(creditor=world.bank, filename="stale.csv", path=path)
    Batch.objects.filter(pk=batch.pk).update(status="running", rows_read=1, updated_at=timezone.now())
    assert batch_import(batch=batch).status == "running"  # alive: left alone
    old = timezone.now() - importer.STALE_AFTER - timezone.timedelta(seconds=1)
    Batch.objects.filter(pk=batch.pk).update(updated_at=old)
    batch = batch_import(batch=batch)
    assert (batch.status, batch.accepted) == ("done", 2)


def test_a_case_code_already_taken_is_drawn_again(world, tmp_path, run_import, monkeypatch):
    taken = world.case().code
    real, calls = importer.case_codes_new, []

    def first_draw_clashes(n):
        calls.append(n)
        return [taken, taken, *real(n - 2)] if len(calls) == 1 else real(n)

    monkeypatch.setattr(importer, "case_codes_new", first_draw_clashes)
    result = run_import(write_csv(tmp_path / "codes.csv", [good_row(n) for n in range(2, 7)]))
    assert result.data["accepted"] == 5 and len(calls) >= 2
    codes = list(Case.objects.filter(batch_id=result.data["batch"]).values_list("code", flat=True))
    assert taken not in codes and len(set(codes)) == 5


def test_an_uploaded_cases_first_event_names_the_uploading_user(world, tmp_path, web_upload):
    _page, batch = web_upload(write_csv(tmp_path / "u.csv", [good_row(2), good_row(3)]))
    assert batch is not None and batch.status == Batch.Status.DONE and batch.accepted == 2
    first = list(
        CaseEvent.objects.filter(case__batch=batch, seq=1).values_list("action", "actor_id", "actor_role")
    )
    assert first == [("received", world.creditor1.pk, "creditor_staff")] * 2
    second = set(
        CaseEvent.objects.filter(case__batch=batch, seq=2).values_list("action", "actor_id", "actor_role")
    )
    assert second == {("triage", None, "system")}
    assert list(verify_chains()) == []
