"""The API's endpoints for a project's spec versions: the spec, change requests, the history,
building and restoring a version, and comparing two.

Thin, like generator/api/views.py: the services in generator/services.py make and build
versions and the engine diffs them; this module looks things up through ``visible_to`` (another
user's project is a 404, except for staff), checks the input and shapes the answer. Downloading
a version's ZIP is ``GET /api/projects/{id}/download?version=N`` (views.ProjectDownloadView).
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from generator import services
from generator.api import results
from generator.api import serializers as s
from generator.api.errors import ApiError
from generator.api.pagination import ProjectPagination
from generator.api.params import whole_number
from generator.api.throttling import GenerateThrottle
from generator.api.views import _project, _user, _valid, verified_build
from generator.models import VERSION_SOURCE_SPEC, Generation, Project, SpecVersion

VERSION_NUMBER = {"type": "integer", "minimum": 1}


class WritesThrottled(APIView):
    """Writes count against the generate rate (one counter per user); reads are not limited."""

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method in SAFE_METHODS:
            return []
        return [GenerateThrottle()]


class ProjectSpecView(WritesThrottled):
    @extend_schema(
        responses=s.SpecOutput,
        tags=["versions"],
        description="The project's latest spec version. 404 until the project has a version.",
    )
    def get(self, request: Request, pk: int) -> Response:
        latest = services.version_latest(_project(request, pk))
        if latest is None:
            raise exceptions.NotFound(_NO_VERSION)
        return Response({"version": latest.number, "spec": latest.spec})

    @extend_schema(
        request=s.SpecInput,
        responses={201: s.SpecOutput},
        tags=["versions"],
        description=(
            "Save a spec as the project's next version, without building it. A spec that is not "
            "valid is a 400 listing each problem under details.fields.spec; with `version` "
            "older than the latest, a 409 (code `version_conflict`) and nothing is saved."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        data = _valid(s.SpecInput, request)
        with transaction.atomic():
            # Held until the new version is saved, so two edits of one version cannot both pass.
            Project.objects.select_for_update().filter(pk=project.pk).first()
            _check_edited_from(project, data.get("version"))
            version = services.version_create(
                project=project,
                user=_user(request),
                spec=data["spec"],
                source=VERSION_SOURCE_SPEC,
                change_text="Spec given",
            )
        return Response(
            {"version": version.number, "spec": version.spec}, status=status.HTTP_201_CREATED
        )


class ProjectChangesView(WritesThrottled):
    @extend_schema(
        request=s.ChangeInput,
        responses={201: s.ChangeOutput},
        tags=["versions"],
        description=(
            "Read a change request against the latest version and save the result as the next "
            'version; `diff` is what changed. With "build": true a run that builds it starts '
            "too (its generationId and URLs are in the answer); when you already have as many "
            "runs going as you may, the answer is 429 and no version is made. A request that "
            "cannot be read is a 400 naming `request`."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        data = _valid(s.ChangeInput, request)
        version, notes, generation = services.change_create(
            project=project, user=_user(request), text=data["request"], build=data["build"]
        )
        body = {
            "version": version.number,
            "spec": version.spec,
            "diff": _spec_diff_from_previous(project, version),
            "notes": notes,
            "generationId": generation.pk if generation else None,
            "urls": (
                results.generation_urls(generation, request.build_absolute_uri)
                if generation
                else None
            ),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class VersionsView(generics.ListAPIView):
    pagination_class = ProjectPagination
    serializer_class = s.VersionOutput

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        tags=["versions"],
        description="The project's versions, newest first.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[SpecVersion]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return SpecVersion.objects.none()
        project = _project(self.request, self.kwargs["pk"])
        return _with_builds(project.versions.order_by("-number"))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        absolute = request.build_absolute_uri
        return self.get_paginated_response(
            [results.version_summary(version, absolute) for version in page]
        )


class VersionView(APIView):
    @extend_schema(responses=s.VersionDetailOutput, tags=["versions"])
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = _version(request, pk, number)
        return Response(_detail(version, request))


class VersionBuildView(WritesThrottled):
    @extend_schema(
        request=None,
        responses={202: s.GenerateAcceptedOutput},
        tags=["versions"],
        description="Start a run that builds this version.",
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        version = _version(request, pk, number)
        generation = services.version_build(version=version, user=_user(request))
        return Response(
            results.generation_accepted(generation, request.build_absolute_uri),
            status=status.HTTP_202_ACCEPTED,
        )


class VersionRestoreView(WritesThrottled):
    @extend_schema(
        request=None,
        responses={201: s.VersionDetailOutput},
        tags=["versions"],
        description=(
            "Save this version's spec as the project's next version (the ones after it are "
            "kept), without building it; answers the new version."
        ),
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        version = _version(request, pk, number)
        restored = services.version_restore(version=version, user=_user(request))
        fresh = _with_builds(SpecVersion.objects.filter(pk=restored.pk)).get()
        return Response(_detail(fresh, request), status=status.HTTP_201_CREATED)


class ProjectDiffView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", VERSION_NUMBER, required=True, description="A version"),
            OpenApiParameter("to", VERSION_NUMBER, required=True, description="A version"),
        ],
        responses=s.DiffOutput,
        tags=["versions"],
        description=(
            "What changed from one version to another: the spec (added, removed, changed) and, "
            "when both versions have a verified build, each file (a unified diff with its "
            "counts). Otherwise `files` and `counts` are null and `filesNote` says which "
            "version to build."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        old_number, new_number = _version_numbers(request, "from", "to")
        old, new = _version_of(project, old_number), _version_of(project, new_number)
        diff = services.version_diff(project=project, old=old, new=new)
        return Response(
            {
                "from": diff["from"],
                "to": diff["to"],
                "spec": diff["spec"],
                "files": diff["files"],
                "counts": diff["counts"],
                "filesNote": diff["files_note"],
            }
        )


# --- helpers ----------------------------------------------------------------------------------

_NO_VERSION = "This project has no version yet: generate it, or PUT a spec, first."


def _with_builds(versions: QuerySet[SpecVersion]) -> QuerySet[SpecVersion]:
    """Annotate each version's build count and its newest build (what a version row shows)."""
    last = Generation.objects.filter(version=OuterRef("pk")).order_by("-number")
    return versions.annotate(
        build_count=Count("builds"),
        last_build_id=Subquery(last.values("pk")[:1]),
        last_build_number=Subquery(last.values("number")[:1]),
        last_build_status=Subquery(last.values("status")[:1]),
    )


