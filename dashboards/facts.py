# ruff: noqa: S608  (every interpolation is a table name, a constant or an int-cast id; values are parameters)
"""The SQL that rebuilds a centre's pre-aggregated figures: one INSERT ... SELECT ... GROUP BY per fact table.

Two temporary tables are built first, each in one pass: the scoped cases with their slice (the attributes
every figure is filtered by) and the per-case outcome of their events (a bit per stage reached, when the
case ended). The fact statements then group these narrow tables, and read the events once more for the
flows and the stays. The SQL runs on PostgreSQL and on SQLite; the two differ only in the month and day
arithmetic and in the bitwise OR aggregate below.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Model

from cases.models import Case, CaseEvent, Deadline, Stage
from notices.models import Notice

from .models import (
    CohortFact,
    DeadlineFact,
    DurationFact,
    FlowFact,
    NoticeFact,
    ObjectionFact,
    PlanFact,
    StageFact,
)

# Stages that count as resolved, and those that mean a court filed the case (the brief of issue 9).
RESOLVED_STAGES = ("settled", "performed", "closed")
FILED_STAGES = ("payment_order", "in_litigation")
ENDED_STAGES = ("performed", "closed", "withdrawn")
CLOSURE_DAYS = (30, 60, 90)
# Days in a stage: whole days up to 30, then these upper bounds; 1000 stands for "more than a year".
COARSE_DAY_BUCKETS = (45, 60, 90, 120, 180, 365)
OVER_A_YEAR = 1000
# Open deadlines due after this many days are folded into that day: the pages look at most a week ahead.
OPEN_DEADLINE_HORIZON_DAYS = 15
# One bit per stage for "the case reached this stage" (17 stages fit an int).
STAGE_BITS = {stage.value: 1 << i for i, stage in enumerate(Stage)}
# PostgreSQL sorts and hashes a centre's million cases in memory with this much (for the refresh only).
REFRESH_WORK_MEM = "256MB"
TEMP_CASES, TEMP_STAYS = "dashboards_tmp_case", "dashboards_tmp_stay"
TEMP_OUTCOMES, TEMP_REACHED = "dashboards_tmp_outcome", "dashboards_tmp_reached"
TEMPORARY = (TEMP_CASES, TEMP_STAYS, TEMP_OUTCOMES, TEMP_REACHED)


def optional_model(label: str) -> type[Model] | None:
    """A model another app is still building (payments, objections): None while it does not exist."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def month_of_datetime(column: str) -> str:
    """The first day of the month of an aware timestamp, in the platform's time zone."""
    if _postgres():
        return f"date_trunc('month', {column} AT TIME ZONE %(tz)s)::date"
    # SQLite keeps UTC text; China has had one fixed offset since 1991.
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta(0)
    return f"date({column}, '{int(offset.total_seconds() // 3600):+d} hours', 'start of month')"


def month_of_date(column: str) -> str:
    return f"date_trunc('month', {column})::date" if _postgres() else f"date({column}, 'start of month')"


def days_between(start: str, end: str) -> str:
    """Whole days (of 24 hours) from one timestamp to another."""
    if _postgres():  # date_part gives a double; EXTRACT a numeric, several times slower on millions of rows
        return f"FLOOR(date_part('epoch', ({end}) - ({start})) / 86400)::int"
    return (
        f"CAST(julianday({end}) - julianday({start}) + 0.00001 AS INTEGER)"  # doubles: 1 day may be 0.99999
    )


def bit_or(expression: str) -> str:
    # SQLite has no BIT_OR; the sum of the distinct bits of one case is the same number.
    return f"BIT_OR({expression})" if _postgres() else f"SUM(DISTINCT {expression})"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _bits(values: tuple[str, ...]) -> int:
    return sum(STAGE_BITS[v] for v in values)


def _table(model: type[Model]) -> str:
    return model._meta.db_table


SLICE_COLUMNS = "centre_id, creditor_id, court_id, product, colour, track, month"
SLICE = ", ".join(f"d.{c}" for c in SLICE_COLUMNS.split(", "))
CASES, EVENTS = _table(Case), _table(CaseEvent)
# The WHERE on the cases of a refresh: the centre, and optionally some creditors (an incremental refresh).
Scope = str


def group_by(n: int) -> str:
    return "GROUP BY " + ", ".join(str(i) for i in range(1, n + 1))


