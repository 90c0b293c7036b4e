"""The only writers of account data: profile settings, API keys, the API's JWTs, provider keys.

Every caller (the HTML views here, the REST API later, the admin's actions) goes through these
functions, so validation lives in one place. Each raises `ValidationError` keyed by field name,
which forms can attach to their fields as-is.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts import crypto
from accounts.models import ApiKey, ExperienceLevel, ProviderKey, Theme, User
from accounts.tokens import RevocableRefreshToken

if TYPE_CHECKING:
    from rest_framework_simplejwt.tokens import Token

API_KEY_PREFIX = "tk_"
# How long a key may be valid; None means until revoked.
API_KEY_EXPIRY_DAYS: tuple[int | None, ...] = (None, 30, 90, 365)
# last_used_at is a hint for people, not an audit log: at most one write a minute per key.
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)

_DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length
_API_KEY_NAME_MAX = ApiKey._meta.get_field("name").max_length


def user_update_settings(
    *,
    user: User,
    display_name: str | None = None,
    experience_level: str | None = None,
    theme: str | None = None,
) -> User:
    """Change the given settings (None leaves one unchanged) and save only what changed."""
    errors: dict[str, str] = {}
    changes: dict[str, str] = {}
    if display_name is not None:
        display_name = display_name.strip()
        if _DISPLAY_NAME_MAX is not None and len(display_name) > _DISPLAY_NAME_MAX:
            errors["display_name"] = f"Use at most {_DISPLAY_NAME_MAX} characters."
        changes["display_name"] = display_name
    if experience_level is not None:
        if experience_level not in ExperienceLevel.values:
            errors["experience_level"] = "Choose beginner or experienced."
        changes["experience_level"] = experience_level
    if theme is not None:
        if theme not in Theme.values:
            errors["theme"] = "Choose the light or the dark theme."
        changes["theme"] = theme
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
    return user


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """Create a key; return it with the full secret, which is never stored and never shown again."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the key a name, so you can tell it apart later."
    elif _API_KEY_NAME_MAX is not None and len(name) > _API_KEY_NAME_MAX:
        errors["name"] = f"Use at most {_API_KEY_NAME_MAX} characters."
    if expires_in_days not in API_KEY_EXPIRY_DAYS:
        errors["expires_in_days"] = "Choose never, 30, 90 or 365 days."
    if errors:
        raise ValidationError(errors)

    secret = secrets.token_urlsafe(32)
    raw_key = API_KEY_PREFIX + secret
    now = timezone.now()
    api_key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=secret[:4],
        last4=secret[-4:],
        key_hash=_hash_key(raw_key),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return api_key, raw_key


def api_key_revoke(*, user: User, key_id: int) -> ApiKey:
    """Revoke one of the user's keys; raises ApiKey.DoesNotExist for anyone else's key.

    Revoking twice keeps the first revocation time.
    """
    with transaction.atomic():
        api_key = ApiKey.objects.for_user(user).select_for_update().get(pk=key_id)
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, raw_key: str) -> User | None:
    """The active user owning this active (not revoked, not expired) key, or None."""
    if not raw_key.startswith(API_KEY_PREFIX):
        return None
    api_key = (
        ApiKey.objects.active()
        .select_related("user")
        .filter(key_hash=_hash_key(raw_key), user__is_active=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key.user


def api_key_refusal_reason(*, raw_key: str) -> str:
    """Why ``api_key_authenticate`` refused this key, in words a client can act on."""
    if not raw_key.startswith(API_KEY_PREFIX):
        return f"The API key is malformed: keys start with {API_KEY_PREFIX!r}."
    api_key = ApiKey.objects.filter(key_hash=_hash_key(raw_key)).first()
    if api_key is None:
        return "The API key is not known."
    if api_key.status == ApiKey.Status.REVOKED:
        return "The API key was revoked."
    if api_key.status == ApiKey.Status.EXPIRED:
        return "The API key has expired."
    return "This account is disabled."


# --- JWTs (the REST API's Bearer tokens; see accounts/tokens.py) -----------------------------


def jwt_issue(*, user: User) -> tuple[str, str]:
    """A new (access token, refresh token) pair; the refresh token is recorded as outstanding."""
    refresh = RevocableRefreshToken.for_user(user)
    return str(refresh.access_token), str(refresh)


def jwt_revoke(*, user: User, tokens: list[Token]) -> None:
    """Blacklist these (already verified) tokens of ``user``; revoking twice changes nothing.

    Raises ``ValidationError`` (on ``refresh``) for a token issued to another user, and revokes
    nothing then.
    """
    claim, field = jwt_settings.USER_ID_CLAIM, jwt_settings.USER_ID_FIELD
    if any(str(token.get(claim)) != str(getattr(user, field)) for token in tokens):
        raise ValidationError({"refresh": "This token belongs to another account."})
    with transaction.atomic():
        for token in tokens:
            token.blacklist()  # type: ignore[attr-defined]


# --- model provider keys (accounts.ProviderKey, encrypted by accounts/crypto.py) ------------------

PROVIDER_KEY_MAX = 1000  # longer than any provider's keys; bounds what is encrypted and stored


def provider_key_save(*, user: User, provider: str, key: str) -> ProviderKey:
    """Store ``key`` for ``provider``, encrypted, replacing the person's earlier one.

    The key is never returned, logged or shown again: only its last four characters are kept
    in clear, so people can tell keys apart.
    """
    key = key.strip()
    errors: dict[str, str] = {}
    if provider not in ProviderKey.Provider.values:
        choices = ", ".join(ProviderKey.Provider.values)
        errors["provider"] = f"Choose one of the providers: {choices}."
    if not key:
        errors["key"] = "Paste the key the provider gave you."
    elif len(key) > PROVIDER_KEY_MAX or len(key) < 8 or any(c.isspace() for c in key):
        errors["key"] = "That does not look like an API key (one word, 8 to 1000 characters)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ProviderKey.objects.for_user(user).filter(provider=provider).delete()
        return ProviderKey.objects.create(
            user=user, provider=provider, key_encrypted=crypto.encrypt(key), last4=key[-4:]
        )


def provider_key_delete(*, user: User, key_id: int) -> ProviderKey:
    """Delete (revoke) one of the person's provider keys; DoesNotExist for anyone else's."""
    provider_key = ProviderKey.objects.for_user(user).get(pk=key_id)
    provider_key.delete()
    return provider_key


def provider_keys_rotate() -> int:
    """Re-encrypt every stored key with the first TAKOSS_KEY_ENCRYPTION_KEY; return how many."""
    count = 0
    for provider_key in ProviderKey.objects.only("pk", "key_encrypted").iterator():
        ProviderKey.objects.filter(pk=provider_key.pk).update(
            key_encrypted=crypto.rotate(provider_key.key_encrypted)
        )
        count += 1
    return count
