from __future__ import annotations

from django.apps import AppConfig


class GeneratorConfig(AppConfig):
    name = "generator"
    verbose_name = "Generator"

    def ready(self) -> None:
        from django.conf import settings

        from generator.engine import sandbox

        # Takoss's own secrets on disk: never visible to generated code, even if a bound
        # folder (the venv, the interpreter's prefix) happened to hold them.
        hidden: list[str] = [str(settings.MEDIA_ROOT)]
        for database in settings.DATABASES.values():
            name = str(database.get("NAME", ""))
            if str(database.get("ENGINE", "")).endswith("sqlite3") and name != ":memory:":
                hidden.append(name)
        if key_file := getattr(settings, "TAKOSS_SECRET_KEY_FILE", None):
            hidden.append(str(key_file))
        sandbox.configure(mode=settings.TAKOSS_SANDBOX, hidden=hidden)
