import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """The unit tests of core read the English messages (they say so with `pytestmark`); the pages'
    Chinese is tested with the pages (test_home, test_logins, ...), which keep the default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
