"""Generating through the API: the blocking call, wait=false, status, cancel, bad input, limits."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client

from generator.api.throttling import GenerateThrottle
from generator.engine.analysis import requirements_problem
from generator.models import Generation, Project
from tests.api.sse import parse_frames
from tests.api.test_auth import assert_error
from tests.generator.helpers import GIBBERISH, TASK_MANAGER, make_finished_run, make_live_run

BODY = {"projectName": "Tasks", "description": "Team tasks", "requirements": TASK_MANAGER}


# --- input ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_generate_needs_credentials(api):
    assert_error(api.post("/api/generate", BODY, format="json"), 401, "not_authenticated")
    assert not Project.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"description": "x", "requirements": "Build app"}, "projectName", "missing_field"),
        ({"projectName": "x"}, "requirements", "missing_field"),
        ({**BODY, "requirements": 42}, "requirements", "wrong_type"),
        ({**BODY, "projectName": ["a"]}, "projectName", "wrong_type"),
        ({**BODY, "wait": "no"}, "wait", "wrong_type"),
        ({**BODY, "stack": "cobol"}, "stack", "invalid_input"),
        ({**BODY, "requirements": "   "}, "requirements", "invalid_input"),
    ],
)
def test_bad_input_is_400_naming_the_field(as_owner, body, field, code):
    body_ = assert_error(as_owner.post("/api/generate", body, format="json"), 400, code)
    assert field in body_["error"]
    assert field in body_["details"]["fields"]
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_400(as_owner):
    response = as_owner.post("/api/generate", "{not json", content_type="application/json")
    body = assert_error(response, 400, "malformed_json")
    assert "JSON" in body["error"]


@pytest.mark.django_db
def test_a_json_array_is_400(as_owner):
    response = as_owner.post("/api/generate", "[1, 2]", content_type="application/json")
    assert_error(response, 400, "malformed_json")


@pytest.mark.django_db
def test_oversized_requirements_are_413(as_owner, settings):
    settings.TAKOSS_MAX_REQUIREMENTS_CHARS = 100
    response = as_owner.post("/api/generate", {**BODY, "requirements": "x" * 101}, format="json")
    body = assert_error(response, 413, "requirements_too_long")
    assert body["details"] == {"field": "requirements", "length": 101, "limit": 100}
    assert "requirements" in body["error"]


@pytest.mark.django_db
def test_form_encoded_bodies_are_415(as_owner):
    response = as_owner.post("/api/generate", BODY)  # multipart
    assert_error(response, 415)


# The stream checks its body the same way, before it opens: its refusals are plain JSON errors.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ("[1, 2]", "application/json", 400, "malformed_json"),
        (json.dumps({**BODY, "requirements": 42}), "application/json", 400, "wrong_type"),
        (json.dumps({**BODY, "projectName": None}), "application/json", 400, "wrong_type"),
        (json.dumps({**BODY, "stack": "cobol"}), "application/json", 400, "invalid_input"),
        ("projectName=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("", "", 400, "missing_field"),
        ("", "application/json", 400, "missing_field"),
        (json.dumps(BODY), "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_the_stream_refuses_bad_bodies_before_it_opens(as_owner, body, content_type, status, code):
    response = as_owner.generic("POST", "/api/generate/stream", body, content_type=content_type)
    assert_error(response, status, code)
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_stream_refuses_oversized_requirements_with_413(as_owner, settings):
    settings.TAKOSS_MAX_REQUIREMENTS_CHARS = 100
    response = as_owner.post(
        "/api/generate/stream", {**BODY, "requirements": "x" * 101}, format="json"
    )
    assert assert_error(response, 413, "requirements_too_long")["details"]["limit"] == 100
    assert not Project.objects.exists()


# --- refused requirements and names: a 400 naming the field, before anything is saved ----------

ENDPOINTS = ["/api/generate", "/api/generate/stream"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("requirements", [GIBBERISH, "Build app"])
def test_text_that_describes_nothing_is_400_in_the_analyzers_words(as_owner, path, requirements):
    # Waits on the analyzer's domain-content check in requirements_problem.
    problem = requirements_problem(requirements)
    assert problem is not None

    response = as_owner.post(path, {**BODY, "requirements": requirements}, format="json")

    body = assert_error(response, 400, "invalid_input")
    assert body["error"] == f"Invalid input: requirements: {problem}"
    assert body["details"]["fields"] == {"requirements": [problem]}
    assert not Project.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("requirements", ["", " \n "])
def test_empty_requirements_are_400_saying_what_to_describe(as_owner, path, requirements):
    response = as_owner.post(path, {**BODY, "requirements": requirements}, format="json")

    body = assert_error(response, 400, "invalid_input")
    assert body["details"]["fields"]["requirements"][0].startswith("The requirements are empty")
    assert not Project.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("name", ["📚🎉", "!!!"])
def test_a_name_with_nothing_readable_is_400_naming_project_name(as_owner, path, name):
    response = as_owner.post(path, {**BODY, "projectName": name}, format="json")

    body = assert_error(response, 400, "invalid_input")
    assert list(body["details"]["fields"]) == ["projectName"]
    assert "Use at least one letter or digit" in body["error"]
    assert not Project.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Библиотека", "図書館", "مكتبة"])
def test_a_name_in_another_script_is_accepted_as_sent(as_owner, name):
    response = as_owner.post(
        "/api/generate", {**BODY, "projectName": name, "wait": False}, format="json"
    )

    assert response.status_code == 202, response.content
    assert Project.objects.get().name == name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [({"requirements": GIBBERISH}, "requirements"), ({"name": "🎉"}, "projectName")],
)
def test_regenerating_a_project_the_rules_refuse_now_is_400(as_owner, project, changes, field):
    # The requirements case waits on the analyzer's domain-content check.
    Project.objects.filter(pk=project.pk).update(**changes)

    response = as_owner.post(f"/api/projects/{project.pk}/regenerate")

    body = assert_error(response, 400, "invalid_input")
    assert list(body["details"]["fields"]) == [field]
    assert project.generations.count() == 0


# --- limits -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_concurrent_run_cap_is_429_with_retry_after(as_owner, project, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(project)
    response = as_owner.post("/api/generate", {**BODY, "wait": False}, format="json")
    body = assert_error(response, 429, "too_many_runs")
    assert int(response["Retry-After"]) > 0
    assert body["details"]["limit"] == 1
    assert Project.objects.count() == 1  # nothing half-created


@pytest.mark.django_db
def test_the_rate_limit_is_per_user_and_429_with_retry_after(as_owner, as_stranger, monkeypatch):
    # DRF reads DEFAULT_THROTTLE_RATES (TAKOSS_API_GENERATE_RATE) once, at import.
    monkeypatch.setattr(GenerateThrottle, "rate", "2/minute", raising=False)
    bad = {"projectName": "x"}  # throttling counts attempts, valid or not
    assert as_owner.post("/api/generate", bad, format="json").status_code == 400
    assert as_owner.post("/api/generate", bad, format="json").status_code == 400
    response = as_owner.post("/api/generate", bad, format="json")
    body = assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    assert body["details"]["retryAfter"] > 0
    assert as_stranger.post("/api/generate", bad, format="json").status_code == 400


@pytest.mark.parametrize("rate", ["fast", "0/hour", "10/fortnight", "10"])
def test_a_bad_rate_setting_stops_the_server_at_start_up(rate):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**os.environ, "TAKOSS_API_GENERATE_RATE": rate},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"TAKOSS_API_GENERATE_RATE={rate!r} is not a rate" in result.stderr


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("30/hours", (30, 3600)), ("5 / minutes", (5, 60)), ("1/day", (1, 86400)), ("10/s", (10, 1))],
)
def test_rate_settings_in_drfs_forms_are_accepted(rate, parsed, monkeypatch):
    from takoss.env import env_rate

    monkeypatch.setenv("TAKOSS_API_GENERATE_RATE", rate)
    value = env_rate("TAKOSS_API_GENERATE_RATE", "30/hour")
    assert GenerateThrottle().parse_rate(value) == parsed


@pytest.mark.django_db
def test_generate_stream_and_regenerate_share_one_rate_limit(as_owner, finished_run, monkeypatch):
    monkeypatch.setattr(GenerateThrottle, "rate", "3/minute", raising=False)
    regenerate = f"/api/projects/{finished_run.project_id}/regenerate"
    assert as_owner.post("/api/generate", {"projectName": "x"}, format="json").status_code == 400
    stream = as_owner.post("/api/generate/stream", {"projectName": "x"}, format="json")
    assert stream.status_code == 400
    assert as_owner.post(regenerate).status_code == 202  # saved; never run in this test
    for response in (
        as_owner.post("/api/generate", BODY, format="json"),
        as_owner.post("/api/generate/stream", BODY, format="json"),
        as_owner.post(regenerate),
    ):
        assert_error(response, 429, "rate_limited")
        assert int(response["Retry-After"]) > 0
    assert Generation.objects.count() == 2  # the finished run and the one regenerate started


@pytest.mark.django_db
def test_regenerate_is_refused_at_the_run_cap(as_owner, project, settings):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    other = Project.objects.create(owner=project.owner, name="Other", requirements="Tasks.")
    make_live_run(other)  # the owner's one run, in another project
    response = as_owner.post(f"/api/projects/{project.pk}/regenerate")
    assert assert_error(response, 429, "too_many_runs")["details"]["limit"] == 1
    assert int(response["Retry-After"]) > 0
    assert project.generations.count() == 0


# --- runs -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generate_waits_and_returns_the_full_result(as_owner, owner, backend):
    response = as_owner.post("/api/generate", BODY, format="json")

    assert response.status_code == 200, response.content
    result = response.json()
    assert result["success"] is True, result["error"]
    generation = Generation.objects.get(pk=result["generationId"])
    assert generation.project.owner == owner
    assert result["projectId"] == generation.project_id
    phases = result["phases"]
    assert {e["name"] for e in phases["analysis"]["spec"]["entities"]} >= {"Task"}
    assert phases["complexity"]["level"]
    assert phases["verification"]["passed"] is True
    for phase in ("database", "backend", "frontend", "deployment"):
        assert phases[phase]["files"], phase
    assert any(f["path"].endswith("models.py") for f in result["files"])
    assert result["timings"]["total"] > 0
    # The download URL works with the same Bearer token, no cookie.
    download = as_owner.get(result["downloadUrl"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"


@pytest.mark.django_db(transaction=True)
def test_wait_false_answers_202_with_the_urls(as_owner, backend):
    response = as_owner.post("/api/generate", {**BODY, "wait": False}, format="json")

    assert response.status_code == 202
    body = response.json()
    generation = Generation.objects.get(pk=body["generationId"])
    assert body["urls"]["status"] == f"http://testserver/api/generations/{generation.pk}"
    assert body["urls"]["events"].endswith(f"/api/generations/{generation.pk}/events")
    as_owner.post(body["urls"]["cancel"])  # do not leave it running
    backend.wait_idle(timeout=30)
    status = as_owner.get(body["urls"]["status"]).json()
    assert status["status"] == "cancelled"
    assert status["result"]["status"] == "cancelled"


@pytest.mark.django_db
def test_a_blocking_call_that_outlasts_its_wait_answers_202(as_owner, settings):
    # In this (never committed) test transaction the run is saved but never enqueued, so it
    # is still queued when the wait ends.
    settings.TAKOSS_API_WAIT_SECONDS = 0
    response = as_owner.post("/api/generate", BODY, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["urls"]["events"].endswith(f"/api/generations/{body['generationId']}/events")


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous")
def test_replay_starts_after_last_event_id_which_wins_over_after(as_owner, project):
    run = make_finished_run(project)
    url = f"/api/generations/{run.pk}/events"
    everything = parse_frames(b"".join(as_owner.get(f"{url}?after=0")).decode())
    assert [f.id for f in everything] == list(range(1, run.last_event_seq + 1))
    assert everything[-1].type == "result"
    response = as_owner.get(f"{url}?after=0", HTTP_LAST_EVENT_ID="2")
    assert response["Content-Type"].startswith("text/event-stream")
    assert parse_frames(b"".join(response).decode()) == everything[2:]
    assert parse_frames(b"".join(as_owner.get(f"{url}?after=3")).decode()) == everything[3:]
    # Past the end: nothing to send, and the stream ends at once.
    assert parse_frames(b"".join(as_owner.get(f"{url}?after=99")).decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", "٣", " 2", "9" * 5000])
def test_a_replay_position_that_is_not_a_whole_number_is_400(as_owner, project, value):
    url = f"/api/generations/{make_finished_run(project).pk}/events"
    body = assert_error(as_owner.get(url, {"after": value}), 400, "invalid_input")
    assert body["details"]["fields"] == {"after": ["Must be a whole number ≥ 0."]}
    # A bad ?after= is refused even when a Last-Event-ID (which wins) comes with it.
    response = as_owner.get(url, {"after": value}, HTTP_LAST_EVENT_ID="2")
    assert assert_error(response, 400)["details"]["fields"] == body["details"]["fields"]
    if value.strip() != "2":  # a header value's surrounding spaces are not part of it
        body = assert_error(as_owner.get(url, HTTP_LAST_EVENT_ID=value), 400, "invalid_input")
        assert "Last-Event-ID" in body["error"]


@pytest.mark.django_db
def test_generation_status_for_owner_404_for_stranger(as_owner, as_stranger, finished_run):
    url = f"/api/generations/{finished_run.pk}"
    body = as_owner.get(url).json()
    assert body["status"] == "succeeded"
    assert body["result"]["success"] is True
    assert body["result"]["phases"]["verification"]["passed"] is True
    assert body["lastEventId"] == finished_run.last_event_seq
    assert_error(as_stranger.get(url), 404, "not_found")
    assert_error(as_owner.get("/api/generations/999999"), 404)


@pytest.mark.django_db
def test_a_running_generation_has_no_result_yet(as_owner, project):
    run = make_live_run(project)
    body = as_owner.get(f"/api/generations/{run.pk}").json()
    assert body["status"] == "running"
    assert body["result"] is None
    assert body["currentPhase"] == "database"


@pytest.mark.django_db
def test_cancel_by_owner_and_404_for_stranger(as_owner, as_stranger, project):
    run = Generation.objects.create(project=project, number=1)  # queued
    assert_error(as_stranger.post(f"/api/generations/{run.pk}/cancel"), 404)
    run.refresh_from_db()
    assert run.status == "queued"
    response = as_owner.post(f"/api/generations/{run.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


@pytest.mark.django_db
def test_wrong_method_is_405_json(as_owner, finished_run):
    response = as_owner.delete(f"/api/generations/{finished_run.pk}")
    assert_error(response, 405, "method_not_allowed")
    response = as_owner.get("/api/generate/stream")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


@pytest.mark.django_db
def test_session_clients_can_generate_with_csrf(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    body = {**BODY, "wait": False}
    response = browser.post("/api/generate", body, content_type="application/json")
    assert_error(response, 403)
    assert_error(browser.post("/api/generate/stream", body, content_type="application/json"), 403)
    browser.get("/account/settings/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/generate", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 202, response.content
    assert Generation.objects.filter(project__owner=owner).count() == 1
