"""``takoss change DIR``: the next version merged into an edited project, conflicts, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from version_specs import build, v1, with_additions

from generator.engine.cli import main
from generator.engine.spec import AppSpec

BARK = '    def bark(self) -> str:\n        return "Woof"\n\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Version 1 generated into a folder, then edited by hand: a method and a README note."""
    folder = tmp_path / "app"
    result = build(folder, v1())
    assert result.success, result.error
    models = folder / "core/models.py"
    text = models.read_text(encoding="utf-8")
    anchor = '    def get_absolute_url(self) -> str:\n        return reverse("core:dog_detail"'
    models.write_text(text.replace(anchor, BARK + anchor), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text("Our notes.\n\n" + readme.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _spec_file(tmp_path: Path, spec: AppSpec) -> str:
    path = tmp_path / "next.json"
    path.write_text(spec.to_json(), encoding="utf-8")
    return str(path)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "takoss.json").read_text(encoding="utf-8"))


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_a_change_keeps_the_hand_edits(
    tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["change", str(project), "--spec", _spec_file(tmp_path, with_additions(v1()))])

    out = capsys.readouterr().out
    assert code == 0, out
    models = (project / "core/models.py").read_text(encoding="utf-8")
    assert BARK in models and "breed = models.CharField(max_length=60)" in models
    assert (project / "README.md").read_text(encoding="utf-8").startswith("Our notes.\n\n# Dog")
    assert (project / "core/migrations/0002_version_2.py").is_file()
    assert (project / "templates/core/walk_list.html").is_file()
    manifest = _manifest(project)
    assert (manifest["version"], manifest["base_version"]) == (2, 1)
    assert "core/models.py" in out and "merged with your edits" in out
    assert "is version 2 now (it was version 1)" in out


def test_a_change_in_words_is_read_and_merged(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["change", str(project), "add a breed to dogs", "--no-verify"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "breed = models.CharField(" in (project / "core/models.py").read_text(encoding="utf-8")
    assert "Added the field breed" in out
    assert _manifest(project)["version"] == 2


def test_a_conflict_gets_markers_a_report_and_exit_code_1(
    tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a hand edit to the line a new version changes too
    models = project / "core/models.py"
    line = "    name = models.CharField(max_length=80)\n"
    text = models.read_text(encoding="utf-8")
    assert line in text
    models.write_text(text.replace(line, line.replace("80", "100")), encoding="utf-8")
    data = v1().to_dict()
    data["entities"][1]["fields"][0]["max_length"] = 90

    # when the change is merged
    spec = _spec_file(tmp_path, AppSpec.from_data(data))
    code = main(["change", str(project), "--spec", spec, "--no-verify", "--json-events"])

    # then the file holds both sides between markers, and the report says where
    assert code == 1
    merged = models.read_text(encoding="utf-8")
    assert (
        "<<<<<<< app (your edits)\n    name = models.CharField(max_length=100)\n=======\n"
        "    name = models.CharField(max_length=90)\n>>>>>>> version 2 (generated)\n"
    ) in merged
    assert BARK in merged
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["type"] == "merge"
    assert report["data"]["conflicted_files"] == ["core/models.py"]
    assert report["data"]["conflicts"] == 1
    assert _manifest(project)["version"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "--spec", "{spec}"], "is not a directory"),
        (["{empty}", "--spec", "{spec}"], "has no takoss.json: it is not a project"),
        (["{app}", "--spec", "{tmp}/nope.yaml"], "bad spec"),
        (["{app}", "paint the dogs purple", "--no-verify"], "could be read as a change"),
        (["{app}"], "say what to change"),
        (["{app}", "add a breed to dogs", "--spec", "{spec}"], "give the change once"),
    ],
)
def test_bad_input_exits_2_and_touches_nothing(
    tmp_path: Path,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "empty").mkdir()
    places = {
        "missing": str(tmp_path / "missing"),
        "empty": str(tmp_path / "empty"),
        "app": str(project),
        "tmp": str(tmp_path),
        "spec": _spec_file(tmp_path, with_additions(v1())),
    }
    before = _snapshot(project)

    code = main(["change", *(arg.format(**places) for arg in args)])

    assert code == 2
    assert message in capsys.readouterr().err
    assert _snapshot(project) == before
    assert not (tmp_path / "missing").exists() and not any((tmp_path / "empty").iterdir())


def test_a_change_that_cannot_keep_the_rows_exits_2_and_touches_nothing(
    tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = with_additions(v1()).to_dict()
    data["relationships"].append({"kind": "many_to_one", "source": "Dog", "target": "Tag"})
    before = _snapshot(project)

    spec = _spec_file(tmp_path, AppSpec.from_data(data))
    code = main(["change", str(project), "--spec", spec, "--no-verify"])

    captured = capsys.readouterr()
    assert code == 2
    assert "Dog.tag is added as required but existing rows have nothing to link to" in (
        captured.out
    )
    assert "was left as it was" in captured.err
    assert _snapshot(project) == before


def test_a_missing_migration_of_the_base_is_bad_input(
    tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a version 2 whose own migration was deleted by hand
    spec = _spec_file(tmp_path, with_additions(v1()))
    assert main(["change", str(project), "--spec", spec, "--no-verify"]) == 0
    (project / "core/migrations/0002_version_2.py").unlink()
    capsys.readouterr()

    code = main(["change", str(project), "--spec", _spec_file(tmp_path, v1()), "--no-verify"])

    assert code == 2
    assert "core/migrations/0002_version_2.py of version 2 are missing" in capsys.readouterr().err
