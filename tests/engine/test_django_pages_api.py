"""Generated pages people can use, and an API that reads well and costs few queries.

Pages: link columns, related records, messages, htmx partials. API: joined and prefetched
relations, ids with readable names beside them.

The behaviour itself is proven by each generated project's own tests (run by the slow tests in
test_django_stack.py); these check that the templates say it and that those tests exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_specs import courses_spec, rich_spec
from test_django_production import manage
from test_django_stack import render, write

from generator.engine.spec import AppSpec


@pytest.fixture(scope="module")
def courses() -> dict[str, str]:
    return {f.path: f.content for f in render(courses_spec())}


def files_of(spec: AppSpec) -> dict[str, str]:
    return {f.path: f.content for f in render(spec)}


def test_live_search_renders_a_partial_for_htmx_instead_of_cutting_the_page(
    courses: dict[str, str],
) -> None:
    page = courses["templates/core/lesson_list.html"]
    assert "hx-select" not in page
    assert '{% partialdef results inline %}\n  <div id="results"' in page
    assert 'hx-target="#results"' in page
    views = courses["core/views.py"]
    assert 'return [f"{name}#results" for name in names]' in views
    assert "history_restore_request" in views  # a restore from history gets the whole page
    assert 'patch_vary_headers(response, ["HX-Request"])' in views
    tests = courses["core/tests/test_pages.py"]
    assert "def test_live_search_answers_htmx_with_the_results_alone" in tests


def test_lists_link_to_each_parent_by_its_name(courses: dict[str, str]) -> None:
    page = courses["templates/core/quiz_list.html"]
    assert '<a href="{{ object.lesson.get_absolute_url }}">{{ object.lesson }}</a>' in page
    assert '<a href="{{ object.course.get_absolute_url }}">{{ object.course }}</a>' in page
    owner_page = courses["templates/core/note_list.html"]
    assert "object.author" not in owner_page  # the owner is the reader: no column
    tests = courses["core/tests/test_pages.py"]
    assert "def test_list_links_to_each_lesson" in tests
    assert "def test_list_links_to_each_course" in tests


def test_detail_pages_list_the_records_pointing_at_them_as_far_as_visible(
    courses: dict[str, str],
) -> None:
    page = courses["templates/core/lesson_detail.html"]
    assert "{% for item in related.quizzes %}" in page
    assert "{% for item in related.notes %}" in page
    views = courses["core/views.py"]
    assert "return visible_to(queryset, self.request.user)[:RELATED_SHOWN]" in views
    tests = courses["core/tests/test_pages.py"]
    # a tag is shared, its quizzes are not: a stranger's quiz on the same tag is not listed
    assert "def test_detail_lists_its_quizzes" in tests
    assert "self.assertNotContains(response, theirs.get_absolute_url())" in tests


def test_changes_leave_a_message_that_the_base_layout_shows(courses: dict[str, str]) -> None:
    views = courses["core/views.py"]
    assert 'messages.success(self.request, f"{described(self.object)} was {self.done}.")' in views
    assert 'messages.success(self.request, f"{name} was deleted.")' in views
    assert "{% for message in messages %}" in courses["templates/base.html"]
    tests = courses["core/tests/test_pages.py"]
    for done in ("created", "saved", "deleted"):
        assert f'"was {done}."' in tests


def test_pages_without_sign_in_list_every_related_record() -> None:
    files = files_of(rich_spec(auth=False))
    views = files["core/views.py"]
    assert "visible_to" not in views
    assert "return queryset[:RELATED_SHOWN]" in views


def test_api_lists_join_foreign_keys_and_prefetch_many_to_many(courses: dict[str, str]) -> None:
    views = courses["core/api_views.py"]
    assert (
        'models.Quiz.objects.select_related("lesson", "course").prefetch_related("tags")' in views
    )
    assert "models.Tag.objects.all()" in views  # nothing to join
    tests = courses["core/tests/test_api.py"]
    assert tests.count("def test_list_queries_do_not_grow_with_rows") == 5  # one per entity
    assert "with self.assertNumQueries(len(few)):" in tests
    assert "row.tags.add(factories.make_tag_for(owner))" in tests  # rows with their links


def test_api_reads_relations_as_ids_with_their_names(courses: dict[str, str]) -> None:
    serializers = courses["core/serializers.py"]
    assert 'lesson_display = serializers.StringRelatedField(source="lesson", read_only=True)' in (
        serializers
    )
    assert 'tags_display = DisplayedField(source="tags", many=True, read_only=True)' in serializers
    assert 'return {"id": value.pk, "display": str(value)}' in serializers
    tests = courses["core/tests/test_api.py"]
    assert tests.count("def test_related_records_read_as_ids_with_their_names") == 4  # not Tag
    assert '"display": str(linked_tags)' in tests


def test_a_field_named_like_a_display_keeps_its_name() -> None:
    spec = AppSpec.from_data(
        {
            "name": "Shop",
            "entities": [
                {"name": "Shelf", "fields": [{"name": "name", "type": "string"}]},
                {
                    "name": "Item",
                    "fields": [
                        {"name": "name", "type": "string"},
                        {"name": "shelf_display", "type": "string", "required": False},
                    ],
                },
            ],
            "relationships": [{"kind": "many_to_one", "source": "Item", "target": "Shelf"}],
        }
    )
    serializers = files_of(spec)["core/serializers.py"]
    assert "shelf_display = serializers" not in serializers
    assert serializers.count('"shelf_display"') == 1


@pytest.mark.slow
def test_the_generated_tests_fail_without_the_joins_and_the_partial(tmp_path: Path) -> None:
    # Given the courses app with its joins and prefetches taken out, and the view that picks the
    # htmx partial always picking the whole page
    write(render(courses_spec()), tmp_path)
    api_views = tmp_path / "core/api_views.py"
    source = re.sub(r"\.prefetch_related\([^)]*\)", "", api_views.read_text())
    api_views.write_text(re.sub(r"\.select_related\([^)]*\)", ".all()", source))
    views = tmp_path / "core/views.py"
    views.write_text(views.read_text().replace("if htmx and not", "if False and not"))

    # When its own tests run
    done = manage(tmp_path, {"DJANGO_DEBUG": "1"}, "test", "core", "-v", "2")

    # Then the query counts and the live search fail, where a list touches relations
    report = done.stdout + done.stderr
    assert done.returncode != 0
    failed = set(re.findall(r"^FAIL: (\w+) \(core\.tests\.\w+\.(\w+)\.", report, re.MULTILINE))
    for entity in ("Course", "Lesson", "Quiz", "Note"):
        assert ("test_list_queries_do_not_grow_with_rows", f"{entity}ApiTests") in failed
    assert ("test_list_queries_do_not_grow_with_rows", "TagApiTests") not in failed
    assert ("test_live_search_answers_htmx_with_the_results_alone", "LessonPageTests") in failed
