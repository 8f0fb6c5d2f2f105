"""The notice-link pages use the notices tests' cases, sending and settings."""

from tests.notices.conftest import make_case, notice_settings, send  # noqa: F401