def prepare_statements(scope: Scope) -> list[str]:
    """Three temporary tables, each in one pass: the scoped cases with their slice; each transition of
    theirs with its slice and the days until the next one; each case's outcome (stages reached, end)."""
    stage_bit = (
        "CASE s.to_stage " + " ".join(f"WHEN '{s}' THEN {b}" for s, b in STAGE_BITS.items()) + " ELSE 0 END"
    )
    return [
        f"CREATE TEMPORARY TABLE {TEMP_CASES} AS "
        f"SELECT c.id, c.centre_id, c.creditor_id, c.court_id, c.product, c.colour, c.track, "
        f"{month_of_datetime('c.created_at')} AS month, c.batch_id, c.stage, c.created_at, c.claimed_total "
        f"FROM {CASES} c WHERE {scope}",
        *analyze(TEMP_CASES),
        f"CREATE TEMPORARY TABLE {TEMP_STAYS} AS "
        f"SELECT e.case_id, {SLICE}, e.from_stage, e.to_stage, e.created_at AS at, "
        f"{days_between('e.created_at', 'LEAD(e.created_at) OVER w')} AS days "
        f"FROM {EVENTS} e JOIN {TEMP_CASES} d ON d.id = e.case_id WHERE e.from_stage <> e.to_stage "
        f"WINDOW w AS (PARTITION BY e.case_id ORDER BY e.seq)",
        *analyze(TEMP_STAYS),
        f"CREATE TEMPORARY TABLE {TEMP_OUTCOMES} AS "
        f"SELECT s.case_id, {bit_or(stage_bit)} AS reached, "
        f"MIN(CASE WHEN s.to_stage IN {_in(ENDED_STAGES)} THEN s.at END) AS ended_at "
        f"FROM {TEMP_STAYS} s GROUP BY s.case_id",
        *analyze(TEMP_OUTCOMES),
    ]


def cleanup_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {table}" for table in TEMPORARY]


def stage_statements() -> list[str]:
    """Cases per stage now; and per stage reached, summed bit by bit in one pass, then one row per stage."""
    target = f"INSERT INTO {_table(StageFact)} ({SLICE_COLUMNS}, stage, cases, reached)"
    sums = ", ".join(
        f"SUM(CASE WHEN (o.reached & {b}) <> 0 THEN 1 ELSE 0 END) AS s{b}" for b in STAGE_BITS.values()
    )
    unpivot = " UNION ALL ".join(
        f"SELECT {SLICE}, '{s}', 0, d.s{b} FROM {TEMP_REACHED} d WHERE d.s{b} > 0"
        for s, b in STAGE_BITS.items()
    )
    return [
        f"{target} SELECT {SLICE}, d.stage, COUNT(*), 0 FROM {TEMP_CASES} d {group_by(8)}",
        f"CREATE TEMPORARY TABLE {TEMP_REACHED} AS SELECT {SLICE}, {sums} "
        f"FROM {TEMP_CASES} d JOIN {TEMP_OUTCOMES} o ON o.case_id = d.id {group_by(7)}",
        f"{target} {unpivot}",
    ]


def flow_statements() -> list[str]:
    return [
        f"INSERT INTO {_table(FlowFact)} ({SLICE_COLUMNS}, from_stage, to_stage, transitions) "
        f"SELECT {SLICE}, d.from_stage, d.to_stage, COUNT(*) FROM {TEMP_STAYS} d "
        f"WHERE d.from_stage <> '' {group_by(9)}"
    ]


def duration_statements() -> list[str]:
    coarse = " ".join(f"WHEN d.days <= {b} THEN {b}" for b in COARSE_DAY_BUCKETS)
    bucket = f"CASE WHEN d.days <= 30 THEN d.days {coarse} ELSE {OVER_A_YEAR} END"
    return [
        f"INSERT INTO {_table(DurationFact)} ({SLICE_COLUMNS}, stage, days, visits) "
        f"SELECT {SLICE}, d.to_stage, {bucket}, COUNT(*) FROM {TEMP_STAYS} d "
        f"WHERE d.days IS NOT NULL {group_by(9)}"
    ]


def cohort_statements() -> list[str]:
    payment = optional_model("credit_repair.Payment")
    ended_in = days_between("d.created_at", "o.ended_at")
    closed = ", ".join(
        f"SUM(CASE WHEN o.ended_at IS NOT NULL AND {ended_in} <= {n} THEN 1 ELSE 0 END)" for n in CLOSURE_DAYS
    )
    mature = ", ".join(
        f"SUM(CASE WHEN d.created_at <= %(mature_{n})s THEN 1 ELSE 0 END)" for n in CLOSURE_DAYS
    )
    resolved, filed = _bits(RESOLVED_STAGES), _bits(FILED_STAGES)
    recovered, payments = "0", ""
    if payment is not None:
        recovered = "COALESCE(SUM(p.paid), 0)"
        payments = (
            f"LEFT JOIN (SELECT p.case_id, SUM(p.amount) AS paid FROM {_table(payment)} p "
            f"JOIN {TEMP_CASES} d ON d.id = p.case_id GROUP BY p.case_id) p ON p.case_id = d.id "
        )
    return [
        f"INSERT INTO {_table(CohortFact)} ({SLICE_COLUMNS}, batch_id, cases, resolved_pre_filing, filed, "
        f"closed_30, closed_60, closed_90, mature_30, mature_60, mature_90, claimed, recovered) "
        f"SELECT {SLICE}, d.batch_id, COUNT(*), "
        f"SUM(CASE WHEN (o.reached & {resolved}) <> 0 AND (o.reached & {filed}) = 0 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN (o.reached & {filed}) <> 0 THEN 1 ELSE 0 END), "
        f"{closed}, {mature}, SUM(d.claimed_total), {recovered} "
        f"FROM {TEMP_CASES} d LEFT JOIN {TEMP_OUTCOMES} o ON o.case_id = d.id {payments}{group_by(8)}"
    ]


