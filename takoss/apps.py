"""The admin's app config: points ``admin.site`` at Takoss's own site (takoss/admin.py)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class TakossAdminConfig(AdminConfig):
    default_site = "takoss.admin.TakossAdminSite"
