"""Regenerate while a run is live: the button is disabled, and the server refuses a second run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generator.models import Generation
from generator.services import RunInProgressError, generation_regenerate
from tests.generator.helpers import make_finished_run, make_live_run

pytestmark = pytest.mark.django_db


def _regenerate_button(html: str) -> str:
    start = html.index('data-testid="regenerate-button"')
    return html[start : html.index(">", start)]


def test_the_service_refuses_to_regenerate_while_a_run_is_live(project, owner):
    live = make_live_run(project)
    with pytest.raises(RunInProgressError, match="Run 1 of this project is still in progress"):
        generation_regenerate(project=project, user=owner)
    assert list(project.generations.values_list("pk", flat=True)) == [live.pk]


def test_the_page_disables_regenerate_while_a_run_is_live_and_says_why(client, owner, project):
    make_finished_run(project)
    make_live_run(project, number=2)
    client.force_login(owner)

    # Even on the finished run's own page, the project has a live run
    html = client.get(reverse("generator:run", args=[project.pk, 1])).text

    assert "disabled" in _regenerate_button(html)
    assert "Run 2 is in progress." in html


def test_the_button_comes_back_when_the_run_ends(client, owner, project):
    live = make_live_run(project)
    client.force_login(owner)
    Generation.objects.filter(pk=live.pk).update(status="succeeded", progress=100)

    # The finished run's section is fetched by htmx; the button is swapped out-of-band
    html = client.get(reverse("generator:run", args=[project.pk, 1]), HTTP_HX_REQUEST="true").text

    assert 'id="regenerate-form"' in html and 'hx-swap-oob="true"' in html
    assert "disabled" not in _regenerate_button(html)


def test_a_second_regenerate_post_starts_nothing_and_says_why(client, owner, project):
    make_live_run(project)
    client.force_login(owner)

    response = client.post(reverse("generator:project_regenerate", args=[project.pk]), follow=True)

    assert response.redirect_chain == [(reverse("generator:run", args=[project.pk, 1]), 302)]
    assert "Run 1 of this project is still in progress" in response.text
    assert project.generations.count() == 1


def test_the_api_answers_409_with_the_live_run(owner, project):
    from rest_framework.test import APIClient

    from tests.api.conftest import bearer

    live = make_live_run(project)
    api = APIClient()
    api.credentials(**bearer(owner))

    response = api.post(f"/api/projects/{project.pk}/regenerate")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "run_in_progress"
    assert body["details"] == {"generationId": live.pk, "number": 1}
    assert project.generations.count() == 1
