"""The admin site: Takoss's own titles, and one "Accounts" section for our users and allauth's.

allauth's ``account`` app (e-mail addresses) and our ``accounts`` app (users, API keys) are both
called "Accounts"; the index would show two sections of that name. The site merges allauth's
models into ours on the index only: their URLs stay ``/admin/account/…``, so allauth is untouched.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

# App labels folded into another app's section on the admin index: {from: into}.
MERGED_SECTIONS = {"account": "accounts"}


class TakossAdminSite(admin.AdminSite):
    site_header = "Takoss administration"
    site_title = "Takoss admin"
    index_title = "Users, projects and runs"

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        by_label = {app["app_label"]: app for app in apps}
        for source, target in MERGED_SECTIONS.items():
            if source in by_label and target in by_label:
                merged = by_label[target]
                merged["models"] = sorted(
                    merged["models"] + by_label.pop(source)["models"], key=lambda m: m["name"]
                )
        return [app for app in apps if app["app_label"] in by_label]
