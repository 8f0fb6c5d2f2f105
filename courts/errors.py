"""What the court's services refuse with: a CaseActionError with a machine-readable code."""

from cases.errors import CaseActionError


class CourtError(CaseActionError):
    code = "court_refused"
