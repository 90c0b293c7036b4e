"""Uploaded files in generated projects: served by core.media to those who may see their record.

The generated tests (core/tests/test_media.py) prove the rule inside each project; these check
what is rendered and when. test_hostile_access.py attacks a served project over HTTP.
"""

from __future__ import annotations

from django_specs import rich_spec
from test_django_stack import render

from generator.engine.spec import AppSpec


def files_of(spec: AppSpec) -> dict[str, str]:
    return {f.path: f.content for f in render(spec)}


def test_uploads_are_served_by_a_view_that_checks_the_record() -> None:
    files = files_of(rich_spec(auth=True))
    urls = files["config/urls.py"]
    assert 'path("media/<path:path>", media.serve' in urls
    assert "static(" not in urls and "django.views.static" not in urls
    media = files["core/media.py"]
    assert "visible_to(model.objects.all(), request.user)" in media
    assert "redirect_to_login" in media and "FileResponse" in media
    assert '(models.Task, "attachment", True)' in media  # a file is a download
    assert '(models.Task, "picture", False)' in media  # a checked image is shown
    tests = files["core/tests/test_media.py"]
    assert "def test_attachment_is_not_found_for_a_stranger" in tests
    assert "def test_picture_sends_anonymous_visitors_to_log_in" in tests


def test_without_sign_in_every_record_s_files_are_served_and_nothing_else() -> None:
    files = files_of(rich_spec(auth=False))
    media = files["core/media.py"]
    assert "visible_to" not in media and "redirect_to_login" not in media
    assert "def test_a_file_no_record_holds_is_not_found" in files["core/tests/test_media.py"]


def test_a_project_without_uploads_has_no_media_route(small_spec: AppSpec) -> None:
    files = files_of(small_spec)
    assert "core/media.py" not in files and "core/tests/test_media.py" not in files
    assert "media" not in files["config/urls.py"]
