"""One safe-redirect helper: `next` may only lead to a page of this site."""

import pytest
from django.test import RequestFactory

from core.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_next_to_another_site_falls_back(target):
    request = RequestFactory().post("/mediation/queue/bulk/", {"next": target})
    assert safe_next(request, "/mediation/queue/") == "/mediation/queue/"


def test_next_on_this_site_is_kept():
    request = RequestFactory().post("/x/", {"next": "/mediation/queue/?colour=red"})
    assert safe_next(request, "/") == "/mediation/queue/?colour=red"
