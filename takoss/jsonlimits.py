"""Refuse JSON bodies nested too deeply, before anything parses them.

Python's ``json`` parser recurses once per level: a body of 10,000 ``[`` (20 KB) ends in a
RecursionError, a 500, in whichever view parses it (DRF's JSONParser, the stream view, the next
one). This middleware answers such a request with a 400 naming the limit, for every JSON body
on the site, with a linear scan of the raw bytes that never recurses: brackets are counted
outside strings only (a ``"[[["`` value is text, not nesting). Bodies that are not JSON, too big
(the views answer 413), or not deep are passed on untouched.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from generator.api.errors import error_response

MAX_JSON_DEPTH = 64

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")
_SIGNIFICANT = re.compile(rb'[\[\]{}"\\]')


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``body`` opens more than ``limit`` arrays/objects inside one another.

    Works on UTF-8 bytes (no byte of a multi-byte character is ASCII) and on invalid JSON too:
    whatever is not too deep is left to the parser to judge.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot be deeper than the number of openings
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _SIGNIFICANT.finditer(body):
        at = match.start()
        if at == escaped_at:
            continue  # the character after a backslash in a string
        char = body[at]
        if in_string:
            if char == _BACKSLASH:
                escaped_at = at + 1
            elif char == _QUOTE:
                in_string = False
        elif char == _QUOTE:
            in_string = True
        elif char in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif char in _CLOSE:
            depth -= 1
    return False


def _is_json(request: HttpRequest) -> bool:
    media_type = (request.content_type or "").lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def too_deep(request: HttpRequest) -> HttpResponseBase | None:
    """The 400 for ``request`` if its JSON body is nested beyond the limit, else None."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or not _is_json(request):
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None  # the view reads the body again and answers 413
    if not json_depth_exceeds(body):
        return None
    return error_response(
        400,
        f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; "
        f"send at most {MAX_JSON_DEPTH} levels of arrays and objects.",
        "json_too_deep",
        {"maxDepth": MAX_JSON_DEPTH},
    )


@sync_and_async_middleware
def json_depth_limit(
    get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]],
) -> Callable[..., HttpResponseBase | Awaitable[HttpResponseBase]]:
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponseBase:
            return too_deep(request) or await get_response(request)  # type: ignore[misc]

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponseBase:
        return too_deep(request) or get_response(request)  # type: ignore[return-value]

    return middleware
