import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English messages; the pages' Chinese is tested with the pages."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
