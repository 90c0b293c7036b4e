"""Three-way merges of a new version into an edited folder, file by file, with git merge-file."""

from __future__ import annotations

from pathlib import Path

from generator.engine.merging import (
    ADDED,
    CONFLICT,
    KEPT,
    KEPT_EDITED,
    MERGED,
    REMOVED,
    RESTORED,
    STILL_DELETED,
    UPDATED,
    apply_merge,
    plan_merge,
)

LABELS = ("app (your edits)", "version 1 (generated)", "version 2 (generated)")
LINES = "".join(f"line {n}\n" for n in range(1, 11))


def _merge(
    tmp_path: Path, ours: dict[str, str], base: dict[str, str], theirs: dict[str, str]
) -> dict[str, tuple[str, int]]:
    folder = tmp_path / "app"
    for path, text in ours.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    plan = plan_merge(folder, base=base, theirs=theirs, executable={"run.sh"}, labels=LABELS)
    apply_merge(folder, plan)
    return {f.path: (f.outcome, f.conflicts) for f in plan.files}


def _text(tmp_path: Path, path: str) -> str:
    return (tmp_path / "app" / path).read_text(encoding="utf-8")


def test_edits_and_new_lines_on_different_lines_merge_cleanly(tmp_path: Path) -> None:
    ours = LINES.replace("line 2\n", "line 2, edited by hand\n")
    theirs = LINES.replace("line 9\n", "line 9, changed by Takoss\n")

    outcomes = _merge(tmp_path, {"a.py": ours}, {"a.py": LINES}, {"a.py": theirs})

    assert outcomes == {"a.py": (MERGED, 0)}
    assert _text(tmp_path, "a.py") == LINES.replace("line 2\n", "line 2, edited by hand\n").replace(
        "line 9\n", "line 9, changed by Takoss\n"
    )


def test_the_same_line_changed_both_ways_gets_standard_markers(tmp_path: Path) -> None:
    ours = LINES.replace("line 5\n", "line 5 by hand\n")
    theirs = LINES.replace("line 5\n", "line 5 by Takoss\n")

    outcomes = _merge(tmp_path, {"a.py": ours}, {"a.py": LINES}, {"a.py": theirs})

    assert outcomes == {"a.py": (CONFLICT, 1)}
    assert (
        "<<<<<<< app (your edits)\nline 5 by hand\n=======\nline 5 by Takoss\n"
        ">>>>>>> version 2 (generated)\n"
    ) in _text(tmp_path, "a.py")


def test_untouched_files_take_the_new_version_and_edited_ones_stay(tmp_path: Path) -> None:
    outcomes = _merge(
        tmp_path,
        ours={"same.py": "old\n", "edited.py": "mine\n", "equal.py": "new\n"},
        base={"same.py": "old\n", "edited.py": "old\n", "equal.py": "old\n"},
        theirs={"same.py": "new\n", "edited.py": "old\n", "equal.py": "new\n"},
    )

    assert outcomes == {"same.py": (UPDATED, 0), "edited.py": (KEPT, 0)}
    assert _text(tmp_path, "same.py") == "new\n" and _text(tmp_path, "edited.py") == "mine\n"


def test_files_the_new_version_removes_go_unless_edited(tmp_path: Path) -> None:
    outcomes = _merge(
        tmp_path,
        ours={"t/gone.html": "old\n", "t/edited.html": "mine\n"},
        base={"t/gone.html": "old\n", "t/edited.html": "old\n"},
        theirs={},
    )

    assert outcomes == {"t/gone.html": (REMOVED, 0), "t/edited.html": (KEPT_EDITED, 1)}
    assert not (tmp_path / "app/t/gone.html").exists()
    assert _text(tmp_path, "t/edited.html") == "mine\n"


def test_files_deleted_by_hand_stay_deleted_unless_the_new_version_changed_them(
    tmp_path: Path,
) -> None:
    outcomes = _merge(
        tmp_path,
        ours={"keep.txt": ""},
        base={"unchanged.py": "old\n", "changed.py": "old\n"},
        theirs={"unchanged.py": "old\n", "changed.py": "new\n"},
    )

    assert outcomes == {"unchanged.py": (STILL_DELETED, 0), "changed.py": (RESTORED, 1)}
    assert not (tmp_path / "app/unchanged.py").exists()
    assert _text(tmp_path, "changed.py") == "new\n"


def test_new_files_are_added_with_their_mode_and_clash_with_files_made_by_hand(
    tmp_path: Path,
) -> None:
    outcomes = _merge(
        tmp_path,
        ours={"mine.py": "x = 1\n"},
        base={},
        theirs={"run.sh": "#!/bin/sh\n", "mine.py": "x = 2\n", "docs/new.md": "# New\n"},
    )

    assert outcomes == {
        "docs/new.md": (ADDED, 0),
        "mine.py": (CONFLICT, 1),
        "run.sh": (ADDED, 0),
    }
    assert (tmp_path / "app/run.sh").stat().st_mode & 0o111
    assert not (tmp_path / "app/docs/new.md").stat().st_mode & 0o111
    assert "<<<<<<< app (your edits)\nx = 1\n=======\nx = 2\n>>>>>>>" in _text(tmp_path, "mine.py")


def test_a_file_git_cannot_merge_is_kept_as_it_is_and_reported(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "logo.py").write_bytes(b"\x00\x01binary\x00")

    plan = plan_merge(
        folder,
        base={"logo.py": "old\n"},
        theirs={"logo.py": "new\n"},
        executable=set(),
        labels=LABELS,
    )
    apply_merge(folder, plan)

    assert [(f.outcome, f.conflicts) for f in plan.files] == [(CONFLICT, 1)]
    assert (folder / "logo.py").read_bytes() == b"\x00\x01binary\x00"


def test_the_manifest_is_never_merged(tmp_path: Path) -> None:
    manifest = "takoss.json"

    outcomes = _merge(
        tmp_path, {manifest: "{}\n"}, {manifest: "{}\n"}, {manifest: '{"version": 2}\n'}
    )

    assert outcomes == {}
    assert _text(tmp_path, manifest) == "{}\n"
