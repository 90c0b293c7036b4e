"""URLs of the REST API, mounted at ``/api/`` (namespace ``api``)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from generator.api import preview, streams, versions, views
from generator.api import schema as _schema  # noqa: F401  (registers the auth extensions)

app_name = "api"

urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("examples", views.ExamplesView.as_view(), name="examples"),
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/refresh", views.RefreshView.as_view(), name="refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/me", views.MeView.as_view(), name="me"),
    path("auth/api-keys", views.ApiKeysView.as_view(), name="api_keys"),
    path("auth/api-keys/<int:pk>", views.ApiKeyView.as_view(), name="api_key"),
    path("generate", views.GenerateView.as_view(), name="generate"),
    path("generate/stream", streams.generate_stream, name="generate_stream"),
    path("generations/<int:pk>", views.GenerationView.as_view(), name="generation"),
    path("generations/<int:pk>/events", streams.generation_events, name="generation_events"),
    path(
        "generations/<int:pk>/cancel",
        views.GenerationCancelView.as_view(),
        name="generation_cancel",
    ),
    path("projects", views.ProjectsView.as_view(), name="projects"),
    path("projects/<int:pk>", views.ProjectView.as_view(), name="project"),
    path(
        "projects/<int:pk>/regenerate",
        views.ProjectRegenerateView.as_view(),
        name="project_regenerate",
    ),
    path(
        "projects/<int:pk>/download", views.ProjectDownloadView.as_view(), name="project_download"
    ),
    path("projects/<int:pk>/files", views.ProjectFilesView.as_view(), name="project_files"),
    path(
        "projects/<int:pk>/files/<path:path>", views.ProjectFileView.as_view(), name="project_file"
    ),
    path("projects/<int:pk>/spec", versions.ProjectSpecView.as_view(), name="project_spec"),
    path(
        "projects/<int:pk>/changes", versions.ProjectChangesView.as_view(), name="project_changes"
    ),
    path("projects/<int:pk>/versions", versions.VersionsView.as_view(), name="versions"),
    path("projects/<int:pk>/versions/<int:number>", versions.VersionView.as_view(), name="version"),
    path(
        "projects/<int:pk>/versions/<int:number>/build",
        versions.VersionBuildView.as_view(),
        name="version_build",
    ),
    path(
        "projects/<int:pk>/versions/<int:number>/restore",
        versions.VersionRestoreView.as_view(),
        name="version_restore",
    ),
    path("projects/<int:pk>/diff", versions.ProjectDiffView.as_view(), name="project_diff"),
    path("projects/<int:pk>/preview", preview.ProjectPreviewView.as_view(), name="project_preview"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
