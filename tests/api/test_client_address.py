"""Per-address limits cannot be dodged with a made-up X-Forwarded-For (takoss/clientip.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from takoss.clientip import client_ip, parse_proxies

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-9"


def _request(remote: str, forwarded: str | None = None) -> SimpleNamespace:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


def _rotating(number: int) -> str:
    return f"198.51.{number // 250}.{number % 250 + 1}"


# --- which address is the client's ---------------------------------------------------------------


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TAKOSS_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_trusted_proxy_hands_on_the_right_most_untrusted_address(settings):
    settings.TAKOSS_TRUSTED_PROXIES = parse_proxies(["127.0.0.1", "10.0.0.0/8"])
    # The client wrote "1.2.3.4" itself; the proxies appended the rest.
    request = _request("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3")
    assert client_ip(request) == "198.51.100.1"


def test_an_untrusted_peer_is_the_client_whatever_it_forwards(settings):
    settings.TAKOSS_TRUSTED_PROXIES = parse_proxies(["127.0.0.1"])
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_hop_that_is_not_an_address_stops_the_walk(settings):
    settings.TAKOSS_TRUSTED_PROXIES = parse_proxies(["127.0.0.1", "10.0.0.0/8"])
    assert client_ip(_request("127.0.0.1", "198.51.100.1, junk, 10.0.0.5")) == "10.0.0.5"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "[2001:db8::1]:443")) == "2001:db8::1"


def test_a_bad_proxy_entry_is_refused_with_its_name():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"TAKOSS_TRUSTED_PROXIES: 'proxy\.local'"):
        parse_proxies(["10.0.0.1", "proxy.local"])


# --- the API's login and register limits ---------------------------------------------------------


def test_rotating_x_forwarded_for_still_hits_the_login_limit(api, owner, settings):
    settings.TAKOSS_TRUSTED_PROXIES = []  # the default
    wrong = {"email": "owner@example.com", "password": "guess"}
    statuses = [
        api.post(
            "/api/auth/login", wrong, format="json", HTTP_X_FORWARDED_FOR=_rotating(n)
        ).status_code
        for n in range(100)
    ]
    # TAKOSS_API_AUTH_RATE is 20/minute: the 21st attempt is refused, and every one after it.
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}


def test_rotating_x_forwarded_for_still_hits_the_register_limit(api, settings):
    settings.TAKOSS_TRUSTED_PROXIES = []  # the default
    statuses = [
        api.post(
            "/api/auth/register",
            {"email": f"new{n}@example.com", "password": STRONG, "name": "N"},
            format="json",
            HTTP_X_FORWARDED_FOR=_rotating(n),
        ).status_code
        for n in range(25)
    ]
    assert statuses[:20] == [201] * 20
    assert set(statuses[20:]) == {429}
    assert get_user_model().objects.count() == 20


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(api, owner, settings):
    settings.TAKOSS_TRUSTED_PROXIES = parse_proxies(["127.0.0.1"])  # the test client's peer
    wrong = {"email": "owner@example.com", "password": "guess"}

    def login(forwarded: str) -> int:
        return api.post(
            "/api/auth/login", wrong, format="json", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [login("198.51.100.1") for _ in range(20)] == [401] * 20
    assert login("198.51.100.1") == 429
    # What the client put before the proxy's own entry does not make it someone else.
    assert login("203.0.113.50, 198.51.100.1") == 429
    assert login("198.51.100.2") == 401
