"""Authentication: register, login, refresh, me; Bearer tokens, API keys, sessions; 401s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import ApiKey
from accounts.services import api_key_create, api_key_revoke
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-9"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "code", "details"}, body
    assert isinstance(body["error"], str) and body["error"]
    if code is not None:
        assert body["code"] == code, body
    return body


# --- register, login, refresh, me -------------------------------------------------------------


def test_register_creates_a_user_with_tokens_that_work(api):
    response = api.post(
        "/api/auth/register",
        {"email": "New@Example.com", "password": STRONG, "name": "Ada"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["email"] == "new@example.com"
    assert body["user"]["name"] == "Ada"
    me = APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.json()["email"] == "new@example.com"
    # allauth sees the address too (web sign-in and verification use it).
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.filter(email="new@example.com", primary=True).exists()


def test_register_runs_djangos_password_validators(api):
    response = api.post(
        "/api/auth/register", {"email": "a@example.com", "password": "123"}, format="json"
    )
    body = assert_error(response, 400)
    assert "password" in body["details"]["fields"]
    assert "password" in body["error"]


def test_register_refuses_a_taken_address(api, owner):
    response = api.post(
        "/api/auth/register", {"email": "OWNER@example.com", "password": STRONG}, format="json"
    )
    body = assert_error(response, 400)
    assert "already exists" in body["details"]["fields"]["email"][0]


def test_register_names_a_missing_field(api):
    body = assert_error(api.post("/api/auth/register", {"password": STRONG}, format="json"), 400)
    assert body["code"] == "missing_field"
    assert "email" in body["error"]


def test_login_returns_user_and_tokens(api, owner):
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "pw-owner-1"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == owner.pk
    assert AccessToken(body["token"])["user_id"] == str(owner.pk)
    owner.refresh_from_db()
    assert owner.last_login is not None


def test_login_with_a_wrong_password_is_401(api, owner):
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "nope"}, format="json"
    )
    assert_error(response, 401, "invalid_credentials")


def test_login_of_an_inactive_user_is_refused(api, owner):
    owner.is_active = False
    owner.save()
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "pw-owner-1"}, format="json"
    )
    assert_error(response, 401)


def test_login_with_mandatory_verification_needs_a_verified_address(api, owner, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "pw-owner-1"}, format="json"
    )
    assert_error(response, 403, "email_unverified")


def test_refresh_gives_a_new_access_token(api, owner):
    refresh = RefreshToken.for_user(owner)
    response = api.post("/api/auth/refresh", {"refresh": str(refresh)}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_refresh_with_garbage_or_an_access_token_is_401(api, owner):
    assert_error(api.post("/api/auth/refresh", {"refresh": "x.y.z"}, format="json"), 401)
    access = str(RefreshToken.for_user(owner).access_token)
    assert_error(api.post("/api/auth/refresh", {"refresh": access}, format="json"), 401)


def test_refresh_with_an_expired_refresh_token_is_401(api, owner):
    refresh = RefreshToken.for_user(owner)
    refresh.set_exp(lifetime=-timedelta(seconds=1))
    response = api.post("/api/auth/refresh", {"refresh": str(refresh)}, format="json")
    assert "log in again" in assert_error(response, 401, "token_expired")["error"]


def test_refresh_after_a_password_change_is_401(api, owner):
    refresh = str(RefreshToken.for_user(owner))
    owner.set_password("a-brand-new-pass-7")
    owner.save()
    response = api.post("/api/auth/refresh", {"refresh": refresh}, format="json")
    assert "password" in assert_error(response, 401, "token_revoked")["error"]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/auth/login", {"email": "owner@example.com"}, "missing_field"),
        ("/api/auth/login", {"email": "owner@example.com", "password": 123}, "wrong_type"),
        ("/api/auth/login", "{not json", "malformed_json"),
        ("/api/auth/refresh", {}, "missing_field"),
        ("/api/auth/refresh", {"refresh": ["a"]}, "wrong_type"),
        ("/api/auth/register", {"email": "not-an-address", "password": STRONG}, "invalid_input"),
        ("/api/auth/register", "[]", "malformed_json"),
    ],
)
def test_auth_endpoints_name_what_is_wrong_with_the_input(api, owner, path, body, code):
    if isinstance(body, str):
        response = api.post(path, body, content_type="application/json")
    else:
        response = api.post(path, body, format="json")
    assert_error(response, 400, code)


def test_the_auth_rate_limit_counts_per_client_address(api, owner, monkeypatch):
    from generator.api.throttling import AuthThrottle

    # DRF reads DEFAULT_THROTTLE_RATES (TAKOSS_API_AUTH_RATE) once, at import.
    monkeypatch.setattr(AuthThrottle, "rate", "3/minute", raising=False)
    wrong = {"email": "owner@example.com", "password": "guess"}
    for _ in range(3):
        assert_error(api.post("/api/auth/login", wrong, format="json"), 401)
    # The fourth attempt from this address is refused, whatever the endpoint or the password.
    response = api.post("/api/auth/refresh", {"refresh": "x"}, format="json")
    assert int(assert_error(response, 429, "rate_limited")["details"]["retryAfter"]) > 0
    assert int(response["Retry-After"]) > 0
    right = {"email": "owner@example.com", "password": "pw-owner-1"}
    assert_error(api.post("/api/auth/login", right, format="json"), 429)
    # Another address is not affected.
    other = api.post("/api/auth/login", right, format="json", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_refresh_of_a_deactivated_user_is_401(api, owner):
    refresh = str(RefreshToken.for_user(owner))
    owner.is_active = False
    owner.save()
    assert_error(api.post("/api/auth/refresh", {"refresh": refresh}, format="json"), 401)


def test_me_needs_credentials(api):
    response = api.get("/api/auth/me")
    body = assert_error(response, 401, "not_authenticated")
    assert "Bearer" in response["WWW-Authenticate"]
    assert "X-API-Key" in body["error"]


# --- token expiry and revocation ---------------------------------------------------------------


def test_an_expired_token_is_401_with_a_clear_message(api, owner):
    token = AccessToken.for_user(owner)
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = assert_error(response, 401, "token_expired")
    assert "expired" in body["error"] and "/api/auth/refresh" in body["error"]


def test_a_token_issued_by_login_expires_after_its_lifetime(api, owner, monkeypatch):
    # SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] (TAKOSS_JWT_ACCESS_MINUTES) is read into this at import.
    monkeypatch.setattr(AccessToken, "lifetime", timedelta(seconds=-1))
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "pw-owner-1"}, format="json"
    )
    token = response.json()["token"]
    assert_error(
        APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}"), 401, "token_expired"
    )


def test_a_tampered_token_is_401(api, owner):
    token = str(AccessToken.for_user(owner))
    assert_error(
        api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}x"), 401, "token_invalid"
    )


def test_a_password_change_revokes_earlier_tokens(api, owner):
    headers = bearer(owner)
    owner.set_password("a-brand-new-pass-7")
    owner.save()
    body = assert_error(api.get("/api/auth/me", **headers), 401, "token_revoked")
    assert "password" in body["error"]


def login(api, owner) -> dict[str, str]:
    response = api.post(
        "/api/auth/login", {"email": "owner@example.com", "password": "pw-owner-1"}, format="json"
    )
    assert response.status_code == 200
    return response.json()


def test_logout_revokes_the_bearer_token_and_the_refresh_token(api, owner):
    session = login(api, owner)
    other = login(api, owner)  # another device's login is not touched
    headers = {"HTTP_AUTHORIZATION": f"Bearer {session['token']}"}
    response = api.post(
        "/api/auth/logout", {"refresh": session["refresh"]}, format="json", **headers
    )
    assert response.status_code == 204, response.content

    body = assert_error(api.get("/api/auth/me", **headers), 401, "token_revoked")
    assert "revoked" in body["error"] and "Log in again" in body["error"]
    body = assert_error(
        api.post("/api/auth/refresh", {"refresh": session["refresh"]}, format="json"),
        401,
        "token_revoked",
    )
    assert "refresh token was revoked" in body["error"]
    assert api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {other['token']}").status_code == 200
    refreshed = api.post("/api/auth/refresh", {"refresh": other["refresh"]}, format="json")
    assert refreshed.status_code == 200


def test_logout_with_an_api_key_revokes_the_refresh_token_sent(api, owner):
    session = login(api, owner)
    _, raw = api_key_create(user=owner, name="ci")
    response = api.post(
        "/api/auth/logout", {"refresh": session["refresh"]}, format="json", HTTP_X_API_KEY=raw
    )
    assert response.status_code == 204
    assert_error(
        api.post("/api/auth/refresh", {"refresh": session["refresh"]}, format="json"),
        401,
        "token_revoked",
    )
    assert api.get("/api/auth/me", HTTP_X_API_KEY=raw).status_code == 200  # keys are separate


def test_logout_twice_is_not_an_error(api, owner):
    session = login(api, owner)
    api_key = api_key_create(user=owner, name="ci")[1]
    for _ in range(2):
        response = api.post(
            "/api/auth/logout",
            {"refresh": session["refresh"]},
            format="json",
            HTTP_X_API_KEY=api_key,
        )
        assert response.status_code == 204


def test_logout_refuses_bad_input_and_strangers_tokens(api, owner, stranger):
    _, raw = api_key_create(user=owner, name="ci")
    # Nothing to revoke: no Bearer token and no refresh token
    body = assert_error(api.post("/api/auth/logout", {}, format="json", HTTP_X_API_KEY=raw), 400)
    assert "refresh" in body["details"]["fields"]
    # Not a token
    body = assert_error(
        api.post("/api/auth/logout", {"refresh": "x.y.z"}, format="json", HTTP_X_API_KEY=raw), 400
    )
    assert body["details"]["fields"]["refresh"] == ["Not a valid refresh token."]
    # Someone else's refresh token is refused, and stays valid
    theirs = str(RefreshToken.for_user(stranger))
    body = assert_error(
        api.post("/api/auth/logout", {"refresh": theirs}, format="json", HTTP_X_API_KEY=raw), 400
    )
    assert "another account" in body["error"]
    assert api.post("/api/auth/refresh", {"refresh": theirs}, format="json").status_code == 200
    # No credentials at all
    assert_error(api.post("/api/auth/logout", {}, format="json"), 401, "not_authenticated")


def test_an_admin_can_revoke_a_token_in_the_token_blacklist(api, owner):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    session = login(api, owner)
    outstanding = OutstandingToken.objects.get(token=session["refresh"])
    BlacklistedToken.objects.create(token=outstanding)  # what the admin's "add" does
    assert_error(
        api.post("/api/auth/refresh", {"refresh": session["refresh"]}, format="json"),
        401,
        "token_revoked",
    )


def test_a_deactivated_users_token_is_401(api, owner):
    headers = bearer(owner)
    owner.is_active = False
    owner.save()
    assert_error(api.get("/api/auth/me", **headers), 401, "user_inactive")


# --- API keys as credentials -------------------------------------------------------------------


def test_an_api_key_authenticates(api, owner):
    _, raw = api_key_create(user=owner, name="ci")
    response = api.get("/api/auth/me", HTTP_X_API_KEY=raw)
    assert response.status_code == 200
    assert response.json()["email"] == owner.email


def test_a_revoked_api_key_is_401(api, owner):
    key, raw = api_key_create(user=owner, name="ci")
    api_key_revoke(user=owner, key_id=key.pk)
    body = assert_error(api.get("/api/auth/me", HTTP_X_API_KEY=raw), 401, "invalid_api_key")
    assert "revoked" in body["error"]


def test_an_expired_api_key_is_401(api, owner):
    key, raw = api_key_create(user=owner, name="ci", expires_in_days=30)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_error(api.get("/api/auth/me", HTTP_X_API_KEY=raw), 401, "invalid_api_key")
    assert "expired" in body["error"]


def test_an_unknown_or_malformed_api_key_is_401(api):
    assert (
        "not known" in assert_error(api.get("/api/auth/me", HTTP_X_API_KEY="tk_nope"), 401)["error"]
    )
    assert "malformed" in assert_error(api.get("/api/auth/me", HTTP_X_API_KEY="abc"), 401)["error"]


def test_the_browser_session_authenticates(client, owner):
    client.force_login(owner)
    assert client.get("/api/auth/me").json()["email"] == owner.email


def test_session_posts_need_the_csrf_token(owner):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    response = browser.post("/api/auth/api-keys", {"name": "k"}, content_type="application/json")
    assert "CSRF" in assert_error(response, 403, "forbidden")["error"]
    # With the token from the cookie, as a page's script sends it, the same call works.
    browser.get("/account/settings/")  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/auth/api-keys",
        {"name": "k"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    assert ApiKey.objects.filter(user=owner, name="k").exists()
