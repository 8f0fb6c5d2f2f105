"""Scoped reads of the dashboards: figures per role from the pre-aggregated facts, suggestions, risk flags.

Facts carry the case attributes that tenancy is decided on (centre, creditor, court), so the very same
cases.selectors.case_visibility_q that scopes the case lists scopes them: a creditor's figures never
count another creditor's cases. A mediator's own performance is read live from their cases, which the
(mediator, stage) index bounds to their workload.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Batch, Case, CaseEvent, Deadline, Stage
from cases.selectors import case_visibility_q, cases_visible_to
from core.actors import actor_role
from core.models import Organisation, Role
from mediation.models import ContactAttempt
from notices.models import Channel, Notice

from .facts import COARSE_DAY_BUCKETS, OVER_A_YEAR, optional_model
from .models import (
    CohortFact,
    DeadlineFact,
    DurationFact,
    FlowFact,
    NoticeFact,
    ObjectionFact,
    PlanFact,
    RefreshState,
    StageFact,
)

MONTH_DAYS = 30  # a span up to a month is charted by day

STAGE_ORDER = {s.value: i for i, s in enumerate(Stage)}
COURT_STAGES = [
    Stage.CONFIRMATION_REQUESTED,
    Stage.CONFIRMED,
    Stage.PAYMENT_ORDER,
    Stage.IN_LITIGATION,
    Stage.ENFORCEABLE,
    Stage.IN_ENFORCEMENT,
    Stage.ENFORCEMENT_SUSPENDED,
]
DUE_SOON_DAYS = 7
BATCHES_CHARTED = 20


# --- what a figure is -----------------------------------------------------------------------------------


@dataclass
class Column:
    label: Any
    kind: str = "int"  # int, yuan, percent, days, text


@dataclass
class Figure:
    """One chart with its numbers: the table under the chart, the .xlsx export and the chart's data."""

    key: str
    title: Any
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any]
    note: Any = ""
    wide: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class Filters:
    since: date | None = None  # first days of months, inclusive
    until: date | None = None
    creditor_id: int | None = None
    product: str = ""
    colour: str = ""
    track: str = ""

    def q(self, month_field: str = "month") -> Q:
        q = Q()
        if self.since:
            q &= Q(**{f"{month_field}__gte": self.since})
        if self.until:
            q &= Q(**{f"{month_field}__lte": self.until})
        for name in ("creditor_id", "product", "colour", "track"):
            value = getattr(self, name)
            if value not in (None, ""):
                q &= Q(**{name: value})
        return q


