"""The secret key: made once per checkout in development, refused in production when weak."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from takoss.secret_key import development_key, production_key

ROOT = Path(__file__).resolve().parent.parent
STRONG = "S3cr3t-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``manage.py check`` in a fresh process, with only ``env`` on top of a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TAKOSS_", "DJANGO_"))}
    base["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.db'}"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("x", "it has 1 characters"),
        ("short-but-varied-0123456789", "it has 27 characters"),
        ("ab" * 40, "2 of them distinct"),
        ("", "TAKOSS_SECRET_KEY must be set"),
    ],
)
def test_production_refuses_a_weak_key_at_start(tmp_path, key, says):
    result = _check({"TAKOSS_DEBUG": "0", "TAKOSS_SECRET_KEY": key}, tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert says in result.stderr, result.stderr


def test_production_starts_with_a_strong_key(tmp_path):
    result = _check({"TAKOSS_DEBUG": "0", "TAKOSS_SECRET_KEY": STRONG}, tmp_path)

    assert result.returncode == 0, result.stderr


def test_development_makes_a_key_file_once_and_keeps_it(tmp_path):
    path = tmp_path / "var" / "secret_key"

    key = development_key(path)

    assert len(key) >= 50 and len(set(key)) >= 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert development_key(path) == key  # read back, not made again
    assert development_key(tmp_path / "other") != key  # random: another checkout, another key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no drafts left behind


def test_development_reads_the_key_file_the_settings_name(tmp_path):
    path = tmp_path / "key"
    path.write_text(STRONG + "\n")
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAKOSS_", "DJANGO_"))}
    env |= {"TAKOSS_SECRET_KEY_FILE": str(path), "DJANGO_SETTINGS_MODULE": "takoss.settings"}

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == STRONG, result.stderr


def test_an_empty_key_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "key"
    path.write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="is empty: delete it"):
        development_key(path)


def test_a_strong_key_passes_the_production_check():
    assert production_key(STRONG) == STRONG
