"""New project: the quick form for experienced users, the three-step wizard for the others."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from generator.engine.analysis import requirements_problem
from generator.models import Generation, Project
from tests.generator.helpers import GIBBERISH, LIBRARY, TASK_MANAGER, make_live_run

pytestmark = pytest.mark.django_db

URL = "/projects/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def experienced(client, owner):
    owner.experience_level = "experienced"
    owner.save()
    client.force_login(owner)
    return client


@pytest.fixture
def beginner(client, owner):
    owner.experience_level = "beginner"
    owner.save()
    client.force_login(owner)
    return client


def wizard_post(client, step: int, action: str = "next", htmx: bool = True, **values):
    data = {"form_kind": "wizard", "step": step, "action": action, **values}
    return client.post(URL, data, **(HTMX if htmx else {}))


# --- the quick form ---------------------------------------------------------------------------


def test_experienced_users_get_the_quick_form(experienced):
    response = experienced.get(URL)
    assert 'data-kind="quick"' in response.text
    for name in ("name", "description", "requirements", "stack"):
        assert f'name="{name}"' in response.text


def test_the_quick_form_starts_a_run_and_opens_its_page(experienced, owner):
    response = experienced.post(
        URL,
        {"form_kind": "quick", "name": "Tasks", "requirements": TASK_MANAGER, "stack": "django"},
    )

    project = Project.objects.get(owner=owner)
    run = project.generations.get()
    assert (project.name, run.number, run.status) == ("Tasks", 1, "queued")
    assert response.status_code == 302
    assert response.url == reverse("generator:run", args=[project.pk, 1])


def test_the_quick_form_shows_errors_inline_and_keeps_the_text(experienced):
    response = experienced.post(
        URL,
        {
            "form_kind": "quick",
            "name": "  ",
            "description": "My words",
            "requirements": "",
            "stack": "cobol",
        },
        **HTMX,
    )

    text = response.text
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="new-project"')
    assert "Give the project a name." in text
    assert "The requirements are empty" in text
    assert "Select a valid choice" in text  # the stack
    assert "My words" in text
    assert 'aria-invalid="true"' in text
    assert not Project.objects.exists()


def test_the_concurrency_limit_is_explained_on_the_form_and_nothing_is_lost(
    experienced, owner, project, settings
):
    settings.TAKOSS_MAX_CONCURRENT_RUNS_PER_USER = 1
    make_live_run(project)

    response = experienced.post(
        URL,
        {
            "form_kind": "quick",
            "name": "Second",
            "requirements": LIBRARY,
            "stack": "django",
        },
    )

    assert response.status_code == 200
    assert "You already have 1 generation running" in response.text
    assert LIBRARY in response.text
    assert list(Project.objects.values_list("name", flat=True)) == ["Task Manager"]


def test_an_example_fills_the_form(experienced):
    response = experienced.get(URL + "?example=blog")
    assert "A blog where people sign up" in response.text


# --- the wizard -------------------------------------------------------------------------------


def test_beginners_and_users_without_a_level_get_the_wizard(beginner, client, stranger):
    assert 'data-kind="wizard" data-step="1"' in beginner.get(URL).text
    client.force_login(stranger)  # never chose a level
    assert 'data-kind="wizard" data-step="1"' in client.get(URL).text


def test_the_wizard_walks_through_three_steps_and_starts_the_run(beginner, owner):
    # Given a beginner on step 1
    step2 = wizard_post(beginner, 1, name="Library")
    assert 'data-step="2"' in step2.text
    assert '<input type="hidden" name="name" value="Library">' in step2.text

    # When they go on with a description, then requirements
    step3 = wizard_post(beginner, 2, name="Library", description="Books")
    assert 'data-step="3"' in step3.text
    done = wizard_post(
        beginner, 3, "create", name="Library", description="Books", requirements=LIBRARY
    )

    # Then the project exists with its first run, and htmx is told to open it
    project = Project.objects.get(owner=owner)
    assert (project.name, project.description, project.requirements) == (
        "Library",
        "Books",
        LIBRARY,
    )
    assert done["HX-Redirect"] == reverse("generator:run", args=[project.pk, 1])
    assert Generation.objects.filter(project=project).count() == 1


def test_a_wizard_step_with_an_error_stays_and_keeps_the_other_steps(beginner):
    response = wizard_post(beginner, 1, name=" ", description="Kept", requirements="Kept too")

    assert 'data-step="1"' in response.text
    assert "Give the project a name." in response.text
    assert '<input type="hidden" name="description" value="Kept">' in response.text
    assert '<input type="hidden" name="requirements" value="Kept too">' in response.text


def test_going_back_keeps_what_was_typed(beginner):
    response = wizard_post(
        beginner, 3, "back", name="Library", description="Books", requirements="Half typed"
    )

    assert 'data-step="2"' in response.text
    assert "\nBooks</textarea>" in response.text
    assert '<input type="hidden" name="requirements" value="Half typed">' in response.text
    assert "errorlist" not in response.text


def test_creating_without_requirements_shows_the_error_on_the_last_step(beginner):
    response = wizard_post(beginner, 3, "create", name="Library", description="Books")

    assert 'data-step="3"' in response.text
    assert "The requirements are empty" in response.text
    assert '<input type="hidden" name="name" value="Library">' in response.text
    assert not Project.objects.exists()


def test_an_example_fills_the_current_step(beginner):
    response = wizard_post(beginner, 3, name="Shop", description="Mine", example="e-commerce")

    assert 'data-step="3"' in response.text
    assert "An online store: products have a name" in response.text
    assert '<input type="hidden" name="name" value="Shop">' in response.text


def test_the_wizard_works_without_javascript(beginner, owner):
    response = wizard_post(beginner, 3, "create", htmx=False, name="Lib", requirements=LIBRARY)
    project = Project.objects.get(owner=owner)
    assert response.status_code == 302
    assert response.url == reverse("generator:run", args=[project.pk, 1])


# --- refused requirements and names -----------------------------------------------------------


def quick_post(client, **values):
    data = {"form_kind": "quick", "stack": "django", **values}
    return client.post(URL, data, **HTMX)


def test_the_quick_form_refuses_text_that_describes_nothing_and_keeps_it(experienced):
    # Waits on the analyzer's domain-content check in requirements_problem.
    response = quick_post(experienced, name="Notes", requirements=GIBBERISH)

    problem = requirements_problem(GIBBERISH)
    assert problem is not None
    assert response.status_code == 200
    assert escape(problem) in response.text
    assert f"{GIBBERISH}</textarea>" in response.text
    assert 'value="Notes"' in response.text
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("requirements", "message"),
    [(" \n ", "The requirements are empty"), ("x" * 20_001, "too long (20001 characters)")],
)
def test_the_quick_form_refuses_empty_or_too_long_text(experienced, requirements, message):
    response = quick_post(experienced, name="Notes", requirements=requirements)

    assert message in response.text
    assert 'value="Notes"' in response.text
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", ["📚🎉", "!!!", "… — …"])
def test_a_name_of_only_emoji_or_punctuation_is_refused_on_the_form(experienced, name):
    response = quick_post(experienced, name=name, requirements=LIBRARY)

    assert "Use at least one letter or digit" in response.text
    assert f'value="{escape(name)}"' in response.text
    assert f"{LIBRARY}</textarea>" in response.text
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", ["Библиотека", "図書館", "مكتبة", "Βιβλιοθήκη"])
def test_a_name_in_another_script_starts_the_run_as_typed(experienced, owner, name):
    response = quick_post(experienced, name=name, requirements=LIBRARY)

    project = Project.objects.get(owner=owner)
    assert project.name == name
    assert response["HX-Redirect"] == reverse("generator:run", args=[project.pk, 1])


def test_the_wizard_refuses_text_that_describes_nothing_on_its_last_step(beginner):
    # Waits on the analyzer's domain-content check in requirements_problem.
    response = wizard_post(
        beginner, 3, "create", name="Notes", description="Mine", requirements=GIBBERISH
    )

    problem = requirements_problem(GIBBERISH)
    assert problem is not None
    assert 'data-step="3"' in response.text
    assert escape(problem) in response.text
    assert f"{GIBBERISH}</textarea>" in response.text
    assert '<input type="hidden" name="name" value="Notes">' in response.text
    assert not Project.objects.exists()


def test_the_wizard_refuses_empty_text_on_its_last_step(beginner):
    response = wizard_post(beginner, 3, "create", name="Notes", requirements="   ")

    assert 'data-step="3"' in response.text
    assert "The requirements are empty" in response.text
    assert not Project.objects.exists()


def test_the_wizard_refuses_an_emoji_name_on_its_first_step(beginner):
    response = wizard_post(beginner, 1, name="📚🎉", requirements=LIBRARY)

    assert 'data-step="1"' in response.text
    assert "Use at least one letter or digit" in response.text
    assert 'value="📚🎉"' in response.text


def test_an_emoji_name_that_reaches_create_sends_the_wizard_back_to_its_first_step(beginner):
    response = wizard_post(beginner, 3, "create", name="🎉", requirements=LIBRARY)

    assert 'data-step="1"' in response.text
    assert "Use at least one letter or digit" in response.text
    assert '<input type="hidden" name="requirements" value="' in response.text
    assert not Project.objects.exists()


@pytest.mark.parametrize("form", ["quick", "wizard"])
def test_limited_fields_carry_their_limit_for_the_live_counter(client, owner, settings, form):
    # static/js/takoss.js counts against data-max-chars; requirements get no maxlength, which
    # would cut a pasted text silently
    settings.TAKOSS_MAX_REQUIREMENTS_CHARS = 1234
    client.force_login(owner)
    quick = client.get(f"{URL}?form=quick").text
    assert 'data-max-chars="1234"' in quick and 'data-max-chars="120"' in quick
    assert 'maxlength="1234"' not in quick
    if form == "wizard":
        html = wizard_post(client, 2, name="Shop", description="A shop.").text
        assert 'data-max-chars="1234"' in html
