"""What oversight's services refuse with: a CaseActionError with a machine-readable code."""

from cases.errors import CaseActionError


class OversightError(CaseActionError):
    # Kept from when suggestions lived in dashboards: API clients may match on it.
    code = "dashboards_refused"