def deadline_statements() -> list[str]:
    due = (
        "CASE WHEN x.status = 'open' "
        "THEN (CASE WHEN x.due_on > %(horizon)s THEN %(horizon)s ELSE x.due_on END) "
        f"ELSE {month_of_date('x.due_on')} END"
    )
    return [
        f"INSERT INTO {_table(DeadlineFact)} ({SLICE_COLUMNS}, kind, status, due_on, deadlines) "
        f"SELECT {SLICE}, x.kind, x.status, {due}, COUNT(*) "
        f"FROM {_table(Deadline)} x JOIN {TEMP_CASES} d ON d.id = x.case_id {group_by(10)}"
    ]


def notice_statements() -> list[str]:
    return [
        f"INSERT INTO {_table(NoticeFact)} ({SLICE_COLUMNS}, channel, status, notices) "
        f"SELECT {SLICE}, n.channel, n.status, COUNT(*) "
        f"FROM {_table(Notice)} n JOIN {TEMP_CASES} d ON d.id = n.case_id {group_by(9)}"
    ]


def objection_statements() -> list[str]:
    objection = optional_model("mediation.Objection")
    if objection is None:
        return []
    days = days_between("x.created_at", "x.decided_at")
    coarse = " ".join(f"WHEN {days} <= {b} THEN {b}" for b in COARSE_DAY_BUCKETS)
    decided = "x.decided_at IS NOT NULL AND x.status IN ('upheld', 'rejected')"
    bucket = (
        f"CASE WHEN NOT ({decided}) THEN NULL WHEN {days} <= 30 THEN {days} {coarse} ELSE {OVER_A_YEAR} END"
    )
    return [
        f"INSERT INTO {_table(ObjectionFact)} ({SLICE_COLUMNS}, ground, status, outcome, decision_days, "
        f"objections) SELECT {SLICE}, x.ground, x.status, x.outcome, {bucket}, COUNT(*) "
        f"FROM {_table(objection)} x JOIN {TEMP_CASES} d ON d.id = x.case_id {group_by(11)}"
    ]


def plan_statements() -> list[str]:
    proposal, cure = optional_model("mediation.Proposal"), optional_model("credit_repair.PlanCure")
    if proposal is None or cure is None:
        return []
    insert = f"INSERT INTO {_table(PlanFact)} ({SLICE_COLUMNS}, kind, plans) "
    measured = "CASE WHEN x.above_affordable_reason <> '' THEN 'above' ELSE 'measured' END"
    return [
        f"{insert}SELECT {SLICE}, {measured}, COUNT(*) FROM {_table(proposal)} x "
        f"JOIN {TEMP_CASES} d ON d.id = x.case_id "
        f"WHERE x.party = 'debtor' AND x.affordable_monthly IS NOT NULL {group_by(8)}",
        f"{insert}SELECT {SLICE}, 'cure', COUNT(*) FROM {_table(cure)} x "
        f"JOIN {TEMP_CASES} d ON d.id = x.case_id {group_by(8)}",
    ]


FACTS: list[tuple[type[Model], Callable[[], list[str]]]] = [
    (StageFact, stage_statements),
    (FlowFact, flow_statements),
    (CohortFact, cohort_statements),
    (DurationFact, duration_statements),
    (DeadlineFact, deadline_statements),
    (NoticeFact, notice_statements),
    (ObjectionFact, objection_statements),
    (PlanFact, plan_statements),
]


def scope_sql(creditor_ids: list[int] | None) -> Scope:
    scope = "c.centre_id = %(centre)s"
    if creditor_ids is not None:
        scope += " AND c.creditor_id IN (" + ", ".join(str(int(pk)) for pk in creditor_ids) + ")"
    return scope


def session_statements() -> list[str]:
    """Settings for the refresh's transaction only."""
    # JIT compiling each statement costs more than it saves on these few-second aggregates.
    return [f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'", "SET LOCAL jit = off"] if _postgres() else []


def analyze(table: str) -> list[str]:
    # PostgreSQL keeps no statistics of temporary tables unless asked: the planner needs their sizes.
    return [f"ANALYZE {table}"] if _postgres() else []


def statement_params(centre_id: int, now: datetime, today: date) -> dict[str, Any]:
    ops = connection.ops
    params: dict[str, Any] = {
        "centre": centre_id,
        "tz": settings.TIME_ZONE,
        "horizon": ops.adapt_datefield_value(today + timedelta(days=OPEN_DEADLINE_HORIZON_DAYS)),
    }
    for n in CLOSURE_DAYS:
        params[f"mature_{n}"] = ops.adapt_datetimefield_value(now - timedelta(days=n))
    return params


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the named parameters a statement uses (SQLite refuses extra ones)."""
    return {k: v for k, v in params.items() if f"%({k})s" in sql}
