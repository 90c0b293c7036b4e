"""Model providers through their real SDKs against a local server replaying recorded responses.

Each provider's wire format (Anthropic messages with a forced tool and SSE events, OpenAI chat
completions with json_schema and streamed chunks, Gemini streamGenerateContent) comes from
data/providers/; the clients are the installed SDKs, pointed at provider_server's address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from provider_server import ProviderServer, Seen

from generator.engine.events import Cancelled, CancelToken
from generator.engine.providers import (
    ContextTooLong,
    ModelCancelled,
    ModelProgress,
    ProviderConfig,
    ProviderConfigError,
    ProviderError,
    ProviderFailed,
    check_model,
    config_from_env,
    read_change_request,
    read_requirements,
)
from generator.engine.spec import AppSpec

TEXT = "A reading list: members keep books with a title, an author and a rating from 1 to 5."
KEY = "sk-test-Zq8u2RkV93xx-never-shown"


@dataclass(frozen=True)
class Wire:
    provider: str
    root: str  # appended to the server's URL for the base URL
    ok: str
    bad_json: str
    held: str
    rate_limited: str
    input_tokens: int  # as the fixture's usage says
    output_tokens: int

    def config(self, server: ProviderServer, **options: Any) -> ProviderConfig:
        options.setdefault("max_retries", 0)
        options.setdefault("timeout", 5.0)
        model = "qwen2.5-0.5b-instruct" if self.provider == "openai-compatible" else ""
        return ProviderConfig(
            self.provider, model=model, api_key=KEY, base_url=server.url + self.root, **options
        ).checked()


ANTHROPIC = Wire(
    "anthropic",
    "",
    "anthropic/stream_tool_use.sse",
    "anthropic/stream_invalid_json.sse",
    "anthropic/stream_first_events.sse",
    "anthropic/error_429.json",
    2412,
    187,
)
OPENAI = Wire(
    "openai",
    "/v1",
    "openai/chat_stream_json_schema.sse",
    "openai/chat_stream_invalid_json.sse",
    "openai/chat_stream_first_chunks.sse",
    "openai/error_429.json",
    2398,
    176,
)
COMPATIBLE = Wire("openai-compatible", *list(OPENAI.__dict__.values())[1:])
GEMINI = Wire(
    "gemini",
    "",
    "gemini/stream_generate_content.sse",
    "gemini/stream_invalid_json.sse",
    "gemini/stream_first_chunk.sse",
    "gemini/error_429.json",
    2377,
    171,
)
WIRES = [ANTHROPIC, OPENAI, COMPATIBLE, GEMINI]


@pytest.fixture(scope="module", autouse=True)
def _sdks_imported() -> None:
    """Importing an SDK takes seconds on a busy machine: not inside the timed tests."""
    import anthropic  # noqa: F401
    import openai  # noqa: F401
    from google import genai  # noqa: F401


@pytest.fixture
def server() -> Iterator[ProviderServer]:
    running = ProviderServer().start()
    yield running
    running.stop()


def offline(text: str, *, name: str | None = None, description: str = "", cancel: Any = None):
    """Stands in for the offline analyzer: what it returns is recognisable."""
    return AppSpec.from_data({"name": name or "Offline Reading", "entities": [{"name": "Shelf"}]})


def _messages(seen: Seen) -> str:
    """Every text the request carried, for asserting what a repair turn said."""
    return str(seen.body)


# --- success and structured output ----------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_the_model_fills_the_appspec_through_structured_output(
    server: ProviderServer, wire: Wire
) -> None:
    server.reply_file(wire.ok)

    reading = read_requirements(wire.config(server), TEXT, offline=offline)

    # The answer streamed in pieces became a validated spec, with the model's question shown.
    assert [e.name for e in reading.spec.entities] == ["Book"]
    assert reading.spec.entity("Book").field("rating").max_value == 5  # type: ignore[union-attr]
    assert reading.questions == ["Should members see each other's books?"]
    assert "Question: Should members see each other's books?" in reading.spec.notes
    # The same boundary as a pasted spec: the sanitiser added what a link to User implies.
    assert reading.spec.slug == "reading-list"
    usage = reading.usage
    assert (usage.input_tokens, usage.output_tokens) == (wire.input_tokens, wire.output_tokens)
    assert (usage.requests, usage.repair_turns, usage.fell_back) == (1, 0, False)
    # The schema Takoss exports went out through the provider's own structured-output field.
    (request,) = server.requests
    body = request.body
    if wire.provider == "anthropic":
        assert request.path == "/v1/messages"
        assert body["tool_choice"] == {"type": "tool", "name": body["tools"][0]["name"]}
        assert "AppSpec" in body["tools"][0]["input_schema"]["$defs"]
        assert body["stream"] is True
    elif wire.provider == "gemini":
        assert "/models/gemini-2.5-flash:streamGenerateContent" in request.path
        config = body["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert "AppSpec" in config["responseJsonSchema"]["$defs"]
    else:
        assert request.path == "/v1/chat/completions"
        assert body["response_format"]["type"] == "json_schema"
        assert "AppSpec" in body["response_format"]["json_schema"]["schema"]["$defs"]
        assert body["stream_options"] == {"include_usage": True}


def test_cost_comes_from_the_price_table(server: ProviderServer) -> None:
    server.reply_file(ANTHROPIC.ok)

    usage = read_requirements(ANTHROPIC.config(server), TEXT, offline=offline).usage

    # claude-sonnet-4-6 at $3 in and $15 out per million tokens.
    assert str(usage.cost) == "0.010041"  # (2412 * 3 + 187 * 15) / 1e6
    assert usage.to_dict()["cost"] == "0.010041"


def test_a_model_without_a_price_has_an_unknown_cost(server: ProviderServer) -> None:
    server.reply_file(OPENAI.ok)
    config = ProviderConfig("openai", model="gpt-9-experimental", api_key=KEY,
                            base_url=server.url + "/v1", max_retries=0)  # fmt: skip

    usage = read_requirements(config, TEXT, offline=offline).usage

    assert usage.cost is None
    assert any("No price is known for openai model gpt-9-experimental" in w for w in usage.warnings)


def test_a_chatty_local_model_still_counts_when_the_json_is_in_its_prose(
    server: ProviderServer,
) -> None:
    server.reply_file("openai/chat_stream_chatty.sse")

    reading = read_requirements(COMPATIBLE.config(server), TEXT, offline=offline)

    assert [e.name for e in reading.spec.entities] == ["Book"]
    assert reading.usage.repair_turns == 0
    assert reading.usage.cost == 0  # a local server costs nothing


# --- repair and fallback -----------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_invalid_json_gets_a_repair_turn_carrying_the_error(
    server: ProviderServer, wire: Wire
) -> None:
    server.reply_file(wire.bad_json)
    server.reply_file(wire.ok)

    reading = read_requirements(wire.config(server), TEXT, offline=offline)

    assert [e.name for e in reading.spec.entities] == ["Book"]
    assert (reading.usage.requests, reading.usage.repair_turns) == (2, 1)
    first, repair = server.requests
    assert "not valid JSON" not in _messages(first)
    assert "Your answer could not be used" in _messages(repair)
    assert "not valid JSON" in _messages(repair)
    assert "cut off at the output limit" in _messages(repair)
    # Both turns are counted: the repair was paid for too.
    assert reading.usage.output_tokens > wire.output_tokens


def test_a_spec_the_validator_refuses_goes_back_with_the_validation_errors(
    server: ProviderServer,
) -> None:
    server.reply_file("anthropic/stream_invalid_spec.sse")
    server.reply_file(ANTHROPIC.ok)

    reading = read_requirements(ANTHROPIC.config(server), TEXT, offline=offline)

    assert reading.usage.repair_turns == 1
    repair = _messages(server.requests[1])
    assert "target 'Shelf' is not an entity of this app" in repair


@pytest.mark.parametrize("wire", [ANTHROPIC, GEMINI], ids=lambda w: w.provider)
def test_still_invalid_after_two_repairs_falls_back_with_a_warning(
    server: ProviderServer, wire: Wire
) -> None:
    for _ in range(3):
        server.reply_file(wire.bad_json)

    reading = read_requirements(wire.config(server), TEXT, offline=offline)

    assert len(server.requests) == 3  # the first answer and two repairs, no more
    assert [e.name for e in reading.spec.entities] == ["Shelf"]  # the offline reading
    usage = reading.usage
    assert usage.fell_back and usage.repair_turns == 2
    warning = reading.spec.warnings[0]
    assert warning.startswith(f"{_label(wire)} model {usage.model} was not used")
    assert "still invalid after 2 repair turn(s): the answer is not valid JSON" in warning
    assert warning in usage.warnings


def test_without_fallback_the_invalid_answer_is_an_error_with_its_usage(
    server: ProviderServer,
) -> None:
    for _ in range(3):
        server.reply_file(OPENAI.bad_json)

    with pytest.raises(ProviderError) as caught:
        read_requirements(OPENAI.config(server), TEXT, offline=offline, fallback=False)

    assert "still invalid after 2 repair turn(s)" in str(caught.value)
    assert caught.value.usage is not None and caught.value.usage.requests == 3


def _label(wire: Wire) -> str:
    from generator.engine.providers.config import PROVIDER_LABELS

    return PROVIDER_LABELS[wire.provider]


# --- rate limits, timeouts, context --------------------------------------------------------------


@pytest.mark.parametrize("wire", [ANTHROPIC, OPENAI], ids=lambda w: w.provider)
def test_a_429_is_retried_within_the_bound(server: ProviderServer, wire: Wire) -> None:
    server.reply_file(wire.rate_limited, status=429, headers={"retry-after": "0"})
    server.reply_file(wire.ok)

    reading = read_requirements(wire.config(server, max_retries=1), TEXT, offline=offline)

    assert len(server.requests) == 2
    assert not reading.usage.fell_back and reading.usage.requests == 1


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_a_429_beyond_the_retries_falls_back_naming_the_provider(
    server: ProviderServer, wire: Wire
) -> None:
    server.reply_file(wire.rate_limited, status=429, headers={"retry-after": "0"})

    reading = read_requirements(wire.config(server), TEXT, offline=offline)

    assert len(server.requests) == 1
    assert reading.usage.fell_back
    assert reading.usage.error == "rate limited or out of quota (HTTP 429)"
    assert f"{_label(wire)} model" in reading.spec.warnings[0]
    assert "HTTP 429" in reading.spec.warnings[0]


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_a_server_that_never_answers_times_out(server: ProviderServer, wire: Wire) -> None:
    server.reply(stall=True)
    started = time.monotonic()

    with pytest.raises(ProviderFailed) as caught:
        read_requirements(wire.config(server, timeout=0.5), TEXT, offline=offline, fallback=False)

    assert time.monotonic() - started < 4
    assert "timed out" in caught.value.reason


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_a_prompt_over_the_context_window_is_refused_before_sending(
    server: ProviderServer, wire: Wire
) -> None:
    config = wire.config(server, context_window=3000)

    with pytest.raises(ContextTooLong) as caught:
        read_requirements(config, TEXT, offline=offline, fallback=False)

    assert server.requests == []  # nothing was sent
    assert caught.value.window == 3000 and caught.value.needed > 3000
    assert "nothing was sent" in str(caught.value)


def test_an_overflowing_prompt_falls_back_with_the_reason(server: ProviderServer) -> None:
    reading = read_requirements(
        ANTHROPIC.config(server, context_window=3000), TEXT, offline=offline
    )

    assert server.requests == []
    assert reading.usage.fell_back and reading.usage.requests == 0
    assert "context window is 3,000" in reading.spec.warnings[0]


def test_an_unreachable_provider_falls_back(server: ProviderServer) -> None:
    config = ProviderConfig("openai", api_key=KEY, base_url="http://127.0.0.1:9/v1",
                            max_retries=0, timeout=2).checked()  # fmt: skip

    reading = read_requirements(config, TEXT, offline=offline)

    assert reading.usage.fell_back
    assert "could not connect to http://127.0.0.1:9/v1" in reading.spec.warnings[0]


# --- streaming and cancel ----------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_progress_reports_tokens_so_far_as_the_answer_streams(
    server: ProviderServer, wire: Wire
) -> None:
    server.reply_file(wire.ok)
    ticks: list[ModelProgress] = []

    read_requirements(wire.config(server), TEXT, offline=offline, progress=ticks.append)

    assert len(ticks) >= 4
    counts = [t.output_tokens for t in ticks]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert {(t.provider, t.turn) for t in ticks} == {(wire.provider, 1)}


@pytest.mark.parametrize("wire", WIRES, ids=lambda w: w.provider)
def test_cancel_mid_stream_closes_the_connection(server: ProviderServer, wire: Wire) -> None:
    # Given a server that sends the first pieces and then keeps the stream open
    server.reply_file(wire.held, hold=True)
    cancel = CancelToken()
    first = threading.Event()
    cancelled_at: list[float] = []

    def cancel_after_the_first_tokens() -> None:
        if first.wait(60):  # the first import of an SDK can take seconds on a busy machine
            cancelled_at.append(time.monotonic())
            cancel.cancel("Stop")

    threading.Thread(target=cancel_after_the_first_tokens, daemon=True).start()
    # When the run is cancelled once the first tokens arrived
    with pytest.raises(ModelCancelled, match="Stop") as caught:
        read_requirements(
            wire.config(server, timeout=30), TEXT, offline=offline, cancel=cancel,
            progress=lambda _: first.set(),
        )  # fmt: skip
    # Then the call ends within a second and the server sees its connection closed
    ended = time.monotonic()
    assert ended - cancelled_at[0] < 1.0
    assert server.closed_by_client.wait(1.0)
    assert server.closed_at - cancelled_at[0] < 1.0
    # And what was spent until then is on the error, for the run's record and the budget
    usage = caught.value.usage
    assert usage.requests == 1 and usage.input_tokens > 0 and 0 < usage.output_tokens < 100
    assert usage.error == "cancelled"


def test_cancelled_before_sending_sends_nothing(server: ProviderServer) -> None:
    cancel = CancelToken()
    cancel.cancel("Stop")

    with pytest.raises(Cancelled):
        read_requirements(ANTHROPIC.config(server), TEXT, offline=offline, cancel=cancel)

    assert server.requests == []


# --- configuration and keys --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "variable"),
    [
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("openai", "OPENAI_API_KEY"),
        ("gemini", "GEMINI_API_KEY"),
    ],
)
def test_a_missing_key_names_the_variable(provider: str, variable: str) -> None:
    config = config_from_env(provider, environ={})

    with pytest.raises(ProviderConfigError, match=variable):
        read_requirements(config, TEXT, offline=offline)


def test_keys_and_addresses_come_from_the_environment() -> None:
    env = {"GEMINI_API_KEY": KEY, "TAKOSS_OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:8080/v1"}

    gemini = config_from_env("gemini", environ=env).checked()
    local = config_from_env("openai-compatible", model="m", environ=env).checked()

    assert gemini.api_key == KEY and gemini.model == "gemini-2.5-flash"
    assert local.base_url == "http://127.0.0.1:8080/v1" and local.api_key is None
    assert KEY not in repr(gemini)


def test_the_compatible_provider_needs_an_address() -> None:
    with pytest.raises(ProviderConfigError, match="TAKOSS_OPENAI_COMPATIBLE_BASE_URL"):
        config_from_env("openai-compatible", model="m", environ={}).checked()


@pytest.mark.parametrize("wire", [ANTHROPIC, OPENAI, GEMINI], ids=lambda w: w.provider)
def test_the_key_never_appears_in_errors_even_when_the_server_echoes_it(
    server: ProviderServer, wire: Wire
) -> None:
    echo = f'{{"error": {{"message": "bad request for key {KEY}", "code": 400}}}}'
    server.reply(echo, status=400, content_type="application/json")

    with pytest.raises(ProviderFailed) as caught:
        read_requirements(wire.config(server), TEXT, offline=offline, fallback=False)

    assert "HTTP 400" in str(caught.value)
    assert KEY not in str(caught.value) and "[key]" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- change requests ---------------------------------------------------------------------------


def _reading_list() -> AppSpec:
    return AppSpec.from_data({"name": "Reading List", "entities": [
        {"name": "Book", "fields": [{"name": "title"}, {"name": "author"}]}]})  # fmt: skip


def test_a_change_request_gives_the_next_spec_with_renames_and_notes(
    server: ProviderServer,
) -> None:
    server.reply_file("openai/chat_stream_change.sse")

    change = read_change_request(OPENAI.config(server), _reading_list(), "rename author to writer")

    book = change.spec.entity("Book")
    assert book is not None and [f.name for f in book.fields] == ["title", "writer", "isbn"]
    assert change.renames.fields == {"Book": {"author": "writer"}}
    assert "Renamed author to writer on Book." in change.notes
    assert change.spec.name == "Reading List"
    body = server.requests[0].body
    assert '"author"' in body["messages"][1]["content"]  # the current spec went along


def test_a_failing_change_request_falls_back_to_the_offline_reader(
    server: ProviderServer,
) -> None:
    server.reply_file(OPENAI.rate_limited, status=429, headers={"retry-after": "0"})

    change = read_change_request(OPENAI.config(server), _reading_list(), "add a price to books")

    book = change.spec.entity("Book")
    assert book is not None and book.field("price") is not None
    assert change.usage.fell_back
    assert "the offline change reader read the change" in change.notes[0]


# --- the local model check -----------------------------------------------------------------------


def test_check_model_lists_the_models_and_times_a_tiny_appspec(server: ProviderServer) -> None:
    server.reply_file("openai/models.json")
    server.reply_file(OPENAI.ok)

    report = check_model(server.url + "/v1", time_limit=10)

    assert report.models == ["qwen2.5-0.5b-instruct", "smollm2-135m-instruct"]
    assert report.model == "qwen2.5-0.5b-instruct"  # the first, when none is named
    assert report.usable and report.entities == ["Book"]
    assert report.tokens_per_second is not None and report.tokens_per_second > 0
    assert report.verdict.startswith("qwen2.5-0.5b-instruct can drive Takoss")
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions"]


def test_check_model_reports_a_model_too_slow_for_the_time_limit(server: ProviderServer) -> None:
    server.reply_file("openai/models.json")
    server.reply(stall=True)
    started = time.monotonic()

    report = check_model(server.url + "/v1", model="smollm2-135m-instruct", time_limit=0.5)

    assert time.monotonic() - started < 3
    assert not report.usable
    assert "cannot drive Takoss" in report.verdict
    assert "timed out" in report.verdict or "time limit" in report.verdict


def test_check_model_on_an_unreachable_server_says_so() -> None:
    report = check_model("http://127.0.0.1:9/v1", time_limit=2)

    assert not report.usable and report.models == []
    assert "cannot list the server's models" in report.problems[0]


# --- in the pipeline ----------------------------------------------------------------------------


def test_the_model_analyzer_drives_the_pipeline_and_hands_back_its_usage(
    server: ProviderServer, tmp_path: Any, fake_stack: Any
) -> None:
    from generator.engine.events import EventType, ListSink
    from generator.engine.pipeline import GenerationRequest, generate
    from generator.engine.providers import ModelReading, model_analyzer

    server.reply_file(GEMINI.ok)
    readings: list[ModelReading] = []
    sink = ListSink()
    request = GenerationRequest(out_dir=tmp_path / "out", name="Reading List",
                                requirements=TEXT, verify=False)  # fmt: skip

    result = generate(
        request,
        sink=sink,
        stack=fake_stack,
        analyzer=model_analyzer(GEMINI.config(server), on_reading=readings.append),
    )

    assert result.success and result.spec is not None
    assert [e.name for e in result.spec.entities] == ["Book"]
    assert readings[0].usage.input_tokens == GEMINI.input_tokens
    logged = [e.message for e in sink.of_type(EventType.LOG)]
    assert "Question: Should members see each other's books?" in logged


def test_text_the_rules_refuse_after_a_failed_model_says_both(server: ProviderServer) -> None:
    from generator.engine.analysis import AnalysisError

    def refusing(text: str, **_: Any) -> AppSpec:
        raise AnalysisError("No app could be read from this text.")

    server.reply_file(OPENAI.rate_limited, status=429)

    with pytest.raises(AnalysisError) as caught:
        read_requirements(OPENAI.config(server), "hello there", offline=refusing)

    assert "OpenAI model gpt-5-mini was not used (rate limited" in str(caught.value)
    assert "No app could be read from this text." in str(caught.value)


# --- estimates, prices from settings, async callers ---------------------------------------------


def test_an_estimate_says_whether_a_text_fits_and_the_most_it_could_cost() -> None:
    from generator.engine.providers import estimate_request

    config = ProviderConfig("anthropic", api_key=KEY)

    small = estimate_request(config, TEXT)
    local = estimate_request(
        ProviderConfig("openai-compatible", model="m", base_url="http://127.0.0.1:1/v1"),
        TEXT * 200,
    )

    assert small.fits and 2000 < small.prompt_tokens < 6000
    assert small.max_cost is not None and small.max_cost > 0
    assert not local.fits and local.context_window == 8192


def test_prices_and_windows_come_from_settings_over_the_defaults(server: ProviderServer) -> None:
    from generator.engine.providers import DEFAULT_CATALOG

    catalog = DEFAULT_CATALOG.with_models(
        {
            "anthropic:claude-sonnet-4-6": {
                "context_window": 100_000,
                "max_output_tokens": 8000,
                "input_price": "1",
                "output_price": "2",
            }
        }
    )
    server.reply_file(ANTHROPIC.ok)

    reading = read_requirements(ANTHROPIC.config(server), TEXT, offline=offline, catalog=catalog)

    assert str(reading.usage.cost) == "0.002786"  # 2412 * 1 + 187 * 2, per million
    assert server.requests[0].body["max_tokens"] == 8000


def test_an_async_caller_can_read_too(server: ProviderServer) -> None:
    import asyncio

    server.reply_file(OPENAI.ok)

    async def view() -> AppSpec:  # what an async Django view would do
        return read_requirements(OPENAI.config(server), TEXT, offline=offline).spec

    spec = asyncio.run(view())

    assert [e.name for e in spec.entities] == ["Book"]


def test_the_model_analyzer_hands_back_what_a_failed_call_spent(server: ProviderServer) -> None:
    from generator.engine.providers import ModelUsage, model_analyzer

    for _ in range(3):
        server.reply_file(ANTHROPIC.bad_json)
    spent: list[ModelUsage] = []
    analyze = model_analyzer(ANTHROPIC.config(server), on_usage=spent.append, fallback=False)

    with pytest.raises(ProviderError):
        analyze(TEXT)

    (usage,) = spent
    assert usage.requests == 3 and usage.output_tokens == 3 * 96
    assert usage.cost is not None and usage.cost > 0