@dataclass
class Context:
    user: Any
    filters: Filters
    today: date = field(default_factory=timezone.localdate)
    creditor_names: dict[int, str] = field(default_factory=dict)
    _memo: dict[Any, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def role(self) -> str | None:
        return actor_role(self.user)

    def facts(self, model: type[Model]) -> QuerySet[Any]:
        return model.objects.filter(case_visibility_q(self.user)).filter(self.filters.q())  # type: ignore[attr-defined]

    def sums(self, model: type[Model], keys: tuple[str, ...], **sums: str) -> list[dict[str, Any]]:
        """One GROUP BY per table and grouping per request, shared by the figures and the key figures."""
        memo_key = (model, keys, tuple(sorted(sums.items())))
        if memo_key not in self._memo:
            qs = self.facts(model).order_by().values(*keys).annotate(**{k: Sum(v) for k, v in sums.items()})
            self._memo[memo_key] = list(qs)
        return self._memo[memo_key]


def rate(part: Any, whole: Any) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def stage_label(value: str) -> str:
    return str(Stage(value).label) if value in Stage.values else value


COHORT_SUMS = {
    "cases": "cases", "resolved": "resolved_pre_filing", "filed": "filed", "claimed": "claimed",
    "recovered": "recovered", "c30": "closed_30", "c60": "closed_60", "c90": "closed_90", "m30": "mature_30",
    "m60": "mature_60", "m90": "mature_90",
}  # fmt: skip


def stage_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.sums(StageFact, ("stage",), now="cases", reached="reached")


def cohort_rows(ctx: Context, by: str) -> list[dict[str, Any]]:
    return ctx.sums(CohortFact, (by,), **COHORT_SUMS)


def deadline_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.sums(DeadlineFact, ("kind", "status", "due_on"), n="deadlines")


def notice_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.sums(NoticeFact, ("channel", "status"), n="notices")


def _total(rows: Iterable[dict[str, Any]], key: str, field: str = "", among: Iterable[str] = ()) -> Any:
    """The sum of one column over the rows, or over those whose `field` is among some values."""
    wanted = set(among)
    return sum((r[key] or 0 for r in rows if not field or r[field] in wanted), 0)


# --- figures from the facts ------------------------------------------------------------------------------


def kpis(ctx: Context) -> list[dict[str, Any]]:
    by_batch = cohort_rows(ctx, "batch_id")  # the closure figure's grouping: its sums are the totals
    cohort = {key: _total(by_batch, key) for key in ("cases", "resolved", "claimed", "recovered")}
    missed = _total(deadline_rows(ctx), "n", "status", [Deadline.Status.EXPIRED])
    sent_statuses = [s for s in Notice.Status if s not in (Notice.Status.QUEUED, Notice.Status.RENDERED)]
    notices = {
        "sent": _total(notice_rows(ctx), "n", "status", sent_statuses),
        "delivered": _total(notice_rows(ctx), "n", "status", [Notice.Status.DELIVERED, Notice.Status.OPENED]),
    }
    tiles = [
        {"label": gettext_lazy("Cases received"), "value": cohort["cases"] or 0, "kind": "int"},
        {
            "label": gettext_lazy("Resolved before filing"),
            "value": cohort["resolved"] or 0,
            "kind": "int",
            "hint": _("%(rate)s of all cases")
            % {"rate": _percent(rate(cohort["resolved"], cohort["cases"]))},
        },
        {"label": gettext_lazy("Amount claimed"), "value": cohort["claimed"] or Decimal(0), "kind": "yuan"},
        {
            "label": gettext_lazy("Amount recovered"),
            "value": cohort["recovered"] or Decimal(0),
            "kind": "yuan",
            "hint": _("recovery rate %(rate)s")
            % {"rate": _percent(rate(cohort["recovered"], cohort["claimed"]))},
        },
        {"label": gettext_lazy("Deadlines missed"), "value": missed or 0, "kind": "int"},
        {
            "label": gettext_lazy("Notices delivered"),
            "value": notices["delivered"] or 0,
            "kind": "int",
            "hint": _("%(rate)s of those sent")
            % {"rate": _percent(rate(notices["delivered"], notices["sent"]))},
        },
    ]
    return tiles


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def funnel(ctx: Context) -> Figure:
    by_stage = {r["stage"]: r for r in stage_rows(ctx)}
    table = [
        [stage_label(s), by_stage[s]["reached"] or 0, by_stage[s]["now"] or 0]
        for s in sorted(by_stage, key=lambda s: STAGE_ORDER.get(s, 99))
        if by_stage[s]["reached"] or by_stage[s]["now"]
    ]
    return Figure(
        "funnel",
        gettext_lazy("Funnel: cases that reached each stage"),
        [
            Column(gettext_lazy("Stage"), "text"),
            Column(gettext_lazy("Cases that reached it")),
            Column(gettext_lazy("Cases in it now")),
        ],
        table,
        {"type": "funnel", "labels": [r[0] for r in table], "values": [r[1] for r in table]},
    )


def stages_now(ctx: Context, stages: Sequence[str] | None = None) -> Figure:
    by_stage = {r["stage"]: r["now"] for r in stage_rows(ctx) if stages is None or r["stage"] in stages}
    table = [
        [stage_label(s), n] for s, n in sorted(by_stage.items(), key=lambda i: STAGE_ORDER.get(i[0], 99)) if n
    ]
    return Figure(
        "stages" if stages is None else "court_stages",
        gettext_lazy("Cases per stage now")
        if stages is None
        else gettext_lazy("Cases in the court's stages"),
        [Column(gettext_lazy("Stage"), "text"), Column(gettext_lazy("Cases"))],
        table,
        {
            "type": "bar",
            "horizontal": True,
            "categories": [r[0] for r in table],
            "series": [{"name": str(gettext_lazy("Cases")), "data": [r[1] for r in table]}],
        },
    )


def flow(ctx: Context) -> Figure:
    rows = list(ctx.sums(FlowFact, ("from_stage", "to_stage"), n="transitions"))
    rows.sort(key=lambda r: (STAGE_ORDER.get(r["from_stage"], 99), STAGE_ORDER.get(r["to_stage"], 99)))
    table = [[stage_label(r["from_stage"]), stage_label(r["to_stage"]), r["n"]] for r in rows if r["n"]]
    # A Sankey chart cannot draw a cycle: a return to an earlier stage stays in the table only.
    forward = [
        {"source": stage_label(r["from_stage"]), "target": stage_label(r["to_stage"]), "value": r["n"]}
        for r in rows
        if r["n"] and STAGE_ORDER.get(r["to_stage"], 99) > STAGE_ORDER.get(r["from_stage"], 99)
    ]
    nodes = sorted({n for link in forward for n in (link["source"], link["target"])})
    return Figure(
        "flow",
        gettext_lazy("Flow between stages"),
        [
            Column(gettext_lazy("From"), "text"),
            Column(gettext_lazy("To"), "text"),
            Column(gettext_lazy("Transitions")),
        ],
        table,
        {"type": "sankey", "nodes": [{"name": n} for n in nodes], "links": forward},
        note=gettext_lazy(
            "Returns to an earlier stage (e.g. a lapsed payment order) are listed in the table only."
        ),
        wide=True,
    )


def _names(model: type[Model], ids: Iterable[Any], label: Callable[[Any], str]) -> dict[Any, str]:
    return {o.pk: label(o) for o in model.objects.filter(pk__in=[i for i in ids if i is not None])}  # type: ignore[attr-defined]


def _group_label(ctx: Context, by: str, rows: list[dict[str, Any]]) -> dict[Any, str]:
    if by == "creditor_id":
        missing = [r[by] for r in rows if r[by] not in ctx.creditor_names]
        return (
            {**ctx.creditor_names, **_names(Organisation, missing, lambda o: o.name)}
            if missing
            else ctx.creditor_names
        )
    return {r[by]: f"{r[by]:%Y-%m}" for r in rows}


def resolution(ctx: Context, by: str) -> Figure:
    rows = sorted(cohort_rows(ctx, by), key=lambda r: (r[by] is None, r[by]))
    names = _group_label(ctx, by, rows)
    table = [
        [names.get(r[by], "—"), r["cases"], r["resolved"], rate(r["resolved"], r["cases"]), r["filed"]]
        for r in rows
    ]
    return Figure(
        "resolution",
        gettext_lazy("Resolution before filing"),
        [
            Column(
                gettext_lazy("Creditor") if by == "creditor_id" else gettext_lazy("Month received"), "text"
            ),
            Column(gettext_lazy("Cases")),
            Column(gettext_lazy("Resolved before filing")),
            Column(gettext_lazy("Rate"), "percent"),
            Column(gettext_lazy("Filed (payment order or suit)")),
        ],
        table,
        {
            "type": "barline",
            "categories": [r[0] for r in table],
            "bars": [
                {"name": str(gettext_lazy("Resolved before filing")), "data": [r[2] for r in table]},
                {"name": str(gettext_lazy("Filed (payment order or suit)")), "data": [r[4] for r in table]},
            ],
            "line": {"name": str(gettext_lazy("Rate")), "data": [_num(r[3]) for r in table]},
        },
        note=gettext_lazy(
            "Settled, performed or closed without ever reaching a payment order or a suit, over all cases."
        ),
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def closure_by_batch(ctx: Context) -> Figure:
    rows = cohort_rows(ctx, "batch_id")
    batches = {b.pk: b for b in Batch.objects.filter(pk__in=[r["batch_id"] for r in rows if r["batch_id"]])}
    rows = sorted(
        rows,
        key=lambda r: -(batches[r["batch_id"]].created_at.timestamp()) if r["batch_id"] in batches else 0,
    )
    table = []
    for r in rows:
        batch = batches.get(r["batch_id"])
        name = f"#{batch.pk} {batch.filename}" if batch else _("Cases entered one by one")
        received = timezone.localdate(batch.created_at) if batch else None
        table.append(
            [
                name,
                received,
                r["cases"],
                rate(r["c30"], r["m30"]),
                rate(r["c60"], r["m60"]),
                rate(r["c90"], r["m90"]),
            ]
        )
    charted = table[:BATCHES_CHARTED][::-1]
    return Figure(
        "closure",
        gettext_lazy("Closure rate by batch within 30, 60 and 90 days"),
        [
            Column(gettext_lazy("Batch"), "text"),
            Column(gettext_lazy("Received on"), "date"),
            Column(gettext_lazy("Cases")),
            Column(gettext_lazy("Closed within 30 days"), "percent"),
            Column(gettext_lazy("Closed within 60 days"), "percent"),
            Column(gettext_lazy("Closed within 90 days"), "percent"),
        ],
        table,
        {
            "type": "bar",
            "categories": [r[0] for r in charted],
            "percent": True,
            "series": [
                {
                    "name": str(gettext_lazy("Within %(days)s days") % {"days": n}),
                    "data": [_num(r[i]) for r in charted],
                }
                for n, i in ((30, 3), (60, 4), (90, 5))
            ],
        },
        note=gettext_lazy(
            "Performed, closed or withdrawn within N days of receipt, over the cases at least N days old."
        ),
        wide=True,
    )


def recovery(ctx: Context, by: str) -> Figure:
    rows = sorted(cohort_rows(ctx, by), key=lambda r: (r[by] is None, r[by]))
    names = _group_label(ctx, by, rows)
    table = [
        [
            names.get(r[by], "—"),
            r["claimed"] or Decimal(0),
            r["recovered"] or Decimal(0),
            rate(r["recovered"], r["claimed"]),
        ]
        for r in rows
    ]
    return Figure(
        "recovery",
        gettext_lazy("Amount claimed and recovered"),
        [
            Column(
                gettext_lazy("Creditor") if by == "creditor_id" else gettext_lazy("Month received"), "text"
            ),
            Column(gettext_lazy("Claimed"), "yuan"),
            Column(gettext_lazy("Recovered"), "yuan"),
            Column(gettext_lazy("Recovery rate"), "percent"),
        ],
        table,
        {
            "type": "barline",
            "yuan": True,
            "categories": [r[0] for r in table],
            "bars": [
                {"name": str(gettext_lazy("Claimed")), "data": [_num(r[1]) for r in table]},
                {"name": str(gettext_lazy("Recovered")), "data": [_num(r[2]) for r in table]},
            ],
            "line": {"name": str(gettext_lazy("Recovery rate")), "data": [_num(r[3]) for r in table]},
        },
        note=gettext_lazy("Recovered: the payments the creditors reported on these cases."),
    )


def median_bucket(histogram: dict[int, int]) -> int | None:
    """The bucket holding the middle visit of a histogram of whole days."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if 2 * seen >= total:
            return days
    return None  # pragma: no cover - the loop always reaches half


def percentile_bucket(histogram: dict[int, int], share: Decimal) -> int | None:
    """The bucket holding the visit at this share (0.5: the median, 0.9: the 90th percentile)."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= share * total:
            return days
    return max(histogram)  # pragma: no cover - the loop always reaches the share


def days_label(days: int | None) -> str:
    if days is None:
        return "—"
    if days <= MONTH_DAYS:
        return str(days)
    if days == OVER_A_YEAR:
        return _("over %(days)s") % {"days": 365}
    lower = max([30, *[b for b in COARSE_DAY_BUCKETS if b < days]]) + 1
    return f"{lower}–{days}"


def durations(ctx: Context, stages: Sequence[str] | None = None) -> Figure:
    histograms: dict[str, dict[int, int]] = defaultdict(dict)
    for r in ctx.sums(DurationFact, ("stage", "days"), n="visits"):
        if stages is None or r["stage"] in stages:
            histograms[r["stage"]][r["days"]] = r["n"]
    table = []
    for stage in sorted(histograms, key=lambda s: STAGE_ORDER.get(s, 99)):
        median = median_bucket(histograms[stage])
        table.append([stage_label(stage), sum(histograms[stage].values()), days_label(median), median])
    return Figure(
        "durations",
        gettext_lazy("Median days per stage"),
        [
            Column(gettext_lazy("Stage"), "text"),
            Column(gettext_lazy("Cases that left it")),
            Column(gettext_lazy("Median days"), "text"),
        ],
        [r[:3] for r in table],
        {
            "type": "bar",
            "categories": [r[0] for r in table],
            "series": [{"name": str(gettext_lazy("Median days")), "data": [r[3] for r in table]}],
        },
        note=gettext_lazy("From each transition to the next one; exact to 30 days, in ranges beyond."),
    )


def objections(ctx: Context) -> Figure | None:
    objection = optional_model("mediation.Objection")
    if objection is None:
        return None
    grounds = dict(getattr(objection, "Ground").choices)  # noqa: B009 - a model another app may not have yet
    statuses = list(getattr(objection, "Status").choices)  # noqa: B009
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    corrected: dict[str, int] = defaultdict(int)
    for r in ctx.sums(ObjectionFact, ("ground", "status", "outcome"), n="objections"):
        cells[r["ground"]][r["status"]] = cells[r["ground"]].get(r["status"], 0) + r["n"]
        if r["outcome"]:
            corrected[r["ground"]] += r["n"]
    order = [g for g in grounds if g in cells]
    table = [
        [str(grounds[g]), sum(cells[g].values()), *[cells[g].get(s, 0) for s, _l in statuses], corrected[g]]
        for g in order
    ]
    return Figure(
        "objections",
        gettext_lazy("Objections and their outcomes"),
        [
            Column(gettext_lazy("Ground"), "text"),
            Column(gettext_lazy("Filed")),
            *[Column(label) for _s, label in statuses],
            Column(gettext_lazy("Amounts corrected or case closed")),
        ],
        table,
        {
            "type": "bar",
            "stacked": True,
            "categories": [r[0] for r in table],
            "series": [
                {"name": str(label), "data": [r[2 + i] for r in table]}
                for i, (_s, label) in enumerate(statuses)
            ],
        },
    )


def objection_decision_days(ctx: Context) -> Figure | None:
    """Days from an objection on the merits to its decision, per creditor and for the whole centre."""
    if optional_model("mediation.Objection") is None:
        return None
    per_creditor: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    centre: dict[int, int] = defaultdict(int)
    for r in ctx.sums(ObjectionFact, ("creditor_id", "decision_days"), n="objections"):
        if r["decision_days"] is None:
            continue
        per_creditor[r["creditor_id"]][r["decision_days"]] += r["n"]
        centre[r["decision_days"]] += r["n"]
    rows = [{"creditor_id": pk} for pk in per_creditor]
    names = _group_label(ctx, "creditor_id", rows)

    def line(label: Any, histogram: dict[int, int]) -> list[Any]:
        median, p90 = (
            percentile_bucket(histogram, Decimal("0.5")),
            percentile_bucket(histogram, Decimal("0.9")),
        )
        return [label, sum(histogram.values()), days_label(median), days_label(p90), median, p90]

    table = [
        line(names.get(pk, "—"), per_creditor[pk])
        for pk in sorted(per_creditor, key=lambda k: names.get(k, ""))
    ]
    if table:
        table.append(line(gettext_lazy("All creditors"), centre))
    return Figure(
        "objection_days",
        gettext_lazy("Days from objection to decision"),
        [
            Column(gettext_lazy("Creditor"), "text"),
            Column(gettext_lazy("Objections decided")),
            Column(gettext_lazy("Median days"), "text"),
            Column(gettext_lazy("90th percentile (days)"), "text"),
        ],
        [r[:4] for r in table],
        {
            "type": "bar",
            "categories": [str(r[0]) for r in table],
            "series": [
                {"name": str(gettext_lazy("Median days")), "data": [r[4] for r in table]},
                {"name": str(gettext_lazy("90th percentile (days)")), "data": [r[5] for r in table]},
            ],
        },
        note=gettext_lazy(
            "Objections on the merits, from filing to the reasoned decision; those sent to the repayment "
            "plan are not counted. Exact to 30 days, in ranges beyond."
        ),
    )


def plans_affordability(ctx: Context) -> Figure:
    """Debtors' plans measured against their financial statement, those above what the person can afford,
    and plans re-scheduled once online after a missed instalment: per creditor and for the whole centre."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in ctx.sums(PlanFact, ("creditor_id", "kind"), n="plans"):
        counts[r["creditor_id"]][r["kind"]] += r["n"]
    names = _group_label(ctx, "creditor_id", [{"creditor_id": pk} for pk in counts])

    def line(label: Any, c: dict[str, int]) -> list[Any]:
        measured = c.get("measured", 0) + c.get("above", 0)
        return [label, measured, c.get("above", 0), rate(c.get("above", 0), measured), c.get("cure", 0)]

    table = [line(names.get(pk, "—"), counts[pk]) for pk in sorted(counts, key=lambda k: names.get(k, ""))]
    if table:
        total: dict[str, int] = defaultdict(int)
        for c in counts.values():
            for kind, n in c.items():
                total[kind] += n
        table.append(line(gettext_lazy("All creditors"), total))
    return Figure(
        "plans_affordability",
        gettext_lazy("Plans and what people can afford"),
        [
            Column(gettext_lazy("Creditor"), "text"),
            Column(gettext_lazy("Plans measured against a financial statement")),
            Column(gettext_lazy("Above what is affordable, with a reason")),
            Column(gettext_lazy("Rate"), "percent"),
            Column(gettext_lazy("Re-scheduled once after a missed instalment")),
        ],
        table,
        {
            "type": "bar",
            "categories": [str(r[0]) for r in table],
            "series": [
                {
                    "name": str(gettext_lazy("Above what is affordable, with a reason")),
                    "data": [r[2] for r in table],
                },
                {
                    "name": str(gettext_lazy("Re-scheduled once after a missed instalment")),
                    "data": [r[4] for r in table],
                },
            ],
        },
    )


def deadlines(ctx: Context) -> Figure:
    rows = deadline_rows(ctx)
    soon = ctx.today + timedelta(days=DUE_SOON_DAYS)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        c = counts[r["kind"]]
        c[r["status"]] += r["n"]
        if r["status"] == Deadline.Status.OPEN:
            if r["due_on"] < ctx.today:
                c["overdue"] += r["n"]
            elif r["due_on"] <= soon:
                c["soon"] += r["n"]
    kinds = [k for k in Deadline.Kind if k in counts]
    status = Deadline.Status
    table = [
        [
            str(k.label),
            counts[k][status.OPEN],
            counts[k]["soon"],
            counts[k]["overdue"],
            counts[k][status.MET],
            counts[k][status.EXPIRED],
        ]
        for k in kinds
    ]
    return Figure(
        "deadlines",
        gettext_lazy("Time limits: due, overdue and missed"),
        [
            Column(gettext_lazy("Time limit"), "text"),
            Column(gettext_lazy("Open")),
            Column(gettext_lazy("Due within 7 days")),
            Column(gettext_lazy("Past due, still open")),
            Column(gettext_lazy("Met")),
            Column(gettext_lazy("Missed")),
        ],
        table,
        {
            "type": "bar",
            "stacked": True,
            "horizontal": True,
            "categories": [r[0] for r in table],
            "series": [
                {"name": str(gettext_lazy("Due within 7 days")), "data": [r[2] for r in table]},
                {"name": str(gettext_lazy("Past due, still open")), "data": [r[3] for r in table]},
                {"name": str(gettext_lazy("Missed")), "data": [r[5] for r in table]},
            ],
        },
        note=gettext_lazy("Open limits past due are paused by a hold; missed ones expired unmet."),
    )


def notices(ctx: Context) -> Figure:
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in notice_rows(ctx):
        cells[r["channel"]][r["status"]] += r["n"]
    ns = Notice.Status
    table = []
    for channel in [c for c in Channel if c in cells]:
        c = cells[channel]
        sent = sum(v for s, v in c.items() if s not in (ns.QUEUED, ns.RENDERED))
        delivered = c[ns.DELIVERED] + c[ns.OPENED]
        table.append(
            [
                str(channel.label),
                sent,
                delivered,
                c[ns.OPENED],
                c[ns.FAILED],
                rate(delivered, sent),
                rate(c[ns.OPENED], sent),
            ]
        )
    return Figure(
        "notices",
        gettext_lazy("Notices delivered and opened"),
        [
            Column(gettext_lazy("Channel"), "text"),
            Column(gettext_lazy("Sent")),
            Column(gettext_lazy("Delivered")),
            Column(gettext_lazy("Opened")),
            Column(gettext_lazy("Failed")),
            Column(gettext_lazy("Delivered"), "percent"),
            Column(gettext_lazy("Opened"), "percent"),
        ],
        table,
        {
            "type": "bar",
            "categories": [r[0] for r in table],
            "series": [
                {"name": str(gettext_lazy(label)), "data": [r[i] for r in table]}
                for label, i in (("Sent", 1), ("Delivered", 2), ("Opened", 3), ("Failed", 4))
            ],
        },
    )


# --- a mediator's own performance, read live from their cases ----------------------------------------------


def mediator_cases(ctx: Context) -> QuerySet[Case]:
    f = ctx.filters
    qs = cases_visible_to(ctx.user).filter(mediator_id=ctx.user.pk)
    if f.since:
        qs = qs.filter(created_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__date__lt=_next_month(f.until))
    for name in ("creditor_id", "product", "colour", "track"):
        if getattr(f, name) not in (None, ""):
            qs = qs.filter(**{name: getattr(f, name)})
    return qs


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def mediator_kpis(ctx: Context) -> list[dict[str, Any]]:
    cases = mediator_cases(ctx)
    assigned = cases.count()
    settled = (
        CaseEvent.objects.filter(case__in=cases, to_stage=Stage.SETTLED).values("case_id").distinct().count()
    )
    contacts = ContactAttempt.objects.filter(mediator_id=ctx.user.pk, case__in=cases)
    reached = contacts.filter(
        outcome__in=[ContactAttempt.Outcome.REACHED, ContactAttempt.Outcome.PROMISED]
    ).count()
    n_contacts = contacts.count()
    return [
        {"label": gettext_lazy("Cases assigned to me"), "value": assigned, "kind": "int"},
        {"label": gettext_lazy("Settled"), "value": settled, "kind": "int"},
        {
            "label": gettext_lazy("Settlement rate"),
            "value": _percent(rate(settled, assigned)),
            "kind": "text",
        },
        {
            "label": gettext_lazy("Contact attempts"),
            "value": n_contacts,
            "kind": "int",
            "hint": _("%(rate)s reached the debtor") % {"rate": _percent(rate(reached, n_contacts))},
        },
    ]


def mediator_stages(ctx: Context) -> Figure:
    counts = dict(mediator_cases(ctx).order_by().values_list("stage").annotate(n=Count("pk")))
    table = [[stage_label(s), n] for s, n in sorted(counts.items(), key=lambda i: STAGE_ORDER.get(i[0], 99))]
    return Figure(
        "stages",
        gettext_lazy("My cases per stage"),
        [Column(gettext_lazy("Stage"), "text"), Column(gettext_lazy("Cases"))],
        table,
        {
            "type": "bar",
            "horizontal": True,
            "categories": [r[0] for r in table],
            "series": [{"name": str(gettext_lazy("Cases")), "data": [r[1] for r in table]}],
        },
    )


def mediator_contacts(ctx: Context) -> Figure:
    rows = (
        ContactAttempt.objects.filter(mediator_id=ctx.user.pk, case__in=mediator_cases(ctx))
        .annotate(m=TruncMonth("at"))
        .order_by()
        .values("m", "outcome")
        .annotate(n=Count("pk"))
    )
    outcomes = list(ContactAttempt.Outcome)
    cells: dict[date, dict[str, int]] = defaultdict(dict)
    for r in rows:
        cells[r["m"].date() if hasattr(r["m"], "date") else r["m"]][r["outcome"]] = r["n"]
    months = sorted(cells)
    table = [[f"{m:%Y-%m}", *[cells[m].get(o, 0) for o in outcomes], sum(cells[m].values())] for m in months]
    return Figure(
        "contacts",
        gettext_lazy("My contact attempts by month and outcome"),
        [
            Column(gettext_lazy("Month"), "text"),
            *[Column(o.label) for o in outcomes],
            Column(gettext_lazy("Total")),
        ],
        table,
        {
            "type": "bar",
            "stacked": True,
            "categories": [r[0] for r in table],
            "series": [
                {"name": str(o.label), "data": [r[1 + i] for r in table]} for i, o in enumerate(outcomes)
            ],
        },
    )


def mediator_settlements(ctx: Context) -> Figure:
    cases = mediator_cases(ctx)
    received = dict(
        cases.annotate(m=TruncMonth("created_at")).order_by().values_list("m").annotate(n=Count("pk"))
    )
    settled = dict(
        CaseEvent.objects.filter(case__in=cases, to_stage=Stage.SETTLED)
        .annotate(m=TruncMonth("case__created_at"))
        .order_by()
        .values_list("m")
        .annotate(n=Count("case_id", distinct=True))
    )
    table = [
        [f"{m:%Y-%m}", received[m], settled.get(m, 0), rate(settled.get(m, 0), received[m])]
        for m in sorted(received)
    ]
    return Figure(
        "settlements",
        gettext_lazy("My settlement rate by month received"),
        [
            Column(gettext_lazy("Month received"), "text"),
            Column(gettext_lazy("Cases")),
            Column(gettext_lazy("Settled")),
            Column(gettext_lazy("Settlement rate"), "percent"),
        ],
        table,
        {
            "type": "barline",
            "categories": [r[0] for r in table],
            "bars": [
                {"name": str(gettext_lazy("Cases")), "data": [r[1] for r in table]},
                {"name": str(gettext_lazy("Settled")), "data": [r[2] for r in table]},
            ],
            "line": {"name": str(gettext_lazy("Settlement rate")), "data": [_num(r[3]) for r in table]},
        },
    )


# --- the dashboards per role --------------------------------------------------------------------------------

FigureBuilder = Callable[[Context], Figure | None]
ROLE_FIGURES: dict[str, dict[str, FigureBuilder]] = {
    Role.CENTRE_ADMIN: {
        "funnel": funnel,
        "stages": stages_now,
        "flow": flow,
        "resolution": lambda c: resolution(c, "creditor_id"),
        "recovery": lambda c: recovery(c, "creditor_id"),
        "closure": closure_by_batch,
        "durations": durations,
        "deadlines": deadlines,
        "objections": objections,
        "objection_days": objection_decision_days,
        "plans_affordability": plans_affordability,
        "notices": notices,
    },
    Role.CREDITOR_STAFF: {
        "funnel": funnel,
        "stages": stages_now,
        "flow": flow,
        "resolution": lambda c: resolution(c, "month"),
        "recovery": lambda c: recovery(c, "month"),
        "closure": closure_by_batch,
        "durations": durations,
        "deadlines": deadlines,
        "objections": objections,
        "objection_days": objection_decision_days,
        "plans_affordability": plans_affordability,
        "notices": notices,
    },
    Role.JUDGE: {
        "court_stages": lambda c: stages_now(c, COURT_STAGES),
        "deadlines": deadlines,
        "durations": lambda c: durations(c, COURT_STAGES),
        "flow": flow,
        "resolution": lambda c: resolution(c, "creditor_id"),
        "notices": notices,
    },
    Role.MEDIATOR: {
        "stages": mediator_stages,
        "settlements": mediator_settlements,
        "contacts": mediator_contacts,
    },
}
ROLE_FIGURES[Role.CLERK] = ROLE_FIGURES[Role.JUDGE]


def dashboard_figures(ctx: Context, keys: Iterable[str] | None = None) -> list[Figure]:
    builders = ROLE_FIGURES.get(ctx.role or "", {})
    wanted = builders if keys is None else {k: builders[k] for k in keys if k in builders}
    return [f for build in wanted.values() if (f := build(ctx)) is not None]


def dashboard_kpis(ctx: Context) -> list[dict[str, Any]]:
    if ctx.role == Role.MEDIATOR:
        return mediator_kpis(ctx)
    if ctx.role in (Role.JUDGE, Role.CLERK):
        return court_kpis(ctx)
    return kpis(ctx)


def court_kpis(ctx: Context) -> list[dict[str, Any]]:
    limits = deadline_rows(ctx)
    open_ = [r for r in limits if r["status"] == Deadline.Status.OPEN]
    soon = ctx.today + timedelta(days=DUE_SOON_DAYS)
    values = [
        (gettext_lazy("Cases in the court's stages"), _total(stage_rows(ctx), "now", "stage", COURT_STAGES)),
        (
            gettext_lazy("Time limits due within 7 days"),
            sum(r["n"] for r in open_ if ctx.today <= r["due_on"] <= soon),
        ),
        (gettext_lazy("Past due, still open"), sum(r["n"] for r in open_ if r["due_on"] < ctx.today)),
        (gettext_lazy("Deadlines missed"), _total(limits, "n", "status", [Deadline.Status.EXPIRED])),
    ]
    return [{"label": label, "value": value, "kind": "int"} for label, value in values]


def refreshed_at(user: Any) -> Any:
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    return (
        RefreshState.objects.filter(centre_id=membership.organisation.centre_id)
        .values_list("refreshed_at", flat=True)
        .first()
    )


def creditor_choices(user: Any) -> list[tuple[int, str]]:
    """The creditors a staff member may filter by: their centre's (a creditor sees only itself: none)."""
    membership = getattr(user, "membership", None)
    if membership is None or actor_role(user) == Role.CREDITOR_STAFF:
        return []
    creditors = Organisation.objects.filter(
        centre_id=membership.organisation.centre_id, kind=Organisation.Kind.CREDITOR
    ).order_by("name")
    return list(creditors.values_list("pk", "name"))
