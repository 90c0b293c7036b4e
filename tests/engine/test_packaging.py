"""Packaging: byte-identical ZIPs, safe paths only, and what the manifest records."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from generator.engine import GENERATOR_VERSION
from generator.engine.complexity import estimate
from generator.engine.packaging import (
    MANIFEST_NAME,
    UnsafePathError,
    build_manifest,
    build_zip,
    safe_path,
)
from generator.engine.spec import AppSpec
from generator.engine.stacks.base import GeneratedFile

FILES = [
    GeneratedFile("manage.py", "print('manage')\n", executable=True),
    GeneratedFile("app/models.py", "MODELS = []\n"),
    GeneratedFile("app/__init__.py", ""),
    GeneratedFile("README.md", "# Büchereí\n"),
]


def _manifest(spec: AppSpec, files: list[GeneratedFile] = FILES) -> dict:
    return build_manifest(
        spec=spec, stack_key="django", complexity=estimate(spec).to_dict(), files=files
    )


def test_same_input_gives_identical_bytes_whatever_the_order(small_spec: AppSpec) -> None:
    first = build_zip(FILES, root=small_spec.slug, manifest=_manifest(small_spec))
    second = build_zip(
        list(reversed(FILES)),
        root=small_spec.slug,
        manifest=_manifest(small_spec, list(reversed(FILES))),
    )

    assert first == second
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_entries_are_sorted_stamped_and_moded(small_spec: AppSpec) -> None:
    data = build_zip(FILES, root="book-club", manifest=_manifest(small_spec))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert names == [
            "book-club/README.md",
            "book-club/app/__init__.py",
            "book-club/app/models.py",
            "book-club/manage.py",
            "book-club/takoss.json",
        ]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
        assert modes["book-club/manage.py"] == 0o755
        assert modes["book-club/app/models.py"] == 0o644
        assert archive.read("book-club/README.md").decode("utf-8") == "# Büchereí\n"


def test_manifest_records_spec_hash_and_every_file(small_spec: AppSpec) -> None:
    manifest = _manifest(small_spec)

    assert manifest["generator"] == {"name": "takoss", "version": GENERATOR_VERSION}
    assert manifest["stack"] == "django"
    assert manifest["spec"] == small_spec.to_dict()
    expected_hash = hashlib.sha256(small_spec.canonical_json().encode()).hexdigest()
    assert manifest["spec_sha256"] == expected_hash
    assert manifest["complexity"]["total"] == estimate(small_spec).total
    assert [f["path"] for f in manifest["files"]] == sorted(f.path for f in FILES)
    models = next(f for f in manifest["files"] if f["path"] == "app/models.py")
    assert models == {
        "path": "app/models.py",
        "size": 12,
        "sha256": hashlib.sha256(b"MODELS = []\n").hexdigest(),
    }
    text = json.dumps(manifest)
    assert "verification" not in text and "timestamp" not in text and "duration" not in text


def test_manifest_inside_the_zip_matches(small_spec: AppSpec) -> None:
    manifest = _manifest(small_spec)
    data = build_zip(FILES, root="book-club", manifest=manifest)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert json.loads(archive.read(f"book-club/{MANIFEST_NAME}")) == manifest


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../outside.py",
        "app/../../x.py",
        "app\\models.py",
        "C:/x.py",
        "c:x.py",
        "app//models.py",
        "./app.py",
        "app/",
        "app/./x.py",
        "nul\x00.py",
    ],
)
def test_unsafe_paths_are_rejected(path: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_path(path)
    with pytest.raises(UnsafePathError):
        build_zip([GeneratedFile(path, "x")], root="app")


@pytest.mark.parametrize("path", ["manage.py", ".env.example", "a/b/c/d.html", "x..y.txt"])
def test_safe_paths_pass(path: str) -> None:
    assert safe_path(path) == path


def test_duplicates_and_the_manifest_name_are_rejected() -> None:
    with pytest.raises(UnsafePathError, match="duplicate"):
        build_zip([GeneratedFile("README.md", "a"), GeneratedFile("readme.md", "b")], root="x")
    with pytest.raises(UnsafePathError, match="reserved"):
        build_zip([GeneratedFile(MANIFEST_NAME, "{}")], root="x")


def test_root_must_be_one_safe_name() -> None:
    for root in ("", "a/b", "..", "/abs"):
        with pytest.raises(UnsafePathError):
            build_zip(FILES, root=root)
