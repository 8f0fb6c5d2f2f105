"""Dashboards over N cases (default 1,000,000) in one centre on PostgreSQL: refresh time and request latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/platform_dbench .venv/bin/python bench/dashboard_bench.py

Seeds once, set-based with generate_series: one centre holding all N cases (the centre admin's dashboard
covers every one of them), 4 creditors with their products, batches of 2,500 cases received over 12 months,
2 courts, 200 mediators; each case walked along one of 15 funnel paths with its events, plus deadlines,
notices, payments, objections and contact attempts. Then:

1. rebuilds the pre-aggregated figures (dashboards.services.facts_refresh) and reports the time and rows;
2. times an incremental refresh after one case moved (the every-minute task);
3. requests each role's dashboard in-process with Django's test client (DEBUG off), N_REQUESTS times after a
   warm-up, and prints p50/p95 per page;
4. measures a baseline in the same run: the same figures computed straight from the case tables, without the
   pre-aggregates (the refresh's SELECTs for the page's scope, inside a transaction that is rolled back), and
   prints how many times faster each page is. Target: every dashboard under 300 ms at the 95th percentile.
"""

import argparse
import os
import sys
import time
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django is set up in main(), after the settings are chosen
    from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

CENTRE = "dbench"
CREDITORS = 4
MEDIATORS = 200
BATCH_SIZE = 2500
N_REQUESTS = 30
TARGET_P95_MS = 300
PERCENT = 100
# The funnel paths a seeded case walks (one per case, by i), from receipt to its stage now.
R, T, M, CM, S = "received", "triaged", "in_mediation", "court_mediation", "settled"
PATHS = [
    (5, [R]),
    (5, [R, T]),
    (20, [R, T, M]),
    (10, [R, T, M, CM]),
    (10, [R, T, M, S]),
    (5, [R, T, M, S, "confirmation_requested"]),
    (5, [R, T, M, S, "confirmation_requested", "confirmed", "performing"]),
    (15, [R, T, M, S, "performed"]),
    (5, [R, T, M, CM, S, "performed", "credit_repair", "closed"]),
    (5, [R, T, M, CM, "payment_order"]),
    (5, [R, T, M, CM, "payment_order", "in_litigation"]),
    (3, [R, T, M, CM, "payment_order", "enforceable"]),
    (2, [R, T, M, CM, "in_litigation", "enforceable", "in_enforcement"]),
    (3, [R, T, "withdrawn"]),
    (2, [R, T, M, "closed"]),
]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", maxsplit=1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def paths_sql() -> str:
    """VALUES (path_id, low, high, stages[]): case i takes the path whose [low, high) holds mod(i * 7, 100)."""
    rows, low = [], 0
    for n, (share, stages) in enumerate(PATHS):
        array = "ARRAY[" + ", ".join(f"'{s}'" for s in stages) + "]::text[]"
        rows.append(f"({n}, {low}, {low + share}, {array})")
        low += share
    assert low == PERCENT, "the shares of PATHS are percentages of the cases"
    return "(VALUES " + ", ".join(rows) + ") AS p(id, low, high, stages)"


