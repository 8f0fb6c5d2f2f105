"""Statutory and practice periods (shared/DOMAIN.md). One constant per rule, with its source."""

from dataclasses import dataclass
from decimal import Decimal

# SPC Online Mediation Rules 2021, art. 24: pre-litigation mediation lasts 30 days from acceptance.
MEDIATION_WINDOW_DAYS = 30
# Online Mediation Rules: the court designates a mediator within 3 working days.
COURT_DESIGNATION_WORKING_DAYS = 3
# CPL 205 (201): joint application for judicial confirmation within 30 days of the agreement taking effect.
CONFIRMATION_APPLICATION_DAYS = 30
# CPL 187: special procedure decided within 30 days of filing (15 days is the working target).
CONFIRMATION_DECISION_DAYS = 30
CONFIRMATION_DECISION_TARGET_DAYS = 15
# CPL 226 (222): the court decides on a payment-order application within 5 days.
PAYMENT_ORDER_ACCEPTANCE_DAYS = 5
# CPL 227 (223): the order is issued within 15 days of acceptance.
PAYMENT_ORDER_ISSUANCE_DAYS = 15
# Interp. 430: an order not served within 30 days of issuance lapses.
PAYMENT_ORDER_SERVICE_DAYS = 30
# CPL 227; Interp. 431, 436: the debtor has 15 days from service to object in writing.
PAYMENT_ORDER_OBJECTION_DAYS = 15
# Interp. 438-439: after a valid objection the case becomes a suit unless the creditor declines within 7 days.
SUIT_DECLINE_DAYS = 7
# CPL 250 (246): enforcement is applied for within 2 years of the last day of the performance period.
ENFORCEMENT_APPLICATION_YEARS = 2
# SPC enforcement-work rules 63: enforcement completed within 6 months of filing.
ENFORCEMENT_COMPLETION_MONTHS = 6
# SPC 2016 终本 rules (S): after termination of the current round the court re-checks every 6 months.
ENFORCEMENT_RECHECK_MONTHS = 6
# SPC 2016 终本 rules (S): the current round ends only more than 3 months after filing (Interp. 517 says when
# it may end: an asset search found nothing, and the creditor signs or the president approves).
ENFORCEMENT_SUSPENSION_MIN_MONTHS = 3
# CPL 168: small claims decided within 2 months of filing (+1); CPL 164: summary 3 (+1); CPL 152: ordinary 6.
SMALL_CLAIMS_TRIAL_MONTHS = 2
SUMMARY_TRIAL_MONTHS = 3
ORDINARY_TRIAL_MONTHS = 6
# CPL 264 (260): late-performance interest is 0.0175% of the unpaid amount per day.
LATE_PERFORMANCE_DAILY_RATE = Decimal("0.000175")
# SPC 2017 dishonest-list rules art. 10: removal within 3 working days of full performance.
RECORD_REMOVAL_WORKING_DAYS = 3
# Credit Reporting Regulation 25: a credit-record objection is answered in writing within 20 days.
CREDIT_OBJECTION_ANSWER_DAYS = 20
# Credit Reporting Regulation 16: negative information is kept 5 years from the end of the default.
CREDIT_REPORT_RETENTION_YEARS = 5
# Banking association collection guideline 2026: no contact 22:00-08:00 without consent.
CONTACT_QUIET_HOURS = (22, 8)
# Same guideline: at most 6 unanswered attempts a day to one number.
MAX_UNANSWERED_ATTEMPTS_PER_DAY = 6


@dataclass(frozen=True)
class Period:
    """A time limit: so many calendar days, working days or months from a start date."""

    amount: int
    unit: str  # "days", "working_days", "months", "years"
    source: str
