"""The client address used for limits: a forwarded header only from configured trusted proxies."""

from django.test import RequestFactory

from core.clients import client_ip


def _request(forwarded: str = "") -> object:
    meta = {"REMOTE_ADDR": "10.0.0.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("1.2.3.4")) == "10.0.0.9"


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "6.6.6.6" itself; the proxy appended the address it really saw.
    assert client_ip(_request("6.6.6.6, 1.2.3.4")) == "1.2.3.4"


def test_behind_two_proxies_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("6.6.6.6, 1.2.3.4, 10.0.0.2")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.9"  # fewer hops than configured: the connection
