"""URLs of the project pages and of each run's event stream (served by django-eventstream)."""

from __future__ import annotations

from django.urls import path, re_path

from generator import preview_proxy, views, views_plan, views_preview, views_versions
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

# Change requests and spec versions (generator/views_versions.py).
urlpatterns += [
    path("projects/<int:pk>/changes/", views_versions.changes, name="changes"),
    path(
        "projects/<int:pk>/changes/confirm/", views_versions.change_confirm, name="change_confirm"
    ),
    path(
        "projects/<int:pk>/changes/discard/", views_versions.change_discard, name="change_discard"
    ),
    path(
        "projects/<int:pk>/requirements/",
        views_versions.requirements_edit,
        name="requirements_edit",
    ),
    path("projects/<int:pk>/versions/", views_versions.versions, name="versions"),
    path(
        "projects/<int:pk>/versions/<int:number>/download/",
        views_versions.version_download,
        name="version_download",
    ),
    path(
        "projects/<int:pk>/versions/<int:number>/build/",
        views_versions.version_build_start,
        name="version_build",
    ),
    path(
        "projects/<int:pk>/versions/<int:number>/restore/",
        views_versions.version_restore_start,
        name="version_restore",
    ),
    path("projects/<int:pk>/compare/", views_versions.compare, name="compare"),
]

# The editable plan (generator/views_plan.py).
urlpatterns += [
    path("projects/new/plan/", views_plan.project_new_plan, name="project_new_plan"),
    path("projects/<int:pk>/plan/", views_plan.plan_page, name="plan"),
    path("projects/<int:pk>/plan/edit/", views_plan.plan_edit, name="plan_edit"),
    path("projects/<int:pk>/plan/spec/", views_plan.plan_spec, name="plan_spec"),
    path("projects/<int:pk>/plan/commit/", views_plan.plan_commit, name="plan_commit"),
    path("projects/<int:pk>/plan/discard/", views_plan.plan_discard, name="plan_discard"),
]

# The live preview: the panel's actions (generator/views_preview.py) and the proxy to the app
# (generator/preview_proxy.py), whose path is everything after the prefix.
urlpatterns += [
    path("projects/<int:pk>/preview-panel/", views_preview.preview_panel, name="preview_panel"),
    path(
        "projects/<int:pk>/preview-start/", views_preview.preview_start_view, name="preview_start"
    ),
    path("projects/<int:pk>/preview-stop/", views_preview.preview_stop_view, name="preview_stop"),
    path(
        "projects/<int:pk>/preview-sign-in/", views_preview.preview_sign_in, name="preview_sign_in"
    ),
    re_path(
        r"^projects/(?P<pk>[0-9]+)/preview/(?P<path>.*)$",
        preview_proxy.preview_proxy,
        name="preview",
    ),
]
