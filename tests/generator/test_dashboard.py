"""The dashboard: what tells two projects apart, and the one staff rule (staff see all)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from generator.models import Generation, Project
from generator.services import project_create
from tests.generator.helpers import SPEC, TASK_MANAGER, make_finished_run

pytestmark = pytest.mark.django_db


def _named(owner, name: str) -> Project:
    return project_create(
        owner=owner, name=name, description="", requirements=TASK_MANAGER, stack="django"
    )


def test_staff_see_everyones_projects_marked_with_their_owner(client, staff, owner):
    _named(owner, "Owner's app")
    _named(staff, "Staff app")
    client.force_login(staff)

    response = client.get(reverse("generator:dashboard"))

    rows = {p.name: p for p in response.context["page"]}
    assert set(rows) == {"Owner's app", "Staff app"}
    assert response.text.count('data-testid="owner-tag"') == 1
    assert "owner@example.com\u2019s project" in response.text
    assert "All projects" in response.text


def test_owners_see_only_their_own_projects_unmarked(client, owner, staff):
    _named(owner, "Owner's app")
    _named(staff, "Staff app")
    client.force_login(owner)

    response = client.get(reverse("generator:dashboard"))

    assert [p.name for p in response.context["page"]] == ["Owner's app"]
    assert 'data-testid="owner-tag"' not in response.text
    assert "Your projects" in response.text


def test_same_named_projects_differ_by_time_entities_and_download(client, owner):
    # Given two projects of the same name: one with two runs (the newer failed), one without
    first = _named(owner, "Shop")
    Project.objects.filter(pk=first.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 7))
    )
    make_finished_run(first)
    Generation.objects.create(project=first, number=2, status="failed", progress=40)
    _named(owner, "Shop")
    client.force_login(owner)

    # When the owner opens the dashboard
    response = client.get(reverse("generator:dashboard"))

    # Then the older one shows its time, its entity count and the download of run 1
    assert "4 Mar 2026, 09:07" in response.text
    download = reverse("generator:run_download", args=[first.pk, 1])
    assert response.text.count('data-testid="download-link"') == 1
    assert f'href="{download}"' in response.text
    assert f'<td data-label="Entities">{len(SPEC["entities"])}</td>' in response.text
    # And the polled row says the same
    row = client.get(reverse("generator:project_row", args=[first.pk]))
    assert f'href="{download}"' in row.text
