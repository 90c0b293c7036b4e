"""``/api/projects/{id}/preview``: start (POST, optional ``?version=N``), read (GET), stop (DELETE)
the project's live preview.

Thin like the other API modules: generator/preview.py starts and stops; this looks the project
up through ``for_user`` (another user's project is a 404) and shapes the answer. The preview's
``url`` accepts the same credentials as the API (Bearer token or X-API-Key) besides the session.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from generator.api.errors import ApiError
from generator.api.params import whole_number
from generator.api.throttling import GenerateThrottle
from generator.api.views import _project, _user
from generator.models import Project
from generator.preview import (
    STATUS_STOPPED,
    Preview,
    PreviewBusy,
    PreviewNotFound,
    PreviewUnavailable,
    preview_get,
    preview_root,
    preview_start,
    preview_stop,
)

PreviewOutput = inline_serializer(
    "PreviewOutput",
    {
        "status": serializers.ChoiceField(["starting", "running", "stopped", "failed"]),
        "url": serializers.URLField(),
        "run": serializers.IntegerField(allow_null=True),
        "version": serializers.IntegerField(allow_null=True),
        "startedAt": serializers.FloatField(allow_null=True),
        "startSeconds": serializers.FloatField(allow_null=True),
        "reason": serializers.CharField(),
        "users": serializers.ListField(child=serializers.DictField()),
        "log": serializers.CharField(),
    },
)
VERSION = OpenApiParameter("version", int, description="Preview this version's newest build")


class ProjectPreviewView(APIView):
    def get_throttles(self) -> list[BaseThrottle]:
        return [GenerateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=PreviewOutput, tags=["preview"])
    def get(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        return Response(_body(request, project, preview_get(project)))

    @extend_schema(
        parameters=[VERSION],
        request=None,
        responses=PreviewOutput,
        tags=["preview"],
        description=(
            "Start (or restart) the project's preview and wait until it answers. 409 when the "
            "project (or the version) has no succeeded build; 502 when the app did not start "
            "(no sandbox, or the app failed: the error says which, its log is in details.log). "
            "When TAKOSS_PREVIEW_MAX previews run, your own oldest stops, else another person's "
            "unused for two minutes; when every slot is in recent use, 429 preview_busy with "
            "Retry-After."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        raw = request.query_params.get("version")
        version = None if raw is None else whole_number(raw, name="version", minimum=1)
        try:
            preview = preview_start(project=project, user=_user(request), version=version)
        except PreviewNotFound as missing:
            raise exceptions.NotFound(str(missing)) from None
        except PreviewUnavailable as problem:
            raise ApiError(str(problem), code="nothing_to_preview", status_code=409) from None
        except PreviewBusy as busy:
            raise ApiError(str(busy), code="preview_busy", status_code=429,
                           retry_after=busy.retry_after) from None  # fmt: skip
        if not preview.running:
            raise ApiError(
                f"The preview did not start: {preview.error or preview.stop_reason}",
                code="preview_failed",
                status_code=status.HTTP_502_BAD_GATEWAY,
                details={"log": preview.log_tail()},
            )
        return Response(_body(request, project, preview))

    @extend_schema(responses={200: PreviewOutput}, tags=["preview"])  # the stopped preview
    def delete(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        return Response(_body(request, project, preview_stop(project=project, user=_user(request))))


def _body(request: Request, project: Project, preview: Preview | None) -> dict[str, Any]:
    url = request.build_absolute_uri(preview.url if preview else preview_root(project.pk) + "/")
    if preview is None:
        return {
            "status": STATUS_STOPPED,
            "url": url,
            "run": None,
            "version": None,
            "startedAt": None,
            "startSeconds": None,
            "reason": "Not started",
            "users": [],
            "log": "",
        }
    return {
        "status": preview.status,
        "url": url,
        "run": preview.run_number,
        "version": preview.version_number,
        "startedAt": preview.started_at,
        "startSeconds": preview.start_seconds,
        "reason": preview.stop_reason,
        "users": [{"role": u.role, "username": u.username} for u in preview.users],
        "log": preview.log_tail(),
    }
