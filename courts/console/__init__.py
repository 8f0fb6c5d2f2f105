"""The court console: a Django admin site for judges and clerks, scoped to their court's cases.

Every list and page reads through cases.selectors; every action goes through cases.services or
courts.services. A case out of the court's reach is a 404, and only judges and clerks get past the login.
The index shows the queues (confirmation, payment orders, suits, enforcement, record removal) with their
counts; each queue is a case list of its own with the limit that drives it, its filters and bulk actions.
"""

from . import cases, queues, runs  # noqa: F401  register the case list, the deadline list, queues, runs
from .site import court_site

__all__ = ["court_site"]
