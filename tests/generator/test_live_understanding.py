"""The new-project page's live panel: what Takoss reads from the requirements as they are typed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from generator import views
from generator.engine.analysis import requirements_problem
from generator.engine.spec import FieldType, RelationKind
from generator.templatetags.spec_words import (
    FIELD_TYPES,
    RELATION_KINDS,
    field_type,
    relationship_sentence,
)
from tests.generator.helpers import GIBBERISH, TASK_MANAGER, make_finished_run

pytestmark = pytest.mark.django_db

URL = "/projects/understand/"
HTMX = {"HTTP_HX_REQUEST": "true"}
VOLUNTEERS = (
    "A volunteer scheduling app for a food bank. Volunteers sign up for shifts at different "
    "locations. Each shift has a date, start time, end time and the number of volunteers "
    "needed. Coordinators manage locations and thank donors."
)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the limiter counts in the default cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def understand(client, requirements: str, **fields: str):
    return client.post(URL, {"requirements": requirements, **fields}, **HTMX)


# --- who may ask ------------------------------------------------------------------------------


def test_the_endpoint_is_where_the_page_says_it_is():
    assert reverse("generator:project_understand") == URL


def test_anonymous_visitors_are_sent_to_log_in_and_read_nothing(client):
    response = client.post(URL, {"requirements": TASK_MANAGER})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_takes_posts_only(signed_in):
    assert signed_in.get(URL, {"requirements": TASK_MANAGER}).status_code == 405


def test_it_needs_the_csrf_token_the_page_sends(owner):
    # Given a browser-like client that enforces CSRF, signed in, with the site's cookie
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get("/projects/new/?form=quick")
    token = page.cookies["csrftoken"].value
    # When it posts without the token, then with it in htmx's header (base.html's hx-headers)
    refused = client.post(URL, {"requirements": TASK_MANAGER}, **HTMX)
    accepted = client.post(URL, {"requirements": TASK_MANAGER}, HTTP_X_CSRFTOKEN=token, **HTMX)
    # Then only the second is read
    assert refused.status_code == 403
    assert accepted.status_code == 200 and 'data-entity="Task"' in accepted.text


# --- what the panel shows -----------------------------------------------------------------------


def test_a_description_gives_entities_fields_relationships_in_words_roles_and_warnings(signed_in):
    response = understand(signed_in, VOLUNTEERS, name="Food bank")

    text = response.text
    assert response.status_code == 200
    assert text.lstrip().startswith('<div class="understanding__state"')  # a fragment, no page
    assert 'data-state="understood"' in text
    for entity in ("Shift", "Location"):
        assert f'data-entity="{entity}"' in text
    assert "<code>start_time</code></td><td>time</td>" in text
    assert "<code>volunteers_needed</code></td><td>integer (≥ 1)</td>" in text
    assert "(many to one)" in text and "many_to_one" not in text
    assert "Each Shift belongs to one Location; each Location can have many Shifts." in text
    assert "Volunteer, Coordinator" in text  # the user roles
    assert "&#x27;donors&#x27; is mentioned but was not modelled" in text  # a warning
    assert "read as a user role (Volunteer), not a table" in text  # a note
    assert 'data-testid="spec-confidence"' in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram"' in text
    assert "3 entities, 3 relationships, 2 user roles, 1 warning." in " ".join(text.split())


def test_text_the_analyzer_refuses_shows_its_reason_and_what_to_write(signed_in):
    response = understand(signed_in, GIBBERISH)

    assert response.status_code == 200
    assert 'data-state="problem"' in response.text
    assert escape(requirements_problem(GIBBERISH)) in response.text
    assert "data-entity" not in response.text


def test_text_over_the_forms_limit_says_how_long_it_is_and_the_limit(signed_in, settings):
    settings.TAKOSS_MAX_REQUIREMENTS_CHARS = 200
    long_text = (TASK_MANAGER + " ") * 3

    response = understand(signed_in, long_text)

    assert response.status_code == 200
    assert 'data-state="problem"' in response.text
    assert f"too long ({len(long_text.strip())} characters); use at most 200" in response.text


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_gives_a_short_hint(signed_in, text):
    response = understand(signed_in, text)

    assert 'data-state="empty"' in response.text
    assert "Describe your app and Takoss shows here what it reads" in response.text


def test_a_name_the_form_refuses_does_not_stop_the_reading(signed_in):
    response = understand(signed_in, TASK_MANAGER, name="📚🎉")

    assert 'data-state="understood"' in response.text and 'data-entity="Task"' in response.text


def test_too_many_updates_are_refused_in_the_panel_with_the_wait(signed_in, monkeypatch):
    monkeypatch.setattr(views, "UNDERSTAND_RATE", "2/minute")

    answers = [understand(signed_in, TASK_MANAGER) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 'data-state="limited"' in answers[2].text
    assert "the panel follows your text again in" in answers[2].text


# --- the page around it ------------------------------------------------------------------------


def _textarea(html: str) -> str:
    start = html.index('<textarea name="requirements"')
    return html[start : html.index(">", start)]


def test_the_quick_form_has_the_panel_beside_the_text_and_the_text_drives_it(signed_in, owner):
    owner.experience_level = "experienced"
    owner.save()

    html = signed_in.get("/projects/new/").text

    assert '<div class="compose compose--live">' in html
    assert (
        '<section id="understanding" class="understanding" aria-labelledby="understanding-title" '
        'aria-live="polite"' in html
    )
    assert '<h2 id="understanding-title">What Takoss understands' in html
    assert 'data-state="empty"' in html
    textarea = _textarea(html)
    for attribute in (
        f'hx-post="{URL}"',
        'hx-trigger="input changed delay:300ms"',
        'hx-sync="this:replace"',
        'hx-target="#understanding-body"',
        'hx-include="closest form"',
    ):
        assert attribute in textarea


def test_an_example_is_read_as_soon_as_the_page_opens(signed_in):
    html = signed_in.get("/projects/new/?form=quick&example=task-manager").text

    assert 'data-state="understood"' in html and 'data-entity="Task"' in html


def test_the_wizard_shows_the_panel_on_its_requirements_step_only(signed_in):
    first = signed_in.get("/projects/new/?form=wizard")
    last = signed_in.post(
        "/projects/new/",
        {"form_kind": "wizard", "step": 3, "action": "back", "name": "Tasks"},
        **HTMX,
    )
    requirements = signed_in.post(
        "/projects/new/",
        {"form_kind": "wizard", "step": 2, "name": "Tasks", "requirements": TASK_MANAGER},
        **HTMX,
    )

    assert 'id="understanding"' not in first.text
    assert 'data-step="2"' in last.text and 'id="understanding"' not in last.text
    assert 'data-step="3"' in requirements.text
    assert 'id="understanding"' in requirements.text and 'data-entity="Task"' in requirements.text
    assert 'hx-post="/projects/understand/"' in _textarea(requirements.text)


# --- the same words on the run page -----------------------------------------------------------


def test_the_run_page_says_relationships_and_types_in_words_too(client, owner, project):
    client.force_login(owner)
    run = make_finished_run(project)

    text = client.get(reverse("generator:run", args=[project.pk, run.number])).text

    assert "(many to one)" in text and "many_to_one" not in text
    assert "Each Task belongs to one Project; each Project can have many Tasks." in text


def test_every_field_type_and_relationship_kind_has_words():
    assert set(FIELD_TYPES) == set(FieldType)
    assert set(RELATION_KINDS) == set(RelationKind)
    assert field_type("datetime") == "date and time" and field_type("enum") == "choice"
    assert field_type("some_new_type") == "some new type"


@pytest.mark.parametrize(
    ("relationship", "words"),
    [
        (
            {"kind": "many_to_one", "source": "Dog", "target": "Client", "name": "client"},
            "Each Dog belongs to one Client; each Client can have many Dogs.",
        ),
        (
            {
                "kind": "many_to_one",
                "source": "Task",
                "target": "User",
                "name": "assignee",
                "required": False,
            },
            "Each Task may belong to one User (its assignee); each User can have many Tasks.",
        ),
        (
            {"kind": "one_to_one", "source": "Profile", "target": "User", "name": "user"},
            "Each Profile belongs to one User; each User can have at most one Profile.",
        ),
        (
            {"kind": "many_to_many", "source": "Post", "target": "Category", "name": "categories"},
            "Each Post can have many Categories; each Category can belong to many Posts.",
        ),
    ],
)
def test_a_relationship_is_said_both_ways(relationship, words):
    spec = {"entities": [{"name": "Category", "plural": "Categories"}]}
    assert relationship_sentence(relationship, spec) == words
