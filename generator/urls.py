"""URLs of the project pages and of each run's event stream (served by django-eventstream)."""

from __future__ import annotations

from django.urls import path

from generator import views
from generator.eventstream import events

app_name = "generator"

urlpatterns = [
    path("projects/", views.dashboard, name="dashboard"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/understand/", views.project_understand, name="project_understand"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/row/", views.project_row, name="project_row"),
    path("projects/<int:pk>/regenerate/", views.project_regenerate, name="project_regenerate"),
    path("projects/<int:pk>/delete/", views.project_delete_page, name="project_delete"),
    path("projects/<int:pk>/runs/<int:number>/", views.run_detail, name="run"),
    path("projects/<int:pk>/runs/<int:number>/cancel/", views.run_cancel, name="run_cancel"),
    path("projects/<int:pk>/runs/<int:number>/download/", views.run_download, name="run_download"),
    path("projects/<int:pk>/runs/<int:number>/files/<path:path>", views.run_file, name="run_file"),
    # The run's SSE stream; generator.eventstream.GenerationChannelManager decides who may read.
    path(
        "events/generations/<int:generation_id>/",
        events,
        {"format-channels": ["generation-{generation_id}"]},
        name="events",
    ),
]
