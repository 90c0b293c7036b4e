"""What the API says about runs, projects and spec versions: plain dicts built from the records.

The same result dict answers ``POST /api/generate``, closes the event streams (the ``result``
frame's ``data``) and sits in ``GET /api/generations/{id}`` once a run has finished, so a client
reads one shape wherever it meets it. URLs are absolute, built by the caller's ``absolute``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from generator.constants import FINAL_STATUSES, GENERATION_STATUS_SUCCEEDED
from generator.models import Generation, GenerationEvent, Project, SpecVersion
from generator.providers import usage_summary

Absolute = Callable[[str], str]
FILE_PHASES = ("database", "backend", "frontend", "deployment")


def generation_urls(generation: Generation, absolute: Absolute) -> dict[str, Any]:
    pk, project_id = generation.pk, generation.project_id
    return {
        "status": absolute(reverse("api:generation", args=[pk])),
        "events": absolute(reverse("api:generation_events", args=[pk])),
        "cancel": absolute(reverse("api:generation_cancel", args=[pk])),
        "project": absolute(reverse("api:project", args=[project_id])),
        "download": download_url(generation, absolute),
    }


def download_url(generation: Generation, absolute: Absolute) -> str | None:
    if not generation.zip:
        return None
    url = reverse("api:project_download", args=[generation.project_id])
    return absolute(f"{url}?generation={generation.pk}")


def generation_result(generation: Generation, absolute: Absolute) -> dict[str, Any]:
    """The full outcome of a finished run (what POST /api/generate answers)."""
    spec = generation.spec or None
    timings = {k: float(v) for k, v in (generation.timings or {}).items()}
    files = list(generation.files or [])
    phases: dict[str, Any] = {
        "analysis": {
            "spec": spec,
            "warnings": list((spec or {}).get("warnings", [])),
            "duration": timings.get("analysis"),
        },
        "complexity": generation.complexity or None,
        "verification": generation.verification or None,
    }
    for phase in FILE_PHASES:
        phases[phase] = {
            "files": [f["path"] for f in files if f.get("phase") == phase],
            "duration": timings.get(phase),
        }
    return {
        "success": generation.status == GENERATION_STATUS_SUCCEEDED,
        "status": generation.status,
        "projectId": generation.project_id,
        "generationId": generation.pk,
        "stack": generation.project.stack,
        "phases": phases,
        "files": files,
        "timings": timings,
        "downloadUrl": download_url(generation, absolute),
        "error": generation.error_data or None,
    }


def generation_status(generation: Generation, absolute: Absolute) -> dict[str, Any]:
    final = generation.status in FINAL_STATUSES
    return {
        "id": generation.pk,
        "projectId": generation.project_id,
        "number": generation.number,
        "status": generation.status,
        "progress": generation.progress,
        "currentPhase": generation.current_phase,
        "lastEventId": generation.last_event_seq,
        "error": generation.error,
        "createdAt": generation.created_at,
        "startedAt": generation.started_at,
        "finishedAt": generation.finished_at,
        "urls": generation_urls(generation, absolute),
        "result": generation_result(generation, absolute) if final else None,
        "model": usage_summary(generation),
    }


def generation_accepted(generation: Generation, absolute: Absolute) -> dict[str, Any]:
    return {
        "projectId": generation.project_id,
        "generationId": generation.pk,
        "status": generation.status,
        "urls": generation_urls(generation, absolute),
    }


def project_summary(project: Project, absolute: Absolute) -> dict[str, Any]:
    last = project.generations.order_by("-number").first()
    return {
        "id": project.pk,
        "name": project.name,
        "owner": project.owner.email,
        "description": project.description,
        "requirements": project.requirements,
        "stack": project.stack,
        "provider": project.provider,
        "model": project.model,
        "baseUrl": project.base_url,
        "createdAt": project.created_at,
        "updatedAt": project.updated_at,
        "lastRun": (
            {"id": last.pk, "number": last.number, "status": last.status, "progress": last.progress}
            if last
            else None
        ),
        "url": absolute(reverse("api:project", args=[project.pk])),
    }


def project_detail(project: Project, absolute: Absolute) -> dict[str, Any]:
    runs = project.generations.select_related("project").order_by("-number")
    return {
        **project_summary(project, absolute),
        "runs": [generation_status(run, absolute) for run in runs],
    }


def version_download_url(version: SpecVersion, absolute: Absolute) -> str:
    url = reverse("api:project_download", args=[version.project_id])
    return absolute(f"{url}?version={version.number}")


def version_summary(version: SpecVersion, absolute: Absolute) -> dict[str, Any]:
    """One row of a version list; ``version`` carries the annotations of
    ``generator.api.versions._with_builds`` (its build count and newest build)."""
    last_id = version.last_build_id  # type: ignore[attr-defined]
    return {
        "number": version.number,
        "source": version.source,
        "changeText": version.change_text,
        "createdAt": version.created_at,
        "entityCount": version.entity_count,
        "restoredFrom": version.restored_from,
        "buildCount": version.build_count,  # type: ignore[attr-defined]
        "lastBuild": (
            {
                "generationId": last_id,
                "number": version.last_build_number,  # type: ignore[attr-defined]
                "status": version.last_build_status,  # type: ignore[attr-defined]
            }
            if last_id is not None
            else None
        ),
        "url": absolute(reverse("api:version", args=[version.project_id, version.number])),
    }


def version_detail(
    version: SpecVersion, absolute: Absolute, *, downloadable: Generation | None
) -> dict[str, Any]:
    builds = version.builds.select_related("project").order_by("-number")
    return {
        **version_summary(version, absolute),
        "spec": version.spec,
        "renames": {"entities": {}, "fields": {}, **(version.renames or {})},
        "builds": [
            {
                "generationId": run.pk,
                "number": run.number,
                "status": run.status,
                "progress": run.progress,
                "createdAt": run.created_at,
                "finishedAt": run.finished_at,
                "urls": generation_urls(run, absolute),
            }
            for run in builds
        ],
        "downloadUrl": version_download_url(version, absolute) if downloadable else None,
    }


def wait_until_final(generation: Generation, *, timeout: float, interval: float = 0.1) -> bool:
    """Poll the run's row until it is final; False if ``timeout`` passed first.

    Reading the row (not the task backend's result) works with any backend, in any process.
    """
    deadline = time.monotonic() + timeout
    while True:
        generation.refresh_from_db()
        if generation.status in FINAL_STATUSES:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def events_after(generation_id: int, after: int, *, limit: int = 500) -> list[GenerationEvent]:
    return list(
        GenerationEvent.objects.filter(generation_id=generation_id, seq__gt=after).order_by("seq")[
            :limit
        ]
    )
