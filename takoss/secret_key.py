"""Takoss's secret key: where it comes from, and which keys production refuses.

The key signs sessions, CSRF tokens, password reset links, JWTs and django-eventstream's
``es-meta`` (which names the user and channels of a stream): whoever knows it can read any
user's event stream. So no key is ever a constant in the code:

- production (TAKOSS_DEBUG off) requires TAKOSS_SECRET_KEY, of at least 50 characters and 5
  distinct ones, and refuses to start otherwise;
- development without TAKOSS_SECRET_KEY reads a random key from a git-ignored file, made once
  per checkout (by ``make run``, or by the first process that needs it).

``python -m takoss.secret_key`` reads the settings, which make the file if it is needed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

MIN_LENGTH = 50
MIN_DISTINCT = 5


def production_key(key: str) -> str:
    """``key`` if it is strong enough for production, else ImproperlyConfigured saying why."""
    if not key:
        raise ImproperlyConfigured(
            "TAKOSS_SECRET_KEY must be set when TAKOSS_DEBUG is off. Make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_DISTINCT:
        raise ImproperlyConfigured(
            f"TAKOSS_SECRET_KEY is too weak for production: it has {len(key)} characters, "
            f"{len(set(key))} of them distinct; at least {MIN_LENGTH} characters and "
            f"{MIN_DISTINCT} distinct ones are required. Make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return key


def development_key(path: Path) -> str:
    """The key kept in ``path``, made (random, readable by this user only) if there is none."""
    key = _read(path)
    if key is not None:
        return key
    key = get_random_secret_key()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        try:
            # A link never replaces: when two processes start at once, one key wins, whole.
            os.link(draft, path)
        except FileExistsError:
            return _read(path) or ""  # _read refuses an empty file
        finally:
            os.unlink(draft)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Cannot create the secret key file {path}: {exc}. "
            "Set TAKOSS_SECRET_KEY or TAKOSS_SECRET_KEY_FILE instead."
        ) from None
    return key


def _read(path: Path) -> str | None:
    """The key in ``path``; None if there is no such file."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the secret key file {path}: {exc}") from None
    if not key:
        raise ImproperlyConfigured(
            f"The secret key file {path} is empty: delete it, and a new key is made."
        )
    return key


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takoss.settings")
    from django.conf import settings

    if settings.DEBUG and os.environ.get("TAKOSS_SECRET_KEY", "") == "":
        print(f"Secret key: {settings.TAKOSS_SECRET_KEY_FILE} (made once, git-ignored)")
