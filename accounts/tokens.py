"""The API's JWTs (djangorestframework-simplejwt), each revocable on its own.

simplejwt's ``token_blacklist`` app records every refresh token it issues and refuses the ones on
its blacklist. Access tokens are checked against the same blacklist here, so a logout
(``accounts.services.jwt_revoke``) ends the access token it was called with at once rather than
when it expires. A password change still revokes every earlier token
(``SIMPLE_JWT["CHECK_REVOKE_TOKEN"]``); admins see and revoke tokens in the admin's
"Token Blacklist" section; ``manage.py flushexpiredtokens`` forgets expired ones.
"""

from __future__ import annotations

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, BlacklistMixin, RefreshToken


class TokenRevoked(TokenError):
    """The token is on the blacklist (its user logged out, or an admin revoked it)."""


def _refuse_if_revoked(payload: dict[str, object]) -> None:
    if BlacklistedToken.objects.filter(token__jti=payload[api_settings.JTI_CLAIM]).exists():
        raise TokenRevoked("Token is blacklisted")


class RevocableAccessToken(BlacklistMixin["RevocableAccessToken"], AccessToken):
    def check_blacklist(self) -> None:
        _refuse_if_revoked(self.payload)


class RevocableRefreshToken(RefreshToken):
    access_token_class = RevocableAccessToken

    def check_blacklist(self) -> None:
        _refuse_if_revoked(self.payload)
