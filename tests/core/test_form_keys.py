"""core.idempotency: the first POST with a key is processed, a replay is sent where the first one led."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.utils import translation

from core.idempotency import FormKeyMiddleware, form_key_input


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


class View:
    """Counts its calls; answers as told."""

    def __init__(self, answer=None):
        self.calls = 0
        self.answer = answer or (lambda: HttpResponseRedirect("/done/1/"))

    def __call__(self, request):
        self.calls += 1
        return self.answer()


def _post(path="/mediation/case/1/session/", key="k1", user=None, **extra):
    request = RequestFactory().post(path, {"form_key": key, "x": "1"}, HTTP_REFERER="http://testserver/p/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request.session.create()
    request._messages = FallbackStorage(request)
    return request


def test_the_rendered_key_is_hidden_and_new_each_time():
    first, second = form_key_input(), form_key_input()
    assert first.startswith('<input type="hidden" name="form_key" value="') and first != second


def test_a_replay_goes_where_the_first_post_led_with_a_message():
    view = View()
    middleware = FormKeyMiddleware(view)
    first_request = _post()
    first = middleware(first_request)
    replay_request = _post()
    replay_request.session = first_request.session
    with translation.override("zh-hans"):
        replay = middleware(replay_request)
    assert view.calls == 1
    assert first["Location"] == "/done/1/" and replay["Location"] == "/done/1/"
    assert [str(m) for m in get_messages(replay_request)] == [
        "此表单已提交过，未重复处理。以下是第一次提交的结果。"
    ]


def test_a_form_shown_again_or_an_error_frees_the_key():
    session = SessionStore()
    session.create()

    def post():
        request = _post()
        request.session = session
        return request

    shown_again = View(lambda: HttpResponse(status=400))
    FormKeyMiddleware(shown_again)(post())
    FormKeyMiddleware(shown_again)(post())
    assert shown_again.calls == 2

    def boom():
        raise RuntimeError

    with pytest.raises(RuntimeError):
        FormKeyMiddleware(View(boom))(post())
    done = View()
    FormKeyMiddleware(done)(post())
    assert done.calls == 1


def test_the_api_and_posts_without_a_key_are_left_alone():
    view = View()
    middleware = FormKeyMiddleware(view)
    for _ in range(2):
        middleware(_post(path="/api/cases/"))
        middleware(_post(key=""))
    assert view.calls == 4
