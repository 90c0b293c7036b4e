"""How API requests prove who they are: a JWT, an API key, or the browser's session.

- ``Authorization: Bearer <jwt>``: access tokens issued by djangorestframework-simplejwt
  (POST /api/auth/login, /register, /refresh) for the same User model allauth signs in on the
  web. A token stops working when it expires, when the user is deactivated, when the
  password changes (``SIMPLE_JWT["CHECK_REVOKE_TOKEN"]``) and when it is revoked (POST
  /api/auth/logout, or the admin's token blacklist: accounts/tokens.py).
- ``X-API-Key: tk_…``: keys made on the settings page or by POST /api/auth/api-keys, checked by
  ``accounts.services.api_key_authenticate``.
- the session cookie, through DRF's ``SessionAuthentication`` (with its CSRF check).

:func:`authenticate` runs the same classes outside DRF, for the async stream views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import Token

from accounts.models import ApiKey
from accounts.services import api_key_authenticate, api_key_refusal_reason
from accounts.tokens import RevocableAccessToken, TokenRevoked

if TYPE_CHECKING:
    from accounts.models import User

API_KEY_HEADER = "HTTP_X_API_KEY"


class BearerAuthentication(JWTAuthentication):
    """simplejwt's check, with messages that tell the client what to do next."""

    www_authenticate_realm = "api"

    def get_validated_token(self, raw_token: bytes) -> Token:
        try:
            return RevocableAccessToken(raw_token)  # type: ignore[arg-type]
        except TokenRevoked:
            raise exceptions.AuthenticationFailed(
                "The access token was revoked (logged out, or by an admin). Log in again.",
                code="token_revoked",
            ) from None
        except ExpiredTokenError:
            raise exceptions.AuthenticationFailed(
                "The access token has expired: get a new one from POST /api/auth/refresh "
                "or log in again.",
                code="token_expired",
            ) from None
        except TokenError:
            raise exceptions.AuthenticationFailed(
                "The access token is not valid (malformed, wrongly signed, or not an access "
                "token).",
                code="token_invalid",
            ) from None

    def get_user(self, validated_token: Token) -> Any:
        try:
            return super().get_user(validated_token)
        except exceptions.AuthenticationFailed as exc:
            detail = exc.detail  # simplejwt's own AuthenticationFailed carries a dict
            code = detail.get("code", "") if isinstance(detail, dict) else exc.get_codes()
            text = detail.get("detail", "") if isinstance(detail, dict) else detail
            message = {
                "user_inactive": "This account is disabled.",
                "user_not_found": "The token's user no longer exists.",
                "password_changed": "The token was revoked: the account's password changed "
                "after it was issued. Log in again.",
            }.get(str(code), str(text))
            codes = {"password_changed": "token_revoked", "user_not_found": "token_invalid"}
            raise exceptions.AuthenticationFailed(
                message, code=codes.get(str(code), str(code))
            ) from None


class ApiKeyAuthentication(BaseAuthentication):
    """``X-API-Key: tk_…``; a key that is present but unusable is a 401, never anonymous."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey | None] | None:
        raw_key = request.META.get(API_KEY_HEADER, "").strip()
        if not raw_key:
            return None
        user = api_key_authenticate(raw_key=raw_key)
        if user is None:
            raise exceptions.AuthenticationFailed(
                api_key_refusal_reason(raw_key=raw_key), code="invalid_api_key"
            )
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return 'ApiKey header="X-API-Key"'


def authenticate(request: HttpRequest) -> Any:
    """The authenticated user of a plain Django request, with the API's rules (sync).

    Raises ``NotAuthenticated`` (with the Bearer challenge) when no credentials came, and
    ``AuthenticationFailed`` / ``PermissionDenied`` (CSRF) as DRF views would.
    """
    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]  # type: ignore[operator]
    drf_request = Request(request, authenticators=authenticators)
    try:
        user = drf_request.user
    except exceptions.AuthenticationFailed as exc:
        exc.auth_header = authenticators[0].authenticate_header(drf_request)  # type: ignore[attr-defined]
        raise
    if not user or not user.is_authenticated:
        missing = exceptions.NotAuthenticated()
        missing.auth_header = authenticators[0].authenticate_header(drf_request)  # type: ignore[attr-defined]
        raise missing
    return user
