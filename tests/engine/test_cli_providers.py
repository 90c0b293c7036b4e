"""``takoss analyze|generate --provider …`` and ``takoss check-model``, in-process, against the
local server replaying recorded provider responses (provider_server.py); the offline analyzer
is the fake one, so a fallback is recognisable by its entities (the text's capitalised words)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_fakes import fake_analyze
from provider_server import ProviderServer

from generator.engine import pipeline
from generator.engine.cli import main

TEXT = "A reading list where Members keep each Book with a rating"
KEY = "sk-ant-test-4f9Qm2LsXw-never-printed"


@pytest.fixture(autouse=True)
def _fake_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "default_analyzer", lambda: fake_analyze)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderServer]:
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(variable, KEY)
    running = ProviderServer().start()
    yield running
    running.stop()


def _analyze(server: ProviderServer, provider: str, *extra: str) -> list[str]:
    root = "" if provider in ("anthropic", "gemini") else "/v1"
    return ["analyze", TEXT, "--json", "--provider", provider, "--base-url", server.url + root,
            "--timeout", "5", "--retries", "0", *extra]  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "fixture"),
    [
        ("anthropic", "anthropic/stream_tool_use.sse"),
        ("openai", "openai/chat_stream_json_schema.sse"),
        ("gemini", "gemini/stream_generate_content.sse"),
    ],
)
def test_analyze_with_a_provider_prints_the_models_spec_and_its_usage(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], provider: str, fixture: str
) -> None:
    server.reply_file(fixture)

    code = main(_analyze(server, provider))

    out, err = capsys.readouterr()
    spec = json.loads(out)  # stdout is the spec alone
    assert code == 0
    assert [e["name"] for e in spec["entities"]] == ["Book"]
    assert "Question: Should members see each other's books?" in spec["notes"]
    assert f"takoss: {provider} " in err and "tokens in" in err and "$" in err


def test_analyze_with_the_compatible_provider_reads_the_base_url_from_the_environment(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKOSS_OPENAI_COMPATIBLE_BASE_URL", server.url + "/v1")
    server.reply_file("openai/chat_stream_chatty.sse")

    code = main(["analyze", TEXT, "--json", "--provider", "openai-compatible", "--model", "qwen"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["entities"][0]["name"] == "Book"
    assert server.requests[0].body["model"] == "qwen"


def test_a_failing_provider_falls_back_with_a_warning_and_exit_0(
    server: ProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply_file("openai/error_429.json", status=429, headers={"retry-after": "0"})

    code = main(_analyze(server, "openai"))

    out, err = capsys.readouterr()
    assert code == 0
    names = [e["name"] for e in json.loads(out)["entities"]]
    assert names == ["A", "Members", "Book"]  # the (fake) offline analyzer's reading
    assert (
        "takoss: warning: OpenAI model gpt-5-mini was not used (rate limited or out of quota "
        "(HTTP 429)); the offline analyzer read the text instead." in err
    )


def test_an_unreachable_provider_falls_back(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)

    code = main(["analyze", TEXT, "--provider", "anthropic", "--base-url", "http://127.0.0.1:9",
                 "--timeout", "2"])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 0
    assert "Anthropic model claude-sonnet-4-6 was not used (could not connect to" in err
    assert "warning:" in out  # the plain report shows the spec's warnings too


def test_no_fallback_exits_1_with_a_clear_message(
    server: ProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply_file("gemini/error_429.json", status=429)

    code = main(_analyze(server, "gemini", "--no-fallback"))

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "takoss: error: Google Gemini model gemini-2.5-flash: rate limited" in err
    assert "--no-fallback: the offline analyzer was not used" in err


def test_a_context_overflow_is_refused_before_sending(
    server: ProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_analyze(server, "anthropic", "--no-fallback", "--context-window", "2000"))

    assert code == 1
    assert server.requests == []
    assert "context window is 2,000; nothing was sent" in capsys.readouterr().err


def test_a_missing_key_is_bad_input_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    code = main(["analyze", TEXT, "--provider", "openai"])

    assert code == 2
    assert "no API key for OpenAI: set OPENAI_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize("no_fallback", [False, True])
def test_the_key_is_never_printed(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], no_fallback: bool
) -> None:
    echo = f'{{"type": "error", "error": {{"type": "invalid_request_error", "message": "{KEY}"}}}}'
    server.reply(echo, status=400, content_type="application/json")
    extra = ["--no-fallback"] if no_fallback else []

    main(_analyze(server, "anthropic", *extra))

    out, err = capsys.readouterr()
    assert "HTTP 400" in err
    assert KEY not in out and KEY not in err


def test_generate_with_a_provider_builds_from_the_models_spec(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_registry: None
) -> None:
    server.reply_file("openai/chat_stream_json_schema.sse")

    code = main(["generate", "--name", "Reading List", "--requirements", TEXT, "--out",
                 str(tmp_path / "out"), "--stack", "fake", "--json-events", "--provider", "openai",
                 "--base-url", server.url + "/v1"])  # fmt: skip

    out, err = capsys.readouterr()
    result = json.loads(out.splitlines()[-1])
    assert code == 0 and result["data"]["success"] is True
    assert [e["name"] for e in result["data"]["spec"]["entities"]] == ["Book"]
    assert "takoss: openai gpt-5-mini:" in err


def test_generate_without_fallback_fails_the_run_with_exit_1(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_registry: None
) -> None:
    server.reply_file("openai/error_429.json", status=429, headers={"retry-after": "0"})

    code = main(["generate", "--name", "Reading List", "--requirements", TEXT, "--out",
                 str(tmp_path / "out"), "--stack", "fake", "--provider", "openai", "--base-url",
                 server.url + "/v1", "--no-fallback", "--retries", "0"])  # fmt: skip

    out, _ = capsys.readouterr()
    assert code == 1
    assert "OpenAI model gpt-5-mini: rate limited or out of quota (HTTP 429)" in out
    assert not (tmp_path / "out").exists()


def test_check_model_reports_a_usable_model(
    server: ProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply_file("openai/models.json")
    server.reply_file("openai/chat_stream_json_schema.sse")

    code = main(["check-model", "--base-url", server.url + "/v1", "--time-limit", "10"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Models: qwen2.5-0.5b-instruct, smollm2-135m-instruct" in out
    assert "qwen2.5-0.5b-instruct can drive Takoss: a valid AppSpec in" in out


def test_check_model_exits_1_for_a_model_that_cannot(
    server: ProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply_file("openai/models.json")
    for _ in range(3):
        server.reply_file("openai/chat_stream_invalid_json.sse")

    code = main(["check-model", "--base-url", server.url + "/v1", "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["usable"] is False
    assert "still invalid after 2 repair turn(s)" in report["verdict"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from version_specs import build, v1

    folder = tmp_path / "app"
    assert build(folder, v1()).success
    return folder


def test_change_with_a_failing_provider_falls_back_to_the_offline_reader(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    server.reply_file("openai/error_429.json", status=429, headers={"retry-after": "0"})

    code = main(["change", str(project), "add a breed to dogs", "--no-verify", "--provider",
                 "openai", "--base-url", server.url + "/v1", "--retries", "0"])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 0, out
    assert "breed = models.CharField(" in (project / "core/models.py").read_text(encoding="utf-8")
    assert "the offline change reader read the change" in err
    assert len(server.requests) == 1
    assert '"Dog"' in server.requests[0].body["messages"][1]["content"]  # the spec went along


def test_change_without_fallback_exits_1_and_leaves_the_project(
    server: ProviderServer, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    server.reply_file("openai/error_429.json", status=429, headers={"retry-after": "0"})
    before = (project / "takoss.json").read_text(encoding="utf-8")

    code = main(["change", str(project), "add a breed to dogs", "--no-verify", "--provider",
                 "openai", "--base-url", server.url + "/v1", "--retries", "0",
                 "--no-fallback"])  # fmt: skip

    assert code == 1
    assert "--no-fallback" in capsys.readouterr().err
    assert (project / "takoss.json").read_text(encoding="utf-8") == before


def test_ctrl_c_while_the_model_streams_closes_it_and_exits_130(server: ProviderServer) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[2]
    server.reply_file("openai/chat_stream_first_chunks.sse", hold=True)
    env = {**os.environ, "OPENAI_API_KEY": KEY, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.engine.cli", *_analyze(server, "openai")],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the first chunks are in, the stream is held open

    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)

    assert proc.returncode == 130, err
    assert "Cancelled by Ctrl-C" in err and out == ""
    assert server.closed_by_client.wait(2.0)
