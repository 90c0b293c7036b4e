"""Under ``/api/``, turn the HTML error pages Django answers with by itself into JSON errors.

DRF views and the stream views already answer errors in the API's shape; this catches what never
reaches them: an unknown URL (404), a crash outside a view or before DRF's handler (500), a
request Django rejects itself (400, 413). It is the outermost middleware, so it keeps the headers
the others added (CORS, Allow, Retry-After), and it leaves streaming and JSON responses alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from generator.api.errors import error_response

API_PREFIX = "/api/"
_KEPT_OUT = {"content-type", "content-length"}
_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "server_error",
}


@sync_and_async_middleware
def json_errors(
    get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]],
) -> Callable[..., HttpResponseBase | Awaitable[HttpResponseBase]]:
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponseBase:
            response = await get_response(request)  # type: ignore[misc]
            return as_json_error(request, response)

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponseBase:
        return as_json_error(request, get_response(request))  # type: ignore[arg-type]

    return middleware


def as_json_error(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if (
        not request.path.startswith(API_PREFIX)
        or response.status_code < 400
        or response.streaming
        or response.get("Content-Type", "").startswith("application/json")
    ):
        return response
    status = response.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    message = {
        404: f"Not found: no API endpoint at {request.path}.",
        405: f"Method {request.method} is not allowed here.",
        500: "Internal server error.",
    }.get(status, f"{phrase}.")
    replacement = error_response(
        status, message, _CODES.get(status, phrase.lower().replace(" ", "_"))
    )
    for header, value in response.items():
        if header.lower() not in _KEPT_OUT:
            replacement[header] = value
    return replacement
