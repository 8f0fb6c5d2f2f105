"""Foreign keys checked once per import, not row by row (cases.batches.importer.keys_hold): the same cases,
events, results and assignments either way; a key pointing nowhere still fails the batch and saves nothing;
a role that may not switch the row triggers off gets them row by row."""

import uuid

import pytest
from django.db import connection

from cases.batches import importer, selectors
from cases.batches.importer import batch_import
from cases.batches.services import batch_create
from cases.events import verify_chains
from cases.models import Batch, Case, CaseEvent, Debtor
from mediation.models import Assignment, TriageResult
from tests.cases.batches.files import good_row, write_csv
from tests.factories import World, valid_id_number

# On SQLite the import writes inline, in one transaction, with the database's own checks: keys_hold is
# PostgreSQL's writer thread only.
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def held(monkeypatch):
    """What keys_hold answered for each import."""
    answers: list[bool] = []
    real = importer.keys_hold

    def spy(cursor, ctx):
        answers.append(real(cursor, ctx))
        return answers[-1]

    monkeypatch.setattr(importer, "keys_hold", spy)
    return answers


def rows():
    known = valid_id_number(900, region="350502")
    return [
        *(good_row(n) for n in range(2, 30)),
        good_row(30, id_number=known),
        good_row(31, id_number=known),  # the same person twice in the file: one debtor
    ]


def orphans() -> dict[str, int]:
    """Rows whose key points at no row, per key the import writes (what the row triggers would refuse)."""
    checks = {
        "case.debtor": "SELECT COUNT(*) FROM cases_case c LEFT JOIN cases_debtor d ON d.id = c.debtor_id "
        "WHERE d.id IS NULL",
        "case.mediator": "SELECT COUNT(*) FROM cases_case c LEFT JOIN auth_user u ON u.id = c.mediator_id "
        "WHERE c.mediator_id IS NOT NULL AND u.id IS NULL",
        "event.case": "SELECT COUNT(*) FROM cases_caseevent e LEFT JOIN cases_case c ON c.id = e.case_id "
        "WHERE c.id IS NULL",
        "result.case": "SELECT COUNT(*) FROM mediation_triageresult r LEFT JOIN cases_case c "
        "ON c.id = r.case_id WHERE c.id IS NULL",
        "assignment.case": "SELECT COUNT(*) FROM mediation_assignment a LEFT JOIN cases_case c "
        "ON c.id = a.case_id WHERE c.id IS NULL",
    }
    with connection.cursor() as cursor:
        found = {}
        for name, sql in checks.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    return found


def written(batch: Batch) -> tuple:
    cases = Case.objects.filter(batch=batch).order_by("external_ref")
    return (
        [(c.external_ref, c.colour, c.track, c.mediator_id is not None, c.event_seq) for c in cases],
        Debtor.objects.filter(cases__batch=batch).distinct().count(),
        CaseEvent.objects.filter(case__batch=batch).count(),
        TriageResult.objects.filter(case__batch=batch).count(),
        Assignment.objects.filter(case__batch=batch).count(),
    )


@pytest.mark.django_db(transaction=True)
def test_keys_checked_once_write_what_the_row_triggers_write(tmp_path, settings, held):
    world = World()  # committed: the import writes on its own connection, in a thread
    once = batch_import(batch=batch_create(creditor=world.bank, filename="a.csv", path=write_csv(
        tmp_path / "a.csv", rows())), chunk_size=7)  # fmt: skip
    first = written(once)
    settings.BATCH_IMPORT_KEYS_CHECKED_ONCE = False
    row_by_row = batch_import(batch=batch_create(creditor=world.bank, filename="b.csv", path=write_csv(
        tmp_path / "b.csv", [good_row(n, external_ref=f"RB{n:08d}") for n in range(2, 30)] + [
            good_row(30, external_ref="RB00000030", id_number=valid_id_number(901, region="350502")),
            good_row(31, external_ref="RB00000031", id_number=valid_id_number(901, region="350502")),
        ])), chunk_size=7)  # fmt: skip

    assert held == ([True, False] if ON_POSTGRESQL else [])
    assert once.status == row_by_row.status == "done"
    second = written(row_by_row)
    assert [r[1:] for r in first[0]] == [r[1:] for r in second[0]]
    assert first[1:] == second[1:]
    assert first[1] == 29  # 30 rows, one person twice
    # People known from both batches, in a third one: their debtors are found (and held), not made again.
    settings.BATCH_IMPORT_KEYS_CHECKED_ONCE = True
    debtors = Debtor.objects.count()
    known = [valid_id_number(900, region="350502"), valid_id_number(901, region="350502")]
    third = [good_row(n, external_ref=f"KN{n:08d}", id_number=known[n % 2]) for n in range(2, 12)]
    path = write_csv(tmp_path / "c.csv", third)
    again = batch_import(batch=batch_create(creditor=world.bank, filename="c.csv", path=path), chunk_size=4)
    assert again.status == "done" and again.accepted == 10
    assert Debtor.objects.count() == debtors
    assert Case.objects.filter(batch=again).values("debtor").distinct().count() == 2
    if ON_POSTGRESQL:
        assert set(orphans().values()) == {0}
    assert list(verify_chains()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("once", [True, False])
def test_a_key_pointing_nowhere_fails_the_batch_and_saves_nothing(tmp_path, settings, monkeypatch, once):
    settings.BATCH_IMPORT_KEYS_CHECKED_ONCE = once
    world = World()
    real = selectors.centre_default_routes
    monkeypatch.setattr(selectors, "centre_default_routes", lambda **kw: {**real(**kw), "court": 987_654_321})
    batch = batch_create(creditor=world.bank, filename="c.csv", path=write_csv(tmp_path / "c.csv", rows()))

    with pytest.raises(Exception, match=r"core\.Organisation|987654321|FOREIGN KEY"):
        batch_import(batch=batch, chunk_size=7)

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert Debtor.objects.filter(cases__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_role_that_may_not_switch_triggers_off_keeps_them_row_by_row():
    if not ON_POSTGRESQL:
        assert type(importer._writer(object())) is importer._InlineWriter  # never holds keys
        return
    role = f"import_probe_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        assert importer._may_skip_row_triggers(cursor)  # the test database's owner is a superuser
        cursor.execute(f"CREATE ROLE {role}")
        try:
            cursor.execute(f"SET LOCAL ROLE {role}")
            assert not importer._may_skip_row_triggers(cursor)
            cursor.execute("RESET ROLE")
        finally:
            cursor.execute(f"DROP ROLE {role}")


@pytest.mark.django_db
def test_the_tables_an_import_writes_have_no_triggers_but_their_keys():
    """The chunk statements run with row triggers off: a trigger of its own on one of these tables (an
    audit or append-only guard, say) would be skipped by the import, so adding one must change keys_hold."""
    if not ON_POSTGRESQL:
        assert type(importer._writer(object())) is importer._InlineWriter  # SQLite keeps every trigger
        return
    tables = [
        "cases_debtor",
        "cases_case",
        "cases_caseevent",
        "mediation_triageresult",
        "mediation_assignment",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
            [tables],
        )
        assert cursor.fetchall() == []
