"""OpenAPI additions drf-spectacular cannot infer: the auth schemes, the SSE endpoints, errors.

- :class:`ApiKeyScheme` and :class:`BearerScheme` describe our authentication classes;
- :func:`add_stream_endpoints` (a postprocessing hook) documents the two async stream views,
  which are not DRF views, with ``text/event-stream`` responses, and gives every operation the
  JSON error responses it can answer, all with the one ``Error`` shape.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from generator.engine.events import EventType

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_STATUSES = {
    "400": (
        "Bad input: malformed JSON, a missing field, a wrong type, or a value refused, such as "
        "requirements that describe nothing to build or a projectName with no letter or digit "
        "(details.fields names the field)"
    ),
    "401": "Missing, expired or revoked credentials",
    "403": "Not allowed",
    "404": "Not found (or not yours)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "413": "Requirements text too long",
    "415": "Unsupported media type",
    "429": "Rate limited, or too many runs or event streams at once (see Retry-After)",
    "500": "Server error",
}
# Statuses only some operations answer: (path, method) -> status -> description.
EXTRA_ERRORS = {
    ("/api/projects/{id}/spec", "put"): {
        "409": "version is not the latest any more (code version_conflict): nothing was saved"
    },
}
# Writes of versions count against the generate rate too: their 429 comes with a Retry-After.
VERSION_WRITES = re.compile(r"^/api/projects/\{id\}/(spec|changes|versions/\{number\}/\w+)$")
# Operations that take no credentials, so never answer 401 (login's wrong password does).
PUBLIC_OPERATIONS = {"/api/health", "/api/examples", "/api/auth/register"}
SSE_DESCRIPTION = (
    "Server-Sent Events. Each frame: an `id:` line (the event's sequence number) and a "
    '`data:` line holding JSON `{"type","phase","message","progress","seq","data"}`; types: '
    "accepted and queued (both id 0, POST /api/generate/stream only: accepted at once, before "
    "anything is saved; queued with generationId and the URLs to reconnect to), phase_start, "
    "phase_progress, phase_complete, file, log, "
    "complete, error, cancelled, result. The last frame is `result`, whose `data` is the "
    "same object POST /api/generate answers. `: keep-alive` comments come between events."
)
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyAuth": []}, {"cookieAuth": []}]


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "generator.api.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(  # type: ignore[no-any-return]
            header_name="AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "generator.api.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}


# One frame of the API's event streams: the JSON on its ``data:`` line.
STREAM_FRAME = {
    "type": "object",
    "properties": {
        "type": {
            "type": "string",
            "enum": ["accepted", "queued", *(str(event_type) for event_type in EventType)],
        },
        "phase": {"type": "string"},
        "message": {"type": "string"},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "seq": {"type": "integer", "minimum": 0},
        "data": {"type": "object", "additionalProperties": {}},
    },
    "required": ["type", "phase", "message", "progress", "seq", "data"],
}


def _sse_response() -> dict[str, Any]:
    # Before OpenAPI 3.2, an event stream's ``schema`` describes one event (its fields as an
    # object); the JSON on the ``data:`` line is described with contentMediaType/contentSchema.
    event = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9]+$"},
            "event": {"type": "string"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": "#/components/schemas/StreamFrame"},
            },
        },
        "required": ["id", "data"],
    }
    return {"description": SSE_DESCRIPTION, "content": {"text/event-stream": {"schema": event}}}


def add_stream_endpoints(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["StreamFrame"] = STREAM_FRAME
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "code": {"type": "string"},
            "details": {"type": "object", "additionalProperties": {}},
        },
        "required": ["error", "code", "details"],
    }
    paths = result.setdefault("paths", {})
    # The stream takes the blocking endpoint's body: reuse its request schema, whatever
    # drf-spectacular named the component.
    generate_body = paths["/api/generate"]["post"]["requestBody"]
    paths["/api/generate/stream"] = {
        "post": {
            "operationId": "generate_stream",
            "summary": "Generate, streaming progress as Server-Sent Events",
            "tags": ["generate"],
            "security": SECURITY,
            "requestBody": {
                "required": True,
                "content": {"application/json": generate_body["content"]["application/json"]},
            },
            "responses": {"200": _sse_response()},
        }
    }
    paths["/api/generations/{id}/events"] = {
        "get": {
            "operationId": "generations_events",
            "summary": "A run's events as Server-Sent Events: replay, then live until the end",
            "tags": ["generations"],
            "security": SECURITY,
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 0},
                    "description": "Replay the events after this id (takes precedence)",
                },
                {
                    "name": "after",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 0},
                    "description": "Replay the events after this id",
                },
            ],
            "responses": {"200": _sse_response()},
        }
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            extra = EXTRA_ERRORS.get((path, method), {})
            for code, description in {**ERROR_STATUSES, **extra}.items():
                if code == "401" and path in PUBLIC_OPERATIONS:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
            limited = path.startswith("/api/generate") or path.endswith(("/regenerate", "/events"))
            if limited or (method != "get" and VERSION_WRITES.match(path)):
                responses["429"]["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}
                }
    return result
