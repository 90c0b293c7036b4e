"""Which template makes which file, phase by phase: the Django stack's file list, as data.

A path may name ``{snake}``: such a file is rendered once per entity, with ``entity`` in the
context. ``when`` names a ProjectView property that must be true for the file to exist.
Rendering and formatting are stack.py's business.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileTemplate:
    template: str  # relative to templates/
    path: str  # output path; "{snake}" makes it per-entity
    when: str = ""  # ProjectView property that must be true
    executable: bool = False

    @property
    def per_entity(self) -> bool:
        return "{snake}" in self.path


def _same(*paths: str, when: str = "") -> tuple[FileTemplate, ...]:
    """Templates stored under the output path plus ".j2"."""
    return tuple(FileTemplate(f"{path}.j2", path, when=when) for path in paths)


PHASE_FILES: dict[str, tuple[FileTemplate, ...]] = {
    "database": (
        *_same(
            "accounts/__init__.py",
            "accounts/apps.py",
            "accounts/models.py",
            "accounts/migrations/__init__.py",
            "accounts/migrations/0001_initial.py",
            "core/__init__.py",
            "core/models.py",
            "core/migrations/__init__.py",
            "core/migrations/0001_initial.py",
            "docs/er.md",
            "docs/schema.sql",
        ),
        *_same("docs/er.svg", when="entities"),
        *_same("core/validators.py", when="has_files"),
        *_same("core/migrations/0002_roles.py", when="has_roles"),
    ),
    "backend": (
        FileTemplate("manage.py.j2", "manage.py", executable=True),
        *_same(
            "config/__init__.py",
            "config/settings.py",
            "config/health.py",
            "config/urls.py",
            "config/wsgi.py",
            "config/asgi.py",
            "accounts/admin.py",
            "accounts/tests/__init__.py",
            "accounts/tests/test_user.py",
            "core/apps.py",
            "core/admin.py",
            "core/serializers.py",
            "core/filters.py",
            "core/permissions.py",
            "core/api_views.py",
            "core/api_urls.py",
            "core/tests/__init__.py",
            "core/tests/factories.py",
            "core/tests/test_models.py",
            "core/tests/test_api.py",
        ),
        *_same("accounts/tests/test_password_reset.py", when="auth"),
        *_same("core/roles.py", "core/tests/test_roles.py", when="has_roles"),
        *_same("core/tests/test_admin.py", when="auth"),
        *_same("core/media.py", "core/tests/test_media.py", when="has_files"),
    ),
    "frontend": (
        *_same(
            "core/forms.py",
            "core/views.py",
            "core/urls.py",
            "templates/base.html",
            "templates/home.html",
            "static/css/app.css",
            "core/tests/test_pages.py",
        ),
        *_same("core/tests/test_rules.py", when="has_rules"),
        *_same(
            "core/accounts.py",
            "templates/registration/login.html",
            "templates/registration/signup.html",
            "templates/registration/password_reset_form.html",
            "templates/registration/password_reset_done.html",
            "templates/registration/password_reset_confirm.html",
            "templates/registration/password_reset_complete.html",
            "templates/registration/password_reset_email.txt",
            "templates/registration/password_reset_subject.txt",
            when="auth",
        ),
        FileTemplate("templates/core/entity_list.html.j2", "templates/core/{snake}_list.html"),
        FileTemplate("templates/core/entity_detail.html.j2", "templates/core/{snake}_detail.html"),
        FileTemplate("templates/core/entity_form.html.j2", "templates/core/{snake}_form.html"),
        FileTemplate(
            "templates/core/entity_confirm_delete.html.j2",
            "templates/core/{snake}_confirm_delete.html",
        ),
    ),
    "deployment": _same(
        "Dockerfile",
        "docker-compose.yml",
        ".github/workflows/ci.yml",
        ".env.example",
        ".gitignore",
        ".dockerignore",
        "pyproject.toml",
        "requirements.txt",
        "Makefile",
        "README.md",
    ),
}
