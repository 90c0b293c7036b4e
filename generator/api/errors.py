"""One error shape for the whole API: ``{"error": "…", "code": "…", "details": {…}}``.

:func:`exception_handler` is DRF's exception handler; :func:`error_response_for` renders the same
body for the async stream views (which are not DRF views); generator/api/middleware.py rewrites
the HTML pages Django itself answers with under ``/api/`` (unknown URL, server error). Errors from
the services (``ValidationError``, ``PermissionDenied``, ``ConcurrencyLimitError``,
``RunInProgressError``, ``BudgetExceededError``) map to 400, 403, 429, 409 and 402 here, so views
never translate them one by one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from generator.providers import BudgetExceededError
from generator.services import ConcurrencyLimitError, RunInProgressError

logger = logging.getLogger(__name__)

# How long a client over the concurrent-run cap should wait before trying again (seconds).
RUN_CAP_RETRY_AFTER = 10


class ApiError(exceptions.APIException):
    """An API error with its own code and details (and optionally a Retry-After)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.details = details or {}
        self.wait = retry_after


def error_body(message: str, code: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": message, "code": code, "details": details or {}}


def as_api_exception(exc: BaseException) -> exceptions.APIException | None:
    """The DRF exception for ``exc``, or None when it is not an expected error (a 500)."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound("Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {_camel(field): messages for field, messages in exc.message_dict.items()}
            )
        return exceptions.ValidationError({"nonFieldErrors": exc.messages})
    if isinstance(exc, RunInProgressError):
        return ApiError(
            str(exc),
            code="run_in_progress",
            status_code=status.HTTP_409_CONFLICT,
            details={"generationId": exc.generation.pk, "number": exc.generation.number},
        )
    if isinstance(exc, ConcurrencyLimitError):
        return ApiError(
            str(exc),
            code="too_many_runs",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            details={"limit": exc.limit, "retryAfter": RUN_CAP_RETRY_AFTER},
            retry_after=RUN_CAP_RETRY_AFTER,
        )
    if isinstance(exc, BudgetExceededError):
        return ApiError(
            str(exc),
            code="budget_exceeded",
            status_code=status.HTTP_402_PAYMENT_REQUIRED,
            details={
                "spentUsd": f"{exc.spent:.2f}",
                "budgetUsd": f"{exc.budget:.2f}",
                "resetsAt": exc.resets_at.isoformat(),
            },
        )
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            "The request body is too large.",
            code="payload_too_large",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return None


def render(exc: exceptions.APIException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and headers for an API exception."""
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(max(1, int(wait)))
    return exc.status_code, _body(exc), headers


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    api_exc = as_api_exception(exc)
    if api_exc is None:
        logger.exception("Unexpected error in %s", context.get("view"), exc_info=exc)
        return Response(
            error_body("Internal server error.", "server_error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    status_code, body, headers = render(api_exc)
    return Response(body, status=status_code, headers=headers)


def error_response_for(exc: BaseException) -> JsonResponse:
    """The JSON response for ``exc`` outside DRF (the async stream views)."""
    api_exc = as_api_exception(exc)
    if api_exc is None:
        logger.exception("Unexpected error in a stream view", exc_info=exc)
        return error_response(500, "Internal server error.", "server_error")
    status_code, body, headers = render(api_exc)
    return JsonResponse(body, status=status_code, headers=headers)


def error_response(
    status_code: int, message: str, code: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(message, code, details), status=status_code)


def _body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, ApiError):
        return error_body(str(exc.detail), exc.error_code, exc.details)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_body(exc)
    if isinstance(exc, exceptions.ParseError):
        return error_body(
            f"Malformed request body: {exc.detail}. Send a JSON object.", "malformed_json"
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_body(
            f"{exc.detail} Send a JSON object with 'Content-Type: application/json'.",
            "unsupported_media_type",
        )
    if isinstance(exc, exceptions.NotAuthenticated):
        return error_body(
            "Authentication required: send 'Authorization: Bearer <token>', "
            "'X-API-Key: tk_…' or a session cookie.",
            "not_authenticated",
        )
    if isinstance(exc, exceptions.Throttled):
        raw_wait = getattr(exc, "wait", None)
        wait = int(raw_wait) if raw_wait is not None else None
        return error_body(
            f"Too many requests; try again in {wait} seconds."
            if wait is not None
            else "Too many requests; try again later.",
            "rate_limited",
            {"retryAfter": wait},
        )
    detail = exc.detail
    if isinstance(detail, dict):  # e.g. simplejwt's {"detail", "code", "messages"}
        message = str(detail.get("detail", exc.default_detail))
        code = str(detail.get("code", exc.default_code))
        return error_body(message, code, {k: v for k, v in detail.items() if k != "detail"})
    code = getattr(detail, "code", None) or exc.default_code
    return error_body(str(detail), _public_code(str(code)))


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    if not isinstance(detail, dict):
        detail = {"nonFieldErrors": detail}
    fields = {field: [str(m) for m in _flatten(messages)] for field, messages in detail.items()}
    codes = exc.get_codes()
    first_field = next(iter(fields), "")
    first_message = fields[first_field][0] if first_field and fields[first_field] else "Invalid."
    code = "invalid_input"
    if isinstance(codes, dict) and first_field in codes:
        first_code = next(iter(_flatten(codes[first_field])), "")
        code = {"required": "missing_field"}.get(str(first_code), "invalid_input")
        if str(first_code) in {"invalid_type", "null", "not_a_list", "not_a_dict"}:
            code = "wrong_type"
    where = "" if first_field == "nonFieldErrors" else f"{first_field}: "
    return error_body(f"Invalid input: {where}{first_message}", code, {"fields": fields})


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [item for inner in value.values() for item in _flatten(inner)]
    if isinstance(value, list):
        return [item for inner in value for item in _flatten(inner)]
    return [value]


def _public_code(code: str) -> str:
    return {"not_found": "not_found", "permission_denied": "forbidden"}.get(code, code)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
