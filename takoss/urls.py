"""Top-level URL map."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from takoss import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("generator.api.urls")),
    path("", include("generator.urls")),
]
