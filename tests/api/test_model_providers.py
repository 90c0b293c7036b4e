"""Choosing a model through the API: the choice's errors (400 naming the field, saying where to
add a key) and the monthly budget (402 budget_exceeded), on the blocking and the streaming
endpoint; offline runs are never refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.services import provider_key_save
from generator.models import Generation, Project
from tests.api.test_auth import assert_error
from tests.generator.helpers import TASK_MANAGER

pytestmark = pytest.mark.django_db
BODY = {"projectName": "Tasks", "requirements": TASK_MANAGER, "wait": False}
ENDPOINTS = ["/api/generate", "/api/generate/stream"]
LOCAL = {"provider": "openai-compatible", "model": "qwen2.5", "baseUrl": "http://127.0.0.1:9/v1"}


@pytest.fixture(autouse=True)
def _no_environment_keys(settings):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_unknown_provider_is_400_listing_the_providers(as_owner, path):
    body = assert_error(
        as_owner.post(path, {**BODY, "provider": "cohere"}, format="json"), 400, "invalid_input"
    )
    assert "provider" in body["details"]["fields"]
    assert "Unknown provider “cohere”: choose one of offline, anthropic" in body["error"]
    assert not Project.objects.exists()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_provider_without_a_key_is_400_saying_where_to_add_one(as_owner, path):
    body = assert_error(
        as_owner.post(path, {**BODY, "provider": "gemini"}, format="json"), 400, "invalid_input"
    )
    assert "No API key for Google Gemini" in body["error"]
    assert "/accounts/settings/#model-providers" in body["error"]


def test_a_local_server_needs_an_http_base_url_named_as_the_api_names_it(as_owner):
    body = assert_error(
        as_owner.post(
            "/api/generate", {**BODY, **LOCAL, "baseUrl": "ftp://host/v1"}, format="json"
        ),
        400,
        "invalid_input",
    )
    assert "http:// or https://" in body["details"]["fields"]["baseUrl"][0]


def test_a_stored_key_lets_the_run_start_with_the_providers_default_model(as_owner, owner):
    provider_key_save(user=owner, provider="openai", key="sk-test-1234567890")
    response = as_owner.post("/api/generate", {**BODY, "provider": "openai"}, format="json")
    assert response.status_code == 202, response.content
    generation = Generation.objects.get(pk=response.json()["generationId"])
    assert (generation.provider, generation.model) == ("openai", "gpt-5-mini")
    status = as_owner.get(f"/api/generations/{generation.pk}").json()
    assert status["model"]["provider"] == "openai" and status["model"]["costUsd"] is None
    project = as_owner.get(f"/api/projects/{generation.project_id}").json()
    assert (project["provider"], project["model"], project["baseUrl"]) == (
        "openai",
        "gpt-5-mini",
        "",
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_model_run_over_the_budget_is_402_and_offline_still_runs(
    as_owner, owner, project, settings, path
):
    settings.TAKOSS_MONTHLY_BUDGET_USD = Decimal("2")
    Generation.objects.create(
        project=project, number=7, status="succeeded", provider="openai", cost_usd=Decimal("2.5")
    )

    body = assert_error(
        as_owner.post(path, {**BODY, **LOCAL}, format="json"), 402, "budget_exceeded"
    )

    assert "model budget is spent: $2.50 of $2.00" in body["error"]
    assert (body["details"]["spentUsd"], body["details"]["budgetUsd"]) == ("2.50", "2.00")
    assert body["details"]["resetsAt"][8:10] == "01"  # the first of next month
    assert Project.objects.count() == 1  # nothing created
    offline = as_owner.post("/api/generate", {**BODY, "provider": "offline"}, format="json")
    assert offline.status_code == 202


def test_requirements_too_long_for_the_models_context_are_refused_before_anything_is_sent(
    as_owner,
):
    long_text = " ".join([TASK_MANAGER] * 90)  # about 14,000 characters: over 8,192 tokens
    body = assert_error(
        as_owner.post("/api/generate", {**BODY, **LOCAL, "requirements": long_text}, format="json"),
        400,
        "invalid_input",
    )
    [message] = body["details"]["fields"]["requirements"]
    assert message.startswith("Too long for openai-compatible qwen2.5: reading it would need")
    assert "context window is 8,192" in message
    assert not Project.objects.exists()
