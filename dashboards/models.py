"""Pre-aggregated figures of the funnel (judicial suggestions and group risk are in oversight).

The *Fact tables are derived: dashboards.services.facts_refresh replaces a centre's rows in one transaction
(INSERT ... SELECT ... GROUP BY over the case tables); pages only ever read these small tables. Every fact
row carries the same slice of case attributes (FactSlice), so one filter serves every figure.
"""

from decimal import Decimal

from django.db import models

from cases.models import Batch
from core.models import Centre, Organisation

# Derived rows point at their tenant without a database constraint: a refresh writes tens of thousands of
# them set-based, and they are rebuilt from the cases anyway.
NO_CONSTRAINT = models.DO_NOTHING


class FactSlice(models.Model):
    """The case attributes every figure can be filtered and scoped by."""

    centre = models.ForeignKey(Centre, NO_CONSTRAINT, db_index=False, db_constraint=False, related_name="+")
    creditor = models.ForeignKey(
        Organisation, NO_CONSTRAINT, db_index=False, db_constraint=False, related_name="+"
    )
    court = models.ForeignKey(
        Organisation, NO_CONSTRAINT, null=True, db_index=False, db_constraint=False, related_name="+"
    )
    product = models.CharField(max_length=16)
    colour = models.CharField(max_length=8, blank=True)
    track = models.CharField(max_length=8, blank=True)
    month = models.DateField(help_text="first day of the month the cases were received (Asia/Shanghai)")

    SLICE_FIELDS = ("centre_id", "creditor_id", "court_id", "product", "colour", "track", "month")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.centre_id}/{self.creditor_id} {self.month:%Y-%m}"


def _fact_indexes(name: str) -> list[models.Index]:
    return [
        models.Index(fields=["centre", "creditor"], name=f"{name}_creditor"),
        models.Index(fields=["centre", "court"], name=f"{name}_court"),
    ]


class StageFact(FactSlice):
    """Cases now in a stage, and cases that ever entered it (the funnel)."""

    stage = models.CharField(max_length=32)
    cases = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = _fact_indexes("stagefact")


class FlowFact(FactSlice):
    """Transitions from one stage to another (the Sankey chart)."""

    from_stage = models.CharField(max_length=32)
    to_stage = models.CharField(max_length=32)
    transitions = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("flowfact")


class CohortFact(FactSlice):
    """What became of the cases received: resolution before filing, closure in 30/60/90 days, recovery."""

    batch = models.ForeignKey(
        Batch, NO_CONSTRAINT, null=True, db_index=False, db_constraint=False, related_name="+"
    )
    cases = models.PositiveIntegerField()
    resolved_pre_filing = models.PositiveIntegerField()
    filed = models.PositiveIntegerField()
    closed_30 = models.PositiveIntegerField()
    closed_60 = models.PositiveIntegerField()
    closed_90 = models.PositiveIntegerField()
    # Cases old enough to have had 30/60/90 days: the denominators of the closure rates.
    mature_30 = models.PositiveIntegerField()
    mature_60 = models.PositiveIntegerField()
    mature_90 = models.PositiveIntegerField()
    claimed = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    recovered = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        indexes = _fact_indexes("cohortfact")


class DurationFact(FactSlice):
    """How long cases stayed in a stage: a histogram of whole days (fine to 30 days, coarse after)."""

    stage = models.CharField(max_length=32)
    days = models.PositiveIntegerField(help_text="the bucket's upper bound in whole days")
    visits = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("durationfact")


class DeadlineFact(FactSlice):
    """Time limits by kind and status; open ones by due day (the far future folded into one day)."""

    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=10)
    due_on = models.DateField(help_text="open: due day (capped at the horizon); others: month of the due day")
    deadlines = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("deadlinefact")


class NoticeFact(FactSlice):
    channel = models.CharField(max_length=8)
    status = models.CharField(max_length=10)
    notices = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("noticefact")


class ObjectionFact(FactSlice):
    ground = models.CharField(max_length=16)
    status = models.CharField(max_length=14)
    outcome = models.CharField(max_length=10, blank=True)
    # Days from filing to decision (exact to 30, then the duration buckets); null while undecided or when
    # the objection went to the repayment plan instead.
    decision_days = models.PositiveIntegerField(null=True)
    objections = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("objectionfact")


class PlanFact(FactSlice):
    """Affordability and cures: debtors' plans measured against a financial statement, those above what the
    person can afford (kept with a reason), and plans re-scheduled online after a missed instalment."""

    kind = models.CharField(max_length=12)  # measured, above, cure
    plans = models.PositiveIntegerField()

    class Meta:
        indexes = _fact_indexes("planfact")


class RefreshState(models.Model):
    """When a centre's facts were last rebuilt, and the last case event they include."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()
    event_watermark = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.centre_id} {self.refreshed_at:%Y-%m-%d %H:%M}"