def seed(total: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from cases.models import Case
    from core import crypto
    from core.models import Organisation
    from core.services import centre_create, centre_staff_organisation, organisation_create, staff_user_create

    have = Case.objects.filter(centre__code=CENTRE).count()
    if have >= total:
        print(f"database already holds {have:,} cases in the centre")
        return
    if have:
        sys.exit(f"the centre holds {have:,} cases, fewer than asked: use a fresh database")
    started = time.perf_counter()
    centre = centre_create(code=CENTRE, name="基准测试中心", region_code="350500")
    creditors = [
        organisation_create(
            centre=centre, kind=Organisation.Kind.CREDITOR, code=f"{CENTRE}-bank{k}", name=f"银行{k}"
        )
        for k in range(1, CREDITORS + 1)
    ]
    courts = [
        organisation_create(
            centre=centre, kind=Organisation.Kind.COURT, code=f"{CENTRE}-court{k}", name=f"法院{k}"
        )
        for k in (1, 2)
    ]
    committee = organisation_create(
        centre=centre, kind=Organisation.Kind.COMMITTEE, code=f"{CENTRE}-com", name="调委会"
    )
    password = "bench-pass-2026"
    staff_user_create(username=f"{CENTRE}-admin", password=password, organisation=centre_staff_organisation(centre),
                      role="centre_admin")  # fmt: skip
    staff_user_create(
        username=f"{CENTRE}-creditor", password=password, organisation=creditors[0], role="creditor_staff"
    )
    staff_user_create(username=f"{CENTRE}-judge", password=password, organisation=courts[0], role="judge")
    mediator_ids = mediators_create(committee, make_password(password))
    id_cipher, phone_cipher = crypto.encrypt("350502199001011234"), crypto.encrypt("13900000000")
    batches = max(1, (total + BATCH_SIZE - 1) // BATCH_SIZE)
    params = {
        "centre": centre.pk, "n": total, "batches": batches, "bsize": BATCH_SIZE, "id": id_cipher,
        "phone": phone_cipher, "creditors": [c.pk for c in creditors], "courts": [c.pk for c in courts],
        "committee": committee.pk, "mediators": mediator_ids, "nmed": len(mediator_ids),
    }  # fmt: skip
    statements = [
        (
            "batches",
            """
        INSERT INTO cases_batch (created_at, updated_at, centre_id, creditor_id, filename, status, rows_read, accepted,
            rejected, message, stored_file, size_bytes, unknown_columns, error_count, progress_percent, attempt)
        SELECT now() - ((%(batches)s - b) * 365 / %(batches)s) * interval '1 day', now(), %(centre)s,
               (%(creditors)s::bigint[])[1 + mod(b, 4)], 'batch-' || b || '.xlsx', 'done', %(bsize)s, %(bsize)s, 0, '',
               '', 0, '[]', 0, 100, 1
        FROM generate_series(1, %(batches)s) AS b""",
        ),
        (
            "debtors",
            """
        INSERT INTO cases_debtor (created_at, updated_at, centre_id, id_hash, id_number, id_number_masked, name,
                                  birth_date, region_code, phone, phone_masked)
        SELECT now(), now(), %(centre)s, md5('dbench:' || i) || md5(i::text), %(id)s, '3505**********1234',
               '债务人' || i, date '1990-01-01', '3505' || lpad((1 + mod(i, 40))::text, 2, '0'), %(phone)s, '139****0000'
        FROM generate_series(1, %(n)s) AS i""",
        ),
        (
            "cases",
            f"""
        INSERT INTO cases_case (created_at, updated_at, centre_id, creditor_id, batch_id, debtor_id, code, external_ref,
            phone, phone_masked, address, email, product, principal, interest, fees, annual_rate, overdue_since,
            contract_date, e_service_consent, note, colour, track, stage, stage_entered_at, on_hold, committee_id,
            mediator_id, court_id, enforceable_title, closed_reason, event_seq, event_head)
        SELECT b.created_at + mod(d.i, 48) * interval '1 hour', now(), %(centre)s, b.creditor_id, b.id, d.id,
               'D' || d.i, 'REF' || d.i, %(phone)s, '139****0000', CASE WHEN mod(d.i, 9) = 0 THEN '' ELSE '地址' END,
               '', CASE mod(b.creditor_id, 4) WHEN 0 THEN 'credit_card' WHEN 1 THEN 'consumer_loan'
                   WHEN 2 THEN (CASE WHEN mod(d.i, 3) = 0 THEN 'microloan' ELSE 'credit_card' END) ELSE 'microloan' END,
               1000 + mod(d.i * 37, 40000), mod(d.i * 13, 5000), mod(d.i * 7, 500), 12 + mod(d.i, 14),
               date '2025-01-01' + mod(d.i, 300)::int, date '2024-01-01' + mod(d.i, 500)::int, mod(d.i, 3) = 0, '',
               CASE WHEN p.id = 0 THEN '' WHEN mod(d.i, 10) < 6 THEN 'green' WHEN mod(d.i, 10) < 9 THEN 'yellow' ELSE 'red' END,
               CASE WHEN p.id = 0 THEN '' WHEN mod(d.i, 20) = 0 THEN 'slow' ELSE 'fast' END,
               p.stages[array_length(p.stages, 1)], now(), false, %(committee)s,
               CASE WHEN p.id = 0 THEN NULL ELSE (%(mediators)s::bigint[])[1 + mod(d.i, %(nmed)s)] END,
               (%(courts)s::bigint[])[1 + mod(d.i / 7, 2)], '', '', array_length(p.stages, 1), md5(d.i::text)
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM cases_debtor WHERE centre_id = %(centre)s) d
        JOIN cases_batch b ON b.centre_id = %(centre)s AND b.filename = 'batch-' || (1 + (d.i - 1) / %(bsize)s) || '.xlsx'
        JOIN {paths_sql()} ON mod(d.i * 7, 100) >= p.low AND mod(d.i * 7, 100) < p.high""",
        ),
        (
            "events",
            f"""
        INSERT INTO cases_caseevent (case_id, seq, action, from_stage, to_stage, actor_role, reason, data, created_at,
                                     prev_hash, hash)
        SELECT c.id, k, 'bench', CASE WHEN k = 1 THEN '' ELSE p.stages[k - 1] END, p.stages[k], 'system', '', '{{}}',
               LEAST(now(), c.created_at + (k - 1) * (2 + mod(c.id, 11)) * interval '1 day'), '', md5(c.id || ':' || k)
        FROM cases_case c JOIN {paths_sql()}
             ON mod(substr(c.code, 2)::bigint * 7, 100) >= p.low AND mod(substr(c.code, 2)::bigint * 7, 100) < p.high
        CROSS JOIN LATERAL generate_series(1, array_length(p.stages, 1)) AS k
        WHERE c.centre_id = %(centre)s""",
        ),
        (
            "stage times",
            """
        UPDATE cases_case c SET stage_entered_at = e.created_at FROM cases_caseevent e
        WHERE c.centre_id = %(centre)s AND e.case_id = c.id AND e.seq = c.event_seq""",
        ),
        (
            "deadlines",
            """
        INSERT INTO cases_deadline (created_at, updated_at, case_id, kind, starts_on, due_on, status, calendar_warning,
                                    held_days, needs_review, review_reason)
        SELECT now(), now(), c.id, k.kind, c.stage_entered_at::date, k.due, k.status, false, 0, false, ''
        FROM cases_case c CROSS JOIN LATERAL (VALUES
            ('mediation_window', current_date + mod(c.id, 33)::int - 2,
             CASE WHEN c.stage IN ('in_mediation', 'court_mediation') THEN 'open' ELSE 'met' END),
            ('confirmation_application', c.stage_entered_at::date + 30,
             CASE WHEN c.stage = 'settled' THEN 'open' WHEN mod(c.id, 33) = 0 THEN 'expired' ELSE 'met' END)
        ) AS k(kind, due, status)
        WHERE c.centre_id = %(centre)s AND c.event_seq >= 3 AND (k.kind = 'mediation_window' OR c.stage IN
              ('settled', 'confirmation_requested', 'confirmed', 'performing', 'performed', 'credit_repair', 'closed'))""",
        ),
        (
            "notices",
            """
        INSERT INTO notices_notice (created_at, updated_at, case_id, kind, template_version, subject, status,
                                    channel, failure_reason, pdf, sha256, queued_at, opened_user_agent)
        SELECT now(), now(), c.id, 'mediation_notice', 0, '',
               (ARRAY['delivered', 'opened', 'opened', 'failed', 'sent', 'delivered', 'queued'])[1 + mod(c.id, 7)],
               (ARRAY['sms', 'post', 'email'])[1 + mod(c.id, 3)], '', '', '', now(), ''
        FROM cases_case c WHERE c.centre_id = %(centre)s AND mod(c.id, 5) < 3""",
        ),
        (
            "payments",
            """
        INSERT INTO credit_repair_payment (created_at, updated_at, case_id, creditor_id, paid_on, amount, reference, source)
        SELECT now(), now(), c.id, c.creditor_id, c.stage_entered_at::date,
               CASE WHEN c.stage = 'performing' THEN round(c.claimed_total / 2, 2) ELSE c.claimed_total END,
               'P' || c.id, 'file'
        FROM cases_case c
        WHERE c.centre_id = %(centre)s AND c.stage IN ('performing', 'performed', 'credit_repair', 'closed')""",
        ),
        (
            "objections",
            """
        INSERT INTO mediation_objection (created_at, updated_at, case_id, debtor_id, ground, statement, status, outcome,
                                         decision_reasons, corrected_amounts)
        SELECT now(), now(), c.id, c.debtor_id, (ARRAY['amount_wrong', 'already_paid', 'not_my_debt', 'other'])[1 + mod(c.id, 4)],
               '…', (ARRAY['upheld', 'rejected', 'under_review'])[1 + mod(c.id / 100, 3)], '', '', '{}'
        FROM cases_case c WHERE c.centre_id = %(centre)s AND mod(c.id, 100) = 0""",
        ),
        (
            "contacts",
            """
        INSERT INTO mediation_contactattempt (case_id, mediator_id, channel, at, outcome, notes, unreachable_reason,
                                              phone_hash, created_at)
        SELECT c.id, c.mediator_id, 'phone', c.created_at + interval '3 days',
               (ARRAY['reached', 'no_answer', 'promised', 'wrong_number', 'refused'])[1 + mod(c.id, 5)], '', '', '', now()
        FROM cases_case c WHERE c.centre_id = %(centre)s AND c.mediator_id IS NOT NULL AND c.event_seq >= 3""",
        ),
    ]
    with transaction.atomic(), connection.cursor() as cur:
        for label, sql in statements:
            t = time.perf_counter()
            cur.execute(sql, params)
            print(f"  {label:12} {cur.rowcount:>10,} rows  {time.perf_counter() - t:6.1f} s", flush=True)
        cur.execute("ANALYZE")
    print(
        f"seeded {Case.objects.filter(centre=centre).count():,} cases in {time.perf_counter() - started:.0f} s"
    )


def mediators_create(committee: object, password_hash: str) -> list[int]:
    from django.contrib.auth import get_user_model

    from core.models import Membership, Role

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{CENTRE}-m{m}", password=password_hash) for m in range(MEDIATORS)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=committee, role=Role.MEDIATOR) for u in users
    )
    return [u.pk for u in users]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_requests(client: "Client", path: str) -> list[float]:
    for _ in range(3):
        assert client.get(path).status_code == HTTPStatus.OK
    times = []
    for _ in range(N_REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return times


def baseline_ms(centre_id: int, creditor_ids: list[int] | None) -> float:
    """The same figures straight from the case tables: the refresh's SELECTs for the scope, rolled back."""
    from django.db import transaction

    from dashboards.services import facts_refresh

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            facts_refresh(centre_id=centre_id, creditor_ids=creditor_ids)
            raise Rollback
    except Rollback:
        pass
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/platform_dbench"
        )
    ensure_database(url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cases.models import Case
    from cases.services import case_transition
    from core.actors import SYSTEM
    from core.models import Centre, Organisation
    from dashboards import models as facts
    from dashboards.services import facts_refresh, facts_refresh_changed

    call_command("migrate", verbosity=0)
    seed(args.cases)
    centre = Centre.objects.get(code=CENTRE)
    total = Case.objects.filter(centre=centre).count()

    started = time.perf_counter()
    result = facts_refresh(centre_id=centre.pk)
    assert result is not None
    full_refresh = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    rows = {
        m.__name__: m.objects.filter(centre=centre).count()
        for m in (facts.StageFact, facts.FlowFact, facts.CohortFact, facts.DurationFact, facts.DeadlineFact,
                  facts.NoticeFact, facts.ObjectionFact)
    }  # fmt: skip
    print(
        f"\n{total:,} cases in the centre; full refresh of the figures: {full_refresh:.1f} s, {result.rows:,} rows"
    )
    print("  " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))

    moved = Case.objects.filter(centre=centre, stage="triaged").order_by("pk").first()
    case_transition(case=moved, transition="start_mediation", actor=SYSTEM)
    started = time.perf_counter()
    facts_refresh_changed()
    print(
        f"incremental refresh after one transition (one creditor's rows): {time.perf_counter() - started:.1f} s"
    )

    users = get_user_model().objects
    creditor = Organisation.objects.get(code=f"{CENTRE}-bank1")
    pages = [
        ("centre admin", f"{CENTRE}-admin", "/dashboards/", (None,)),
        ("centre admin, filtered", f"{CENTRE}-admin",
         f"/dashboards/?creditor={creditor.pk}&product=credit_card&colour=green&track=fast&since=2025-06", (None,)),
        ("creditor", f"{CENTRE}-creditor", "/dashboards/", ([creditor.pk],)),
        ("court", f"{CENTRE}-judge", "/dashboards/", (None,)),
        ("mediator (live)", f"{CENTRE}-m7", "/dashboards/", None),
        ("export .xlsx (flow)", f"{CENTRE}-admin", "/dashboards/export/flow.xlsx", (None,)),
    ]  # fmt: skip
    baselines: dict[object, float] = {}
    print(
        f"\n{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'baseline ms':>12} {'x faster (p95)':>15}"
    )
    worst = 0.0
    for label, username, path, scope in pages:
        client = Client()
        client.force_login(users.get(username=username))
        times = time_requests(client, path)
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        worst = max(worst, p95)
        if scope is None:
            base_text, ratio_text = "—", "live"
        else:
            key = tuple(scope[0] or ())
            if key not in baselines:
                baselines[key] = baseline_ms(centre.pk, scope[0])  # once: it takes tens of seconds
            base_text, ratio_text = f"{baselines[key]:.0f}", f"{baselines[key] / p95:.0f}"
        print(f"{label:28} {p50:8.1f} {p95:8.1f} {max(times):8.1f} {base_text:>12} {ratio_text:>15}")
    verdict = "OK" if worst < TARGET_P95_MS else "OVER"
    print(f"\nworst dashboard p95: {worst:.1f} ms (target < {TARGET_P95_MS} ms): {verdict}")


if __name__ == "__main__":
    main()
