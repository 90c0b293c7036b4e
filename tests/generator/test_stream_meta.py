"""A forged ``es-meta`` (django-eventstream's signed "user and channels") reads no one's stream.

``es-meta`` is a JWT signed with SECRET_KEY naming the user a stream is for. With a public key,
anyone could sign one for any user; Takoss's key is never a constant (takoss/secret_key.py), and
an ``es-meta`` not signed with it is refused before the library reads it.
"""

from __future__ import annotations

import json
import time

import jwt
import pytest
from django.conf import settings
from django.test import Client

from tests.generator.helpers import make_finished_run

pytestmark = pytest.mark.django_db

# The development key Takoss shipped in its code until the key was made per checkout.
OLD_PUBLIC_KEY = "takoss-insecure-development-key-change-me"


def _meta(key: str, *, user: int, channel: str, expires_in: int = 3600) -> str:
    claims = {"user": user, "channels": [channel], "exp": int(time.time()) + expires_in}
    return jwt.encode(claims, key.encode("utf-8"), algorithm="HS256")


def _stream(generation_id: int, meta: str):
    # Signed out: the forged es-meta is the only claim to being the owner.
    return Client().get(f"/events/generations/{generation_id}/", {"es-meta": meta})


def _stream_error(response) -> dict:
    assert not response.streaming, "the stream was opened"
    text = response.content.decode()
    assert "event: stream-error" in text, text
    data = next(line for line in text.splitlines() if line.startswith("data: "))
    return json.loads(data.removeprefix("data: "))


def test_the_secret_key_is_not_the_old_public_constant():
    assert settings.SECRET_KEY != OLD_PUBLIC_KEY
    assert len(settings.SECRET_KEY) >= 50


@pytest.mark.parametrize(
    "key", [OLD_PUBLIC_KEY, "any-other-key-an-attacker-picks-0123456789abcdefgh"]
)
def test_an_es_meta_signed_with_another_key_is_refused(project, owner, key):
    generation = make_finished_run(project)
    channel = f"generation-{generation.pk}"

    error = _stream_error(_stream(generation.pk, _meta(key, user=owner.pk, channel=channel)))

    assert error["condition"] == "forbidden"
    assert "es-meta" in error["text"]


def test_an_expired_or_malformed_es_meta_is_refused(project, owner):
    generation = make_finished_run(project)
    channel = f"generation-{generation.pk}"
    expired = _meta(settings.SECRET_KEY, user=owner.pk, channel=channel, expires_in=-10)

    for meta in (expired, "not-a-jwt"):
        assert _stream_error(_stream(generation.pk, meta))["condition"] == "forbidden"


def test_an_es_meta_signed_by_this_server_is_read_as_before(project, owner):
    # The control: the same forgery with the server's own key does open the owner's stream, so
    # the refusals above come from the signature, not from the shape of the token.
    generation = make_finished_run(project)
    meta = _meta(settings.SECRET_KEY, user=owner.pk, channel=f"generation-{generation.pk}")

    response = _stream(generation.pk, meta)

    assert response.streaming
    assert response["Content-Type"].startswith("text/event-stream")
    response.close()
