"""allauth's own limits (web login and sign-up) count the address takoss.clientip gives."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from takoss.clientip import parse_proxies

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-4821"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # allauth's counters live in the cache
    yield
    cache.clear()


def _rotating(number: int) -> str:
    return f"198.51.{number // 250}.{number % 250 + 1}"


def _failed_login(client, number: int, **headers: str) -> int:
    # A different e-mail each time, so only the per-address limits can apply.
    data = {"login": f"nobody{number}@example.com", "password": "guess"}
    return client.post(reverse("account_login"), data, **headers).status_code


def test_rotating_x_forwarded_for_still_hits_the_web_login_limit(client, settings):
    settings.TAKOSS_TRUSTED_PROXIES = []  # the default
    statuses = [_failed_login(client, n, HTTP_X_FORWARDED_FOR=_rotating(n)) for n in range(100)]
    # allauth's "login" limit, 30 a minute per address: the form again with its error, then 429.
    assert statuses[:30] == [200] * 30
    assert set(statuses[30:]) == {429}


def test_rotating_x_forwarded_for_still_hits_the_web_signup_limit(client, settings):
    settings.TAKOSS_TRUSTED_PROXIES = []  # the default
    statuses = []
    for n in range(25):
        client.logout()
        response = client.post(
            reverse("account_signup"),
            {"email": f"new{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
            HTTP_X_FORWARDED_FOR=_rotating(n),
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [302] * 20
    assert set(statuses[20:]) == {429}
    assert get_user_model().objects.count() == 20


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(client, settings):
    settings.TAKOSS_TRUSTED_PROXIES = parse_proxies(["127.0.0.1"])
    first = [_failed_login(client, n, HTTP_X_FORWARDED_FOR="198.51.100.1") for n in range(30)]
    assert first == [200] * 30
    assert _failed_login(client, 30, HTTP_X_FORWARDED_FOR="198.51.100.1") == 429
    assert _failed_login(client, 31, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.1") == 429
    assert _failed_login(client, 32, HTTP_X_FORWARDED_FOR="198.51.100.2") == 200
