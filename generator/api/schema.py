"""OpenAPI additions drf-spectacular cannot infer: the auth schemes, the SSE endpoints, errors.

- :class:`ApiKeyScheme` and :class:`BearerScheme` describe our authentication classes;
- :func:`add_stream_endpoints` (a postprocessing hook) documents the two async stream views,
  which are not DRF views, with ``text/event-stream`` responses, and gives every operation the
  JSON error responses it can answer, all with the one ``Error`` shape.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_STATUSES = {
    "400": "Bad input (malformed JSON, missing field, wrong type)",
    "401": "Missing, expired or revoked credentials",
    "403": "Not allowed",
    "404": "Not found (or not yours)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "413": "Requirements text too long",
    "415": "Unsupported media type",
    "429": "Rate limited or too many runs at once (see Retry-After)",
    "500": "Server error",
}
PUBLIC_OPERATIONS = {"/api/health", "/api/examples", "/api/auth/login", "/api/auth/register"}
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


def _sse_response() -> dict[str, Any]:
    return {
        "description": SSE_DESCRIPTION,
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }


def add_stream_endpoints(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
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
    paths["/api/generate/stream"] = {
        "post": {
            "operationId": "generate_stream",
            "summary": "Generate, streaming progress as Server-Sent Events",
            "tags": ["generate"],
            "security": SECURITY,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/GenerateRequest"}}
                },
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
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                if code == "401" and path in PUBLIC_OPERATIONS:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
            if path.startswith("/api/generate") or path.endswith("/regenerate"):
                responses["429"]["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}
                }
    return result
