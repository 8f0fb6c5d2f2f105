"""Credit-repair and performance rules (shared/DOMAIN.md), one constant or small pure function per rule."""

from datetime import date, timedelta
from decimal import Decimal

from cases.deadlines import add_months
from cases.rules import CREDIT_REPORT_RETENTION_YEARS, RECORD_REMOVAL_WORKING_DAYS
from core.workdays import WorkingCalendar

# SPC 2017 dishonest-list rules art. 10: removal within 3 working days of full performance.
LIST_REMOVAL_WORKING_DAYS = RECORD_REMOVAL_WORKING_DAYS
# SPC 2015 high-consumption rules art. 9 say "promptly" (及时); the centre holds the court to the same
# 3 working days as the list removal (practice, S).
RESTRICTION_LIFT_WORKING_DAYS = RECORD_REMOVAL_WORKING_DAYS
# No statute fixes when a creditor reports a settled account; banks report changes to the PBOC credit
# reference centre in their monthly reporting cycle, so the creditor's correction is due within 30 days
# (Credit Reporting Regulation 16 and 25 practice, S). A dated default: 2026.
CREDIT_REPORT_CORRECTION_DAYS = 30
# Credit Reporting Regulation 16: negative information is kept 5 years from the end of the default.
RETENTION_YEARS = CREDIT_REPORT_RETENTION_YEARS
# Evidence a debtor attaches to a credit-record objection: these types, this size, this many.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10
OBJECTION_STATEMENT_MAX_CHARS = 2000
# A single payment above this is a typing error, not a small consumer debt.
MAX_PAYMENT = Decimal("100000000.00")


def retention_ends_on(default_ended_on: date) -> date:
    """Credit Reporting Regulation 16: kept 5 years from the day the default ended, then deleted."""
    return add_months(default_ended_on, RETENTION_YEARS * 12)


def grace_ends_on(*, due_on: date, grace_working_days: int, work_calendar: WorkingCalendar) -> date:
    """The last day of a centre's grace period after an instalment falls due (working days)."""
    return work_calendar.add_working_days(due_on, grace_working_days).due


def breach_cutoff(*, today: date, grace_working_days: int, work_calendar: WorkingCalendar) -> date:
    """The latest due date whose grace period ended before ``today``: unpaid on or before it is a breach.

    The grace end only grows with the due date, so one cut-off per centre selects breaches set-based.
    """
    day = today - timedelta(days=1)
    while (
        grace_ends_on(due_on=day, grace_working_days=grace_working_days, work_calendar=work_calendar) >= today
    ):
        day -= timedelta(days=1)
    return day