def _version_of(project: Project, number: int) -> SpecVersion:
    version = _with_builds(project.versions.filter(number=number)).first()
    if version is None:
        raise exceptions.NotFound(f"This project has no version {number}.")
    return version


def _version(request: Request, pk: int, number: int) -> SpecVersion:
    return _version_of(_project(request, pk), number)


def _version_numbers(request: Request, *names: str) -> list[int]:
    """The version numbers in these query parameters, or one 400 naming each bad or missing."""
    numbers: list[int] = []
    problems: dict[str, Any] = {}
    for name in names:
        raw = request.query_params.get(name)
        try:
            if raw is None:
                raise exceptions.ValidationError({name: ["Give a version number."]})
            numbers.append(whole_number(raw, name=name, minimum=1))
        except exceptions.ValidationError as exc:
            problems.update(cast("dict[str, Any]", exc.detail))
    if problems:
        raise exceptions.ValidationError(problems)
    return numbers


def _detail(version: SpecVersion, request: Request) -> dict[str, Any]:
    return results.version_detail(
        version, request.build_absolute_uri, downloadable=verified_build(version)
    )


def _check_edited_from(project: Project, edited_from: int | None) -> None:
    """A 409 when the spec was edited from a version that is no longer the latest."""
    if edited_from is None:
        return
    latest = services.version_latest(project)
    if latest is None:
        raise ApiError(
            "The project has no version yet: leave version out.",
            code="version_conflict",
            status_code=status.HTTP_409_CONFLICT,
            details={"latest": None, "version": edited_from},
        )
    if latest.number != edited_from:
        raise ApiError(
            f"The spec changed since version {edited_from}: the latest is version "
            f"{latest.number}. GET the spec again and apply your edit to it.",
            code="version_conflict",
            status_code=status.HTTP_409_CONFLICT,
            details={"latest": latest.number, "version": edited_from},
        )


def _spec_diff_from_previous(project: Project, version: SpecVersion) -> dict[str, Any]:
    """The spec diff from the version a change was read against (the one before it)."""
    previous = project.versions.get(number=version.number - 1)
    diff: dict[str, Any] = services.version_diff(project=project, old=previous, new=version)["spec"]
    return diff
