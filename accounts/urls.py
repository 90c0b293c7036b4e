"""Account pages of our own; sign-up, login and passwords are allauth's, under /accounts/."""

from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/provider-keys/", views.provider_key_add, name="provider_key_add"),
    path(
        "settings/provider-keys/<int:key_id>/delete/",
        views.provider_key_remove,
        name="provider_key_delete",
    ),
    path("settings/model-check/", views.model_check_page, name="model_check"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.api_key_revoke_page, name="api_key_revoke"),
]
