"""JSON nested 10,000 levels deep is a 400 naming the limit, never a 500 (takoss/jsonlimits.py)."""

from __future__ import annotations

import http.client
import json

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ApiKey
from generator.models import Project
from takoss.jsonlimits import MAX_JSON_DEPTH, json_depth_exceeds
from tests.api.test_auth import assert_error

DEEP = "[" * 10_000 + "]" * 10_000
ENDPOINTS = ["/api/auth/login", "/api/auth/register", "/api/generate", "/api/generate/stream"]


def _nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def _assert_too_deep(response) -> None:
    body = assert_error(response, 400, "json_too_deep")
    assert str(MAX_JSON_DEPTH) in body["error"]
    assert body["details"] == {"maxDepth": MAX_JSON_DEPTH}


# --- the scan ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (DEEP, True),
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
        ("[" * (MAX_JSON_DEPTH + 1), True),
        ('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1), True),
        (json.dumps({"text": "[" * 10_000}), False),  # brackets in a string are text
        (json.dumps(['\\"' + "[" * 100]), False),  # an escaped quote does not end the string
        ('["\\\\"' + "," + "[" * 100, True),  # an escaped backslash does not escape the quote
        (json.dumps([[1, 2], {"a": [3]}] * 5_000), False),  # many shallow brackets
    ],
)
def test_the_depth_is_counted_outside_strings(body, deep):
    assert json_depth_exceeds(body.encode()) is deep


# --- each endpoint -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_deep_json_is_a_400_naming_the_limit(api, path):
    _assert_too_deep(api.generic("POST", path, DEEP, content_type="application/json"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/generate", "/api/generate/stream", "/api/auth/api-keys"])
def test_deep_json_is_a_400_for_a_signed_in_caller_too(as_owner, path):
    _assert_too_deep(as_owner.generic("POST", path, DEEP, content_type="application/json"))
    deep_field = json.dumps({"projectName": "x", "name": "k", "requirements": _nested(100)})
    _assert_too_deep(as_owner.generic("POST", path, deep_field, content_type="application/json"))
    assert not Project.objects.exists()
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_json_within_the_limit_still_works(api, owner, as_owner):
    # Login and API keys succeed; brackets in a string are no nesting.
    login = {"email": "owner@example.com", "password": "pw-owner-1", "note": _nested(60)}
    assert api.post("/api/auth/login", login, format="json").status_code == 200
    wrong = {"email": "owner@example.com", "password": "[" * 100}
    assert_error(api.post("/api/auth/login", wrong, format="json"), 401)
    key = as_owner.post("/api/auth/api-keys", {"name": "ci", "x": _nested(60)}, format="json")
    assert key.status_code == 201, key.content
    # Generate and stream parse a body at the limit and judge its fields (wrong type: a list).
    at_limit = json.dumps({"projectName": "Tasks", "requirements": _nested(MAX_JSON_DEPTH - 1)})
    for path in ("/api/generate", "/api/generate/stream"):
        response = as_owner.generic("POST", path, at_limit, content_type="application/json")
        assert_error(response, 400, "wrong_type")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_stream_refuses_deep_json_under_daphne(api_server, owner):
    # The ASGI path: the async middleware in front of the async stream view.
    connection = http.client.HTTPConnection(api_server, timeout=30)
    headers = {
        "Authorization": f"Bearer {RefreshToken.for_user(owner).access_token}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
    }
    connection.request("POST", "/api/generate/stream", body=DEEP.encode(), headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()

    assert response.status == 400
    assert body["code"] == "json_too_deep"
    assert str(MAX_JSON_DEPTH) in body["error"]
