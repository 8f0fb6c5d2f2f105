"""REST API of cases: read-only lists and details, one endpoint per action."""
