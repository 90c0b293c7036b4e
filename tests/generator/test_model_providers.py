"""Runs that read their requirements with a model, end to end through the services, against the
engine's local replay server (tests/engine/provider_server.py): the real OpenAI SDK talks HTTP to
127.0.0.1, nothing is patched but verification, which is skipped to keep these fast.

Also: the project's choice on the new-project forms, the budget, and the run's record on the
run page, the dashboard, the API and the admin.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.services import provider_key_save
from generator import services
from generator.constants import GENERATION_STATUS_CANCELLED, GENERATION_STATUS_SUCCEEDED
from generator.engine.providers.config import PROVIDERS
from generator.models import Generation, Project
from generator.providers import month_spend
from generator.services import generation_cancel, generation_run, project_create_and_start
from takoss.provider_settings import PROVIDERS as SETTINGS_PROVIDERS
from tests.engine.provider_server import ProviderServer
from tests.generator.helpers import TASK_MANAGER, reload, wait_for

run_db = pytest.mark.django_db(transaction=True)
MODEL = "qwen2.5-0.5b-instruct"
KEY = "sk-local-Zq8u2RkV93xx-never-shown"
OK = "openai/chat_stream_json_schema.sse"  # the fixture's usage: 2,398 tokens in, 176 out
PRICES = {f"openai-compatible:{MODEL}": {"input": "1", "output": "2"}}


@pytest.fixture
def server() -> Iterator[ProviderServer]:
    running = ProviderServer().start()
    yield running
    running.stop()


@pytest.fixture
def fast_runs(monkeypatch, settings):
    """The real pipeline without verification (the generated project's own tests take long);
    no retries, a short timeout; runs are started by the test, not the task backend."""
    real = services.generate
    monkeypatch.setattr(
        services,
        "generate",
        lambda request, **kw: real(dataclasses.replace(request, verify=False), **kw),
    )
    monkeypatch.setattr(services, "_enqueue", lambda generation_id: None)
    settings.TAKOSS_MODEL_RETRIES = 0
    settings.TAKOSS_MODEL_TIMEOUT_SECONDS = 5
    settings.TAKOSS_MODEL_PRICES = PRICES


def _start(owner: Any, server: ProviderServer) -> Generation:
    return project_create_and_start(
        owner=owner,
        name="Task Manager",
        requirements=TASK_MANAGER,
        stack="django",
        provider="openai-compatible",
        model=MODEL,
        base_url=f"{server.url}/v1",
    )


def test_the_settings_know_the_engines_providers():
    assert tuple(SETTINGS_PROVIDERS) == tuple(PROVIDERS)


# --- a run read by a model --------------------------------------------------------------------


@run_db
def test_a_run_reads_with_the_local_server_and_records_tokens_and_cost(
    owner, server, fast_runs, channel_sends
):
    # Given the owner's key for their local server and a project that reads with it
    provider_key_save(user=owner, provider="openai-compatible", key=KEY)
    server.reply_file(OK)
    generation = _start(owner, server)
    assert (generation.provider, generation.model) == ("openai-compatible", MODEL)

    # When the run runs
    generation_run(generation_id=generation.pk)

    # Then the model read the text: one streamed request, with the stored key
    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_SUCCEEDED, generation.error
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == MODEL and request.body["stream"] is True
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["authorization"] == f"Bearer {KEY}"
    # its usage and price (TAKOSS_MODEL_PRICES: $1 and $2 per million) are on the run
    assert (generation.input_tokens, generation.output_tokens) == (2398, 176)
    assert generation.cost_usd == Decimal("0.002750")
    assert not generation.fell_back and generation.model_warning == ""
    assert month_spend(owner) == Decimal("0.002750")
    # the analysis phase streamed its progress between its start and its end, numbered in order
    history = list(generation.events.all())
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    analysis = [e for e in history if e.phase == "analysis"]
    assert analysis[0].type == "phase_start" and analysis[-1].type == "phase_complete"
    prefix = f"Reading with openai-compatible {MODEL}: ~"
    reading = [e for e in analysis if e.message.startswith(prefix)]
    assert reading and reading[-1].data["tokens"] > 0
    assert all(e.type == "phase_progress" for e in reading)
    # and the key is in no event, no stored field, nothing sent to the browser
    assert KEY not in json.dumps([e.to_event_dict() for e in history])
    assert KEY not in json.dumps([event for _, event in channel_sends], default=str)
    assert KEY not in json.dumps(Generation.objects.filter(pk=generation.pk).values().get(),
                                 default=str)  # fmt: skip


@run_db
def test_cancelling_while_the_model_streams_closes_its_connection_and_keeps_what_was_spent(
    owner, server, fast_runs, channel_sends
):
    # Given a run whose model sends its first tokens and then keeps the stream open
    server.reply_file("openai/chat_stream_first_chunks.sse", hold=True)
    generation = _start(owner, server)
    worker = threading.Thread(target=generation_run, kwargs={"generation_id": generation.pk})
    worker.start()
    wait_for(lambda: generation.events.filter(message__contains=": ~").exists(), timeout=20)

    # When the owner cancels it
    generation_cancel(generation=reload(generation), user=owner)

    # Then the run ends cancelled, the server sees its connection closed, and the tokens sent
    # before the cancel are on the run (they were paid for)
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert server.closed_by_client.wait(2)
    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_CANCELLED
    assert generation.input_tokens > 0 and generation.output_tokens > 0


@run_db
def test_a_failing_server_falls_back_to_the_offline_analyzer_with_a_warning(
    owner, server, fast_runs
):
    server.reply_file("openai/error_429.json", status=429, headers={"retry-after": "0"})
    generation = _start(owner, server)

    generation_run(generation_id=generation.pk)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_SUCCEEDED, generation.error
    assert generation.fell_back
    assert "was not used (rate limited or out of quota (HTTP 429))" in generation.model_warning
    assert "offline analyzer read the text instead" in generation.model_warning
    assert generation.spec["entities"]  # the offline reading of the task manager
    assert generation.spec["warnings"][0] in generation.model_warning
    warnings = generation.events.filter(type="log", phase="analysis")
    assert any("HTTP 429" in e.message for e in warnings)


@run_db
def test_a_key_deleted_after_the_start_falls_back_rather_than_failing(
    owner, server, fast_runs, settings
):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    provider_key_save(user=owner, provider="openai", key=KEY)
    generation = project_create_and_start(
        owner=owner, name="Tasks", requirements=TASK_MANAGER, stack="django", provider="openai"
    )
    owner.provider_keys.all().delete()

    generation_run(generation_id=generation.pk)

    generation = reload(generation)
    assert generation.status == GENERATION_STATUS_SUCCEEDED, generation.error
    assert generation.fell_back
    assert generation.model_warning.startswith("OpenAI was not used (no API key for OpenAI")
    assert server.requests == []


# --- the choice on the new-project forms and its errors -----------------------------------------


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def _quick(**fields: str) -> dict[str, str]:
    return {
        "form_kind": "quick",
        "name": "Tasks",
        "requirements": TASK_MANAGER,
        "stack": "django",
        **fields,
    }


@pytest.mark.django_db
def test_the_quick_form_offers_the_providers_with_the_sites_default(signed_in, settings):
    settings.TAKOSS_DEFAULT_PROVIDER = "openai-compatible"
    page = signed_in.get(reverse("generator:project_new") + "?form=quick").content.decode()
    assert 'name="provider"' in page and 'name="base_url"' in page and 'name="model"' in page
    assert '<option value="openai-compatible" selected>' in page


@pytest.mark.django_db
def test_a_provider_without_a_key_is_a_form_error_saying_where_to_add_one(signed_in, settings):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    response = signed_in.post(reverse("generator:project_new"), _quick(provider="anthropic"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "No API key for Anthropic" in errors["provider"][0]
    assert "Settings → Model providers" in errors["provider"][0]
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_operators_environment_key_counts_only_when_allowed(signed_in, settings):
    settings.TAKOSS_PROVIDER_API_KEYS = {"anthropic": "sk-ant-operator-1234"}
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    refused = signed_in.post(reverse("generator:project_new"), _quick(provider="anthropic"))
    assert "provider" in refused.context["form"].errors

    settings.TAKOSS_PROVIDER_ENV_KEYS = True
    started = signed_in.post(reverse("generator:project_new"), _quick(provider="anthropic"))
    assert started.status_code == 302
    project = Project.objects.get()
    assert (project.provider, project.model) == ("anthropic", "claude-sonnet-4-6")


@pytest.mark.django_db
def test_a_local_server_needs_an_http_address_and_a_model(signed_in):
    response = signed_in.post(
        reverse("generator:project_new"),
        _quick(provider="openai-compatible", base_url="file:///etc/passwd"),
    )
    errors = response.context["form"].errors
    assert "http:// or https://" in errors["base_url"][0]
    assert "Name the model" in errors["model"][0]
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_wizard_asks_for_the_model_on_its_last_step_and_keeps_it(signed_in):
    url = reverse("generator:project_new")
    data = {"form_kind": "wizard", "step": "3", "name": "Tasks", "description": "",
            "requirements": TASK_MANAGER, "provider": "openai-compatible",
            "base_url": "http://127.0.0.1:9/v1", "model": ""}  # fmt: skip
    response = signed_in.post(url, {**data, "action": "create"})

    page = response.content.decode()
    assert 'data-testid="model-choice"' in page
    assert "Name the model" in page
    assert 'value="http://127.0.0.1:9/v1"' in page  # kept for the next try
    # Going back carries the choice along as hidden fields
    back = signed_in.post(url, {**data, "action": "back"}).content.decode()
    assert 'type="hidden" name="provider" value="openai-compatible"' in back


# --- the budget ---------------------------------------------------------------------------------


def _spent(project: Project, amount: str) -> Generation:
    return Generation.objects.create(
        project=project, number=99, status="succeeded", provider="openai", model="gpt-5-mini",
        cost_usd=Decimal(amount),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_model_run_over_the_budget_is_refused_on_the_page_and_offline_still_goes(
    signed_in, owner, project, settings
):
    settings.TAKOSS_MONTHLY_BUDGET_USD = Decimal("1")
    _spent(project, "1.00")
    before = Project.objects.count()

    refused = signed_in.post(
        reverse("generator:project_new"),
        _quick(provider="openai-compatible", model=MODEL, base_url="http://127.0.0.1:9/v1"),
    )

    assert refused.status_code == 200
    [error] = refused.context["form"].non_field_errors()
    assert "model budget is spent: $1.00 of $1.00" in error
    assert "offline analyzer" in error
    assert Project.objects.count() == before
    offline = signed_in.post(reverse("generator:project_new"), _quick(provider="offline"))
    assert offline.status_code == 302


@pytest.mark.django_db
def test_an_admins_budget_override_lets_the_owner_run_again(owner, project, settings):
    settings.TAKOSS_MONTHLY_BUDGET_USD = Decimal("1")
    _spent(project, "1.50")
    owner.monthly_budget_usd = Decimal("5")
    owner.save()
    generation = project_create_and_start(
        owner=owner, name="More", requirements=TASK_MANAGER, stack="django",
        provider="openai-compatible", model=MODEL, base_url="http://127.0.0.1:9/v1",
    )  # fmt: skip
    assert generation.provider == "openai-compatible"


@pytest.mark.django_db
def test_the_budget_counts_this_months_runs_only(owner, project):
    _spent(project, "3")
    last_month = Generation.objects.create(
        project=project, number=98, provider="openai", cost_usd=Decimal("7")
    )
    Generation.objects.filter(pk=last_month.pk).update(created_at="2020-01-15T00:00:00Z")
    assert month_spend(owner) == Decimal("3")


# --- the run's record, where people read it ------------------------------------------------------


@pytest.fixture
def model_run(project) -> Generation:
    from tests.generator.helpers import make_finished_run

    generation = make_finished_run(project)
    Generation.objects.filter(pk=generation.pk).update(
        provider="anthropic", model="claude-sonnet-4-6", input_tokens=2412, output_tokens=187,
        cost_usd=Decimal("0.010041"), fell_back=True,
        model_warning="Anthropic model claude-sonnet-4-6 was not used (HTTP 500); the offline "
        "analyzer read the text instead.",
    )  # fmt: skip
    return reload(generation)


@pytest.mark.django_db
def test_the_run_page_and_the_dashboard_show_the_model_and_its_cost(signed_in, model_run):
    page = signed_in.get(
        reverse("generator:run", args=[model_run.project_id, model_run.number])
    ).content.decode()
    assert "Read with Anthropic <code>claude-sonnet-4-6</code>" in page
    assert "2412 tokens in, 187 out, $0.0100" in page
    assert 'data-testid="run-model-fallback"' in page
    assert "was not used (HTTP 500)" in page

    dashboard = signed_in.get(reverse("generator:dashboard")).content.decode()
    assert "anthropic claude-sonnet-4-6 · $0.0100 · fell back to offline" in dashboard


@pytest.mark.django_db
def test_the_api_gives_the_runs_model_and_cost(owner, model_run):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(owner)
    body = client.get(f"/api/generations/{model_run.pk}").json()
    assert body["model"] == {
        "provider": "anthropic",
        "model": "claude-sonnet-4-6",
        "inputTokens": 2412,
        "outputTokens": 187,
        "costUsd": "0.010041",
        "fellBack": True,
        "warning": model_run.model_warning,
    }


@pytest.mark.django_db
def test_the_admin_shows_the_runs_model(client, staff, model_run):
    client.force_login(staff)
    page = client.get(
        reverse("admin:generator_generation_change", args=[model_run.pk])
    ).content.decode()
    assert "claude-sonnet-4-6" in page and "0.010041" in page and "2412" in page
