"""``/projects/<id>/preview/<path>``: a reverse proxy to the project's running preview.

Only the project's owner and staff get through (the session, or the API's Bearer token or
X-API-Key); anyone else, signed in or not, gets a 404, as for the project page. The request
goes to the preview's unix socket over HTTP/1.1 (httpx) with its path unchanged (the app serves
its URLs under the same prefix), the browser's host and the forwarded scheme, so the app's links,
redirects and CSRF checks line up with what the browser sees. The answer is streamed back.

Takoss and the preview both call their cookies ``sessionid`` and ``csrftoken``: Takoss's cookies
and credentials never reach the preview, and the preview's cookies travel renamed with
:data:`COOKIE_PREFIX` and scoped to the preview's path, so neither clobbers the other. The app's
``X-Frame-Options`` becomes SAMEORIGIN so the project page can show it in a frame.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookies import CookieError, SimpleCookie
from typing import Any

import httpx
from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.request import Request

from generator.api.authentication import ApiKeyAuthentication, BearerAuthentication
from generator.models import Project
from generator.preview import Preview, supervisor

COOKIE_PREFIX = "preview_"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Never forwarded to the app: Takoss's own cookies and credentials, what the proxy sets itself.
REQUEST_DROPPED = HOP_BY_HOP | {
    "host",
    "cookie",
    "authorization",
    "x-api-key",
    "content-length",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
}
RESPONSE_DROPPED = HOP_BY_HOP | {"content-length", "set-cookie", "x-frame-options", "server"}
UPSTREAM_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
BODYLESS = {204, 304}
MORSEL_KEPT = ("expires", "max-age", "secure", "httponly", "samesite")


@csrf_exempt  # the app checks its own CSRF tokens; Takoss's would refuse every form of it
async def preview_proxy(request: HttpRequest, pk: str, path: str) -> HttpResponseBase:
    project_id = int(pk)  # the URL's pattern allows digits only
    user = await _user(request)
    project = await Project.objects.visible_to(user).filter(pk=project_id).afirst()
    if project is None:
        raise Http404("No such project.")
    preview = supervisor.touch(project_id)
    if preview is None:
        context = {"project": project, "preview": supervisor.get(project_id)}
        return render(request, "generator/preview.html#preview-off", context, status=503)
    return await _forward(request, preview)


async def _user(request: HttpRequest) -> Any:
    """The session's user, else the API credentials' user (an unusable one is anonymous)."""
    user = await request.auser()
    if user.is_authenticated:
        return user
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_X_API_KEY" in request.META:
        return await sync_to_async(_api_user)(request) or user
    return user


def _api_user(request: HttpRequest) -> Any:
    drf_request = Request(request)
    for authentication in (BearerAuthentication(), ApiKeyAuthentication()):
        try:
            found = authentication.authenticate(drf_request)
        except exceptions.AuthenticationFailed:
            return None
        if found is not None:
            return found[0]
    return None


async def _forward(request: HttpRequest, preview: Preview) -> HttpResponseBase:
    assert preview.socket is not None
    client = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=str(preview.socket)), timeout=UPSTREAM_TIMEOUT
    )
    query = request.META.get("QUERY_STRING", "")
    target = escape_uri_path(request.path) + (f"?{query}" if query else "")
    upstream_request = client.build_request(
        request.method or "GET",
        httpx.URL(f"http://preview{target}"),
        headers=_request_headers(request),
        content=request.body,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.HTTPError as exc:
        await client.aclose()
        return HttpResponse(
            f"The preview did not answer: {exc}\n", status=502, content_type="text/plain"
        )
    response: HttpResponseBase
    if request.method == "HEAD" or upstream.status_code in BODYLESS:
        # No body, so no chunked encoding either (a chunked 304 breaks the browser's cache).
        await upstream.aclose()
        await client.aclose()
        response = HttpResponse(status=upstream.status_code)
    else:
        response = StreamingHttpResponse(_relay(upstream, client), status=upstream.status_code)
    del response["Content-Type"]
    _copy_headers(upstream, response, preview)
    return response


def _request_headers(request: HttpRequest) -> list[tuple[str, str]]:
    headers = [
        (name, value)
        for name, value in request.headers.items()
        if name.lower() not in REQUEST_DROPPED
    ]
    headers += [("Host", request.get_host()), ("X-Forwarded-Proto", request.scheme or "http")]
    cookies = [
        f"{name[len(COOKIE_PREFIX) :]}={value}"
        for name, value in request.COOKIES.items()
        if name.startswith(COOKIE_PREFIX) and len(name) > len(COOKIE_PREFIX)
    ]
    if cookies:
        headers.append(("Cookie", "; ".join(cookies)))
    return headers


def _copy_headers(upstream: httpx.Response, response: HttpResponseBase, preview: Preview) -> None:
    values: dict[str, list[str]] = {}
    for name, value in upstream.headers.multi_items():
        if name.lower() not in RESPONSE_DROPPED:
            values.setdefault(name, []).append(value)
    for name, items in values.items():
        response[name] = ", ".join(items)
    response["X-Frame-Options"] = "SAMEORIGIN"
    for header in upstream.headers.get_list("set-cookie"):
        _copy_cookie(header, response, preview)


def _copy_cookie(header: str, response: HttpResponseBase, preview: Preview) -> None:
    """The app's cookie, renamed and scoped to the preview's path (its domain dropped)."""
    parsed: SimpleCookie = SimpleCookie()
    try:
        parsed.load(header)
    except CookieError:
        return
    for name, morsel in parsed.items():
        renamed = COOKIE_PREFIX + name
        response.cookies[renamed] = morsel.value
        for attribute in MORSEL_KEPT:
            if morsel[attribute]:
                response.cookies[renamed][attribute] = morsel[attribute]
        response.cookies[renamed]["path"] = preview.url


async def _relay(upstream: httpx.Response, client: httpx.AsyncClient) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()
        await client.aclose()
