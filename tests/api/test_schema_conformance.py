"""Schemathesis against /api/schema/: no 5xx, and every answer matches the documented schema.

The generating endpoints are left out (each call would start a whole generation; they have
their own tests, streaming ones over a real server); everything else is exercised with a few
examples per operation, authenticated as a user who owns a finished run.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.generator.helpers import make_finished_run

pytestmark = pytest.mark.slow


@pytest.fixture
def _keep_connections():
    # Like django.test.Client: the real WSGI handler would close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def finished_run_of_owner(db, _keep_connections, owner, project):
    return make_finished_run(project)


# Loaded once at collection: the schema view reads no database and needs no credentials.
# (schemathesis.pytest.from_fixture does not work with pytest 9's nodes yet.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).exclude(
    path_regex=r"^/api/(generate(/stream)?|projects/\{id\}/regenerate|generations/\{id\}/events)$"
)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, owner, finished_run_of_owner):
    token = RefreshToken.for_user(owner).access_token
    # Schema-valid data may still break a business rule (a weak password, a blank-after-strip
    # name): a 400 naming it is right, so "positive data acceptance" is not checked.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
