"""The app the preview tests run: a small reading list with sign-in and two roles, generated once
per test module (without verification: the files are the same) and stored as the succeeded run
of each version of a project."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from generator import services
from generator.engine.pipeline import GenerationRequest, generate
from generator.engine.spec import AppSpec
from generator.models import VERSION_SOURCE_SPEC, Generation, Project

READING_LIST = {
    "name": "Reading List",
    "description": "Books and the notes readers keep on them.",
    "entities": [
        {
            "name": "Book",
            "fields": [
                {"name": "title", "type": "string", "max_length": 120},
                {"name": "pages", "type": "integer", "min_value": 1, "required": False},
            ],
        },
        {"name": "Note", "fields": [{"name": "text", "type": "string", "max_length": 200}]},
    ],
    "relationships": [
        {"kind": "many_to_one", "source": "Note", "target": "Book"},
        {"kind": "many_to_one", "source": "Note", "target": "User"},
    ],
    "features": [{"name": "Sign-in", "category": "authentication"}],
    "roles": [{"name": "Reader"}, {"name": "Editor"}],
}


@dataclass(frozen=True)
class Built:
    zip: bytes
    files: Path


def build_reading_list(folder: Path) -> Built:
    """Generate the app into ``folder`` (tests call this from a module-scoped fixture)."""
    spec = AppSpec.from_data(READING_LIST)
    request = GenerationRequest(
        out_dir=folder / "out", spec=spec, zip_path=folder / "app.zip", verify=False
    )
    assert generate(request).status == "succeeded"
    return Built(zip=(folder / "app.zip").read_bytes(), files=folder / "out")


def built_project(owner, built: Built, *, name: str = "Reading List", versions: int = 1) -> Project:
    """A project whose versions 1..``versions`` each have a succeeded run with the app's ZIP."""
    project = Project.objects.create(
        owner=owner, name=name, requirements="Readers keep notes on books.", stack="django"
    )
    for number in range(1, versions + 1):
        version = services.version_create(
            project=project, user=owner, spec=READING_LIST, source=VERSION_SOURCE_SPEC
        )
        run = Generation.objects.create(
            project=project,
            number=number,
            version=version,
            status="succeeded",
            progress=100,
            spec=READING_LIST,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            zip_sha256=hashlib.sha256(built.zip).hexdigest(),
        )
        run.zip.save("app.zip", ContentFile(built.zip), save=True)
    return project
