"""One streamed turn with a model, through each provider's official SDK.

Each adapter sends the conversation with the provider's own structured-output mechanism
(Anthropic: a forced tool whose input schema is the answer's; OpenAI and compatible servers:
``response_format`` ``json_schema``; Gemini: ``response_json_schema``), streams the answer,
calls ``on_text`` with every piece of it and returns the whole text with the provider's usage.
The client lives only for the turn (``async with``): cancelling the awaiting task closes it,
which closes the HTTP connection mid-stream. Errors are the SDKs' own; reading.py words them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.engine.providers.config import (
    ANTHROPIC,
    GEMINI,
    OPENAI,
    OPENAI_COMPATIBLE,
    ProviderConfig,
)

TOOL_NAME = "submit_answer"
# The SDKs insist on a key; a local server ignores whatever is sent.
NO_KEY = "not-needed"

OnText = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "user" or "assistant"
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    system: str
    messages: list[Message]
    schema: dict[str, Any]
    max_output_tokens: int


@dataclass(frozen=True, slots=True)
class TurnOutput:
    text: str
    input_tokens: int | None  # None: the provider did not say
    output_tokens: int | None
    stop_reason: str = ""


async def stream_turn(config: ProviderConfig, turn: Turn, on_text: OnText) -> TurnOutput:
    if config.provider == ANTHROPIC:
        return await _anthropic(config, turn, on_text)
    if config.provider in (OPENAI, OPENAI_COMPATIBLE):
        return await _openai(config, turn, on_text)
    if config.provider == GEMINI:
        return await _gemini(config, turn, on_text)
    raise ValueError(f"no model client for provider {config.provider!r}")


async def list_models(config: ProviderConfig) -> list[str]:
    """The model ids an OpenAI-compatible server (or OpenAI) offers, as it lists them."""
    import openai

    async with openai.AsyncOpenAI(
        api_key=config.api_key or NO_KEY,
        base_url=config.base_url,
        max_retries=config.max_retries,
        timeout=config.timeout,
    ) as client:
        page = await client.models.list()
        return [model.id for model in page.data]


# --- Anthropic ---------------------------------------------------------------------------------


async def _anthropic(config: ProviderConfig, turn: Turn, on_text: OnText) -> TurnOutput:
    import anthropic

    parts: list[str] = []
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop = ""
    async with anthropic.AsyncAnthropic(
        api_key=config.api_key,
        base_url=config.base_url,
        max_retries=config.max_retries,
        timeout=config.timeout,
    ) as client:
        params: dict[str, Any] = {
            "model": config.model,
            "max_tokens": turn.max_output_tokens,
            "system": turn.system,
            "messages": [{"role": m.role, "content": m.text} for m in turn.messages],
            "tools": [
                {
                    "name": TOOL_NAME,
                    "description": "Submit the answer: the app's specification and questions.",
                    "input_schema": turn.schema,
                }
            ],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "stream": True,
        }
        stream: Any = await client.messages.create(**params)
        async with stream:
            async for event in stream:
                if event.type == "message_start":
                    input_tokens = event.message.usage.input_tokens
                    output_tokens = event.message.usage.output_tokens
                elif event.type == "content_block_delta":
                    delta = event.delta
                    if delta.type == "input_json_delta":
                        parts.append(delta.partial_json)
                        on_text(delta.partial_json)
                elif event.type == "message_delta":
                    output_tokens = event.usage.output_tokens
                    if event.usage.input_tokens is not None:
                        input_tokens = event.usage.input_tokens
                    stop = event.delta.stop_reason or stop
    return TurnOutput("".join(parts), input_tokens, output_tokens, stop)


# --- OpenAI and OpenAI-compatible servers --------------------------------------------------------


async def _openai(config: ProviderConfig, turn: Turn, on_text: OnText) -> TurnOutput:
    import openai

    parts: list[str] = []
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop = ""
    limit: dict[str, int] = (
        {"max_completion_tokens": turn.max_output_tokens}
        if config.provider == OPENAI
        else {"max_tokens": turn.max_output_tokens}  # what llama.cpp, Ollama and vLLM all read
    )
    messages = [{"role": "system", "content": turn.system}]
    messages += [{"role": m.role, "content": m.text} for m in turn.messages]
    async with openai.AsyncOpenAI(
        api_key=config.api_key or NO_KEY,
        base_url=config.base_url,
        max_retries=config.max_retries,
        timeout=config.timeout,
    ) as client:
        params: dict[str, Any] = {
            "model": config.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": turn.schema, "strict": False},
            },
            "stream": True,
            "stream_options": {"include_usage": True},
            **limit,
        }
        stream: Any = await client.chat.completions.create(**params)
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:
                    input_tokens = chunk.usage.prompt_tokens
                    output_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        on_text(choice.delta.content)
                    if choice.finish_reason:
                        stop = choice.finish_reason
    return TurnOutput("".join(parts), input_tokens, output_tokens, stop)


# --- Google Gemini -------------------------------------------------------------------------------


async def _gemini(config: ProviderConfig, turn: Turn, on_text: OnText) -> TurnOutput:
    from google import genai
    from google.genai import types

    retry = types.HttpRetryOptions(attempts=config.max_retries + 1, initial_delay=1.0)
    client = genai.Client(
        api_key=config.api_key,
        http_options=types.HttpOptions(
            base_url=config.base_url,
            timeout=int(config.timeout * 1000),  # milliseconds
            retry_options=retry,
        ),
    )
    parts: list[str] = []
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop = ""
    try:
        stream = await client.aio.models.generate_content_stream(
            model=config.model,
            contents=[
                types.Content(
                    role="model" if m.role == "assistant" else "user",
                    parts=[types.Part(text=m.text)],
                )
                for m in turn.messages
            ],
            config=types.GenerateContentConfig(
                system_instruction=turn.system,
                response_mime_type="application/json",
                response_json_schema=turn.schema,
                max_output_tokens=turn.max_output_tokens,
                automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            ),
        )
        async for chunk in stream:
            usage = chunk.usage_metadata
            if usage is not None:
                input_tokens = usage.prompt_token_count or input_tokens
                thoughts = usage.thoughts_token_count or 0
                if usage.candidates_token_count is not None or thoughts:
                    output_tokens = (usage.candidates_token_count or 0) + thoughts
            for candidate in chunk.candidates or []:
                if candidate.finish_reason:
                    stop = str(candidate.finish_reason.value)
                content = candidate.content
                for part in (content.parts if content else None) or []:
                    if part.text and not part.thought:
                        parts.append(part.text)
                        on_text(part.text)
    finally:
        await client.aio.aclose()
    return TurnOutput("".join(parts), input_tokens, output_tokens, stop)
