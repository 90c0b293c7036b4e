"""Schemathesis against /api/schema/: no 5xx, and every answer matches the documented schema.

Every operation is exercised, authenticated as a user who owns a finished run (of the project's
version 1), with both schema-valid and schema-invalid data (invalid data must be refused), and
each version endpoint once with real ids as well. Runs the generating
endpoints start are saved but never executed: this test's transaction is never committed, and a
run is enqueued only on commit. ``POST /api/generate/stream`` is fuzzed with invalid data (what
it must refuse), and a stream it opens ends after its ``queued`` frame, since its run never
executes here; its real streams are tested over a real server in test_streams.py, and a real
run's frames are checked against the schema below.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from generator.api import streams
from generator.constants import ACTIVE_STATUSES
from generator.models import Generation
from generator.services import version_create
from tests.generator.helpers import SPEC, make_finished_run

pytestmark = [
    pytest.mark.slow,
    # werkzeug reads the stream views' async responses synchronously, which Django warns about.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous"),
]

SCHEMA_URL = "/api/schema/?format=json"
STREAM = r"^/api/generate/stream$"


@pytest.fixture
def _keep_connections():
    # Like django.test.Client: the real WSGI handler would close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, _keep_connections, owner, project, settings):
    settings.TAKOSS_API_WAIT_SECONDS = 0  # POST /api/generate answers 202 at once
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 10_000  # so valid requests get through
    run = make_finished_run(project)
    run.version = version_create(project=project, user=owner, spec=SPEC, source="spec")
    run.save(update_fields=["version"])
    return run


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def _call(case, owner) -> None:
    # Each example starts with fresh rate-limit counters (else the auth endpoints would answer
    # 429 after 20 examples) and with no run left unfinished by an earlier example (an event
    # stream of an unfinished, never executed run would wait forever).
    cache.clear()
    Generation.objects.filter(status__in=ACTIVE_STATUSES).update(status="failed")
    # Schema-valid data may still break a business rule (a weak password, a blank-after-strip
    # name): a 400 naming it is right, so "positive data acceptance" is not checked.
    case.call_and_validate(
        headers=_bearer(owner),
        excluded_checks=[positive_data_acceptance],
    )


# Loaded at collection: the schema view reads no database and needs no credentials.
# (schemathesis.pytest.from_fixture does not work with pytest 9's nodes yet.)
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application()).exclude(
    path_regex=STREAM
)
stream_schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application()).include(
    path_regex=STREAM
)
stream_schema.config.generation.update(modes=[GenerationMode.NEGATIVE])

# Derandomized: CI runs the same examples each time (explore with more, unseeded, by hand).
EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@schema.parametrize()
@EXAMPLES
def test_api_conforms_to_its_schema(case, owner, world):
    _call(case, owner)


async def _no_events(generation_id, *, after, absolute):
    return
    yield


@stream_schema.parametrize()
@EXAMPLES
def test_the_stream_refuses_invalid_requests_as_documented(case, owner, world, monkeypatch):
    # Should a request be accepted after all, its stream ends after "queued" instead of waiting
    # for a run that never executes, and the failed "negative data rejection" check names it.
    monkeypatch.setattr(streams, "_frames", _no_events)
    _call(case, owner)


def test_every_reference_in_the_schema_resolves(client):
    text = client.get(SCHEMA_URL).content.decode()
    components = json.loads(text)["components"]["schemas"]
    references = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert references, "the schema refers to no components at all"
    assert references <= set(components), references - set(components)


def test_a_replayed_stream_matches_the_documented_frames(owner, world):
    # Random ids rarely hit a run, so the frames of a real one are checked here.
    operation = schema["/api/generations/{id}/events"]["GET"]
    case = operation.Case(path_parameters={"id": world.pk}, query={"after": 0})
    response = case.call_and_validate(headers=_bearer(owner))
    assert response.status_code == 200
    assert response.text.count("\ndata: ") == world.events.count()


# Random ids rarely hit the world's project: each version endpoint once with its real ids.
VERSION_CALLS = [
    ("/api/projects/{id}/spec", "GET", {}, None),
    ("/api/projects/{id}/spec", "PUT", {}, {"spec": SPEC, "version": 1}),
    ("/api/projects/{id}/changes", "POST", {}, {"request": "add a priority to tasks"}),
    ("/api/projects/{id}/versions", "GET", {"pageSize": 1}, None),
    ("/api/projects/{id}/versions/{number}", "GET", {}, None),
    ("/api/projects/{id}/versions/{number}/build", "POST", {}, None),
    ("/api/projects/{id}/versions/{number}/restore", "POST", {}, None),
    ("/api/projects/{id}/diff", "GET", {"from": 1, "to": 1}, None),
    ("/api/projects/{id}/download", "GET", {"version": 1}, None),
]


@pytest.mark.parametrize(
    ("path", "method", "query", "body"),
    VERSION_CALLS,
    ids=[f"{m} {p}" for p, m, _, _ in VERSION_CALLS],
)
def test_the_version_endpoints_answer_as_documented(owner, world, path, method, query, body):
    operation = schema[path][method]
    parameters = (
        {"id": world.project_id, "number": 1} if "{number}" in path else {"id": world.project_id}
    )
    extra = {"body": body, "media_type": "application/json"} if body is not None else {}
    case = operation.Case(path_parameters=parameters, query=query, **extra)
    response = case.call_and_validate(headers=_bearer(owner))
    assert response.status_code < 300, response.text
