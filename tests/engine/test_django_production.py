"""The Django stack's output is ready for production, and specs that broke verification verify.

Production: with DJANGO_DEBUG off the generated settings pass ``check --deploy`` without being
told anything but a key and the hosts; the compose file, .env.example, Dockerfile, CI workflow
and Makefile say what a deployment needs. Imports: models.py and the migration import what the
fields' types and validators need, whatever their free text says.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django_specs import rich_spec
from test_django_stack import assert_sound, render, ruff_check, run_check, write

from generator.engine.spec import AppSpec
from generator.engine.stacks.django import DjangoStack

# Words Takoss writes into models.py, said by free text instead.
CODE_WORDS = "uuid.uuid4() Decimal('1') MinValueValidator(2) MaxValueValidator(3) builtins.dict"
HOSTILE: dict[str, Any] = {
    "name": "Hostile Notes",
    "entities": [
        {
            "name": "Note",
            "fields": [
                {"name": "title", "type": "string", "default": CODE_WORDS},
                {"name": "body", "type": "text", "required": False, "help_text": CODE_WORDS},
                {"name": "dict", "type": "string", "required": False, "label": CODE_WORDS},
                {"name": "data", "type": "json", "required": False},
            ],
        },
        {
            "name": "Sheet",
            "fields": [
                {"name": "dict", "type": "json"},  # its own name, used as its default
                {"name": "extra", "type": "json", "required": False},
            ],
        },
    ],
}
PRODUCTION = {  # all a deployment must say; everything else has a production default
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    "DJANGO_ALLOWED_HOSTS": "app.example.com",
}
_DROPPED = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL")


def files_of(spec: AppSpec) -> dict[str, str]:
    return {f.path: f.content for f in render(spec)}


def import_block(source: str) -> str:
    """The module's import lines."""
    return "\n".join(re.findall(r"^(?:import|from) .*$", source, flags=re.MULTILINE))


def manage(root: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in _DROPPED} | env
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def shell(root: Path, env: dict[str, str], code: str) -> Any:
    """What ``code`` (run by ``manage.py shell``) prints as JSON on its last line."""
    done = manage(root, env, "shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("production")
    write(render(rich_spec(auth=True)), root)
    return root


# --- imports decided by the spec's structure ---------------------------------------------------


def test_free_text_that_reads_like_code_adds_no_import(tmp_path: Path) -> None:
    files = render(AppSpec.from_data(HOSTILE))
    assert_sound(files)
    models = import_block(next(f.content for f in files if f.path == "core/models.py"))
    for word in ("uuid", "decimal", "MinValueValidator", "MaxValueValidator", "validators"):
        assert word not in models, word
    write(files, tmp_path)
    done = ruff_check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("field", "model_import", "migration_import"),
    [
        ({"name": "token", "type": "uuid"}, "import uuid", "import uuid"),
        (
            {"name": "price", "type": "decimal", "default": "1.50"},
            "from decimal import Decimal",
            "import decimal",
        ),
        (
            {"name": "seats", "type": "integer", "min_value": 1},
            "from django.core.validators import MinValueValidator",
            "import django.core.validators",
        ),
        (
            {"name": "rent", "type": "decimal", "max_value": 9000},
            "from django.core.validators import MaxValueValidator",
            "import decimal",
        ),
        (
            {"name": "photo", "type": "image"},
            "from core.validators import validate_upload_size",
            "import core.validators",
        ),
    ],
    ids=["uuid", "decimal-default", "min", "decimal-max", "upload"],
)
def test_a_field_brings_the_imports_its_declaration_uses(
    field: dict[str, Any], model_import: str, migration_import: str
) -> None:
    spec = {"name": "One", "entities": [{"name": "Item", "fields": [{"name": "title"}, field]}]}
    files = files_of(AppSpec.from_data(spec))
    assert model_import in import_block(files["core/models.py"])
    assert migration_import in import_block(files["core/migrations/0001_initial.py"])


def test_a_field_named_dict_leaves_json_defaults_callable() -> None:
    files = files_of(AppSpec.from_data(HOSTILE))
    models, migration = files["core/models.py"], files["core/migrations/0001_initial.py"]
    assert "import builtins" in import_block(models)
    assert models.count("default=builtins.dict") == 3  # Note.data, Sheet.dict, Sheet.extra
    assert "import builtins" not in migration and migration.count("default=dict") == 3
    plain = files_of(rich_spec(auth=False))["core/models.py"]
    assert "builtins" not in plain and "default=dict" in plain


@pytest.mark.parametrize(
    ("kind", "uses"),
    [("date", "import datetime"), ("decimal", "from decimal import Decimal"), ("integer", "")],
)
def test_rule_tests_import_what_the_compared_types_need(kind: str, uses: str) -> None:
    fields = [{"name": "low", "type": kind}, {"name": "high", "type": kind}]
    rule = {"field": "high", "op": "gt", "other": "low", "message": "datetime. Decimal("}
    spec = {"name": "R", "entities": [{"name": "Span", "fields": fields, "comparisons": [rule]}]}
    imports = import_block(files_of(AppSpec.from_data(spec))["core/tests/test_rules.py"])
    assert [
        line for line in ("import datetime", "from decimal import Decimal") if line in imports
    ] == ([uses] if uses else [])


@pytest.mark.slow
def test_specs_that_broke_verification_pass_their_own_checks(tmp_path: Path) -> None:
    spec = AppSpec.from_data(HOSTILE)
    write(render(spec), tmp_path)
    for check in DjangoStack().checks(spec):
        done = run_check(check, tmp_path)
        assert done.returncode == 0, f"{check.key}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


# --- production settings ---------------------------------------------------------------------

SETTINGS_AS_JSON = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
    "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],"
    "'proxy': s.SECURE_PROXY_SSL_HEADER, 'admins': s.ADMINS,"
    "'auth': s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'],"
    "'throttles': s.REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES'],"
    "'static': s.STORAGES['staticfiles']['BACKEND'], 'middleware': s.MIDDLEWARE}))"
)


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_being_asked(project: Path) -> None:
    done = manage(project, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    env = PRODUCTION | {"DJANGO_ADMINS": "ops@example.com, dev@example.com"}
    found = shell(project, env, SETTINGS_AS_JSON)
    assert found["redirect"] and found["hsts"] > 0 and found["cookies"] == [True, True]
    assert found["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["admins"] == ["ops@example.com", "dev@example.com"]
    assert not any("Basic" in name for name in found["auth"])
    assert any("Token" in name for name in found["auth"]) and len(found["throttles"]) == 2
    assert found["static"].startswith("whitenoise.") and "django.views.static" not in found
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in found["middleware"]


@pytest.mark.slow
def test_a_made_up_forwarded_for_header_does_not_escape_throttling(project: Path) -> None:
    code = (
        "import json; from rest_framework.test import APIRequestFactory;"
        "from rest_framework.throttling import AnonRateThrottle;"
        "r = APIRequestFactory().get('/api/', HTTP_X_FORWARDED_FOR='10.9.9.9',"
        " REMOTE_ADDR='10.0.0.1');"
        "print(json.dumps(AnonRateThrottle().get_ident(r)))"
    )
    assert shell(project, PRODUCTION, code) == "10.0.0.1"
    behind_one_proxy = PRODUCTION | {"DJANGO_NUM_PROXIES": "1"}
    assert shell(project, behind_one_proxy, code) == "10.9.9.9"


@pytest.mark.slow
def test_check_deploy_fails_when_https_is_switched_off(project: Path) -> None:
    env = PRODUCTION | {"DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    done = manage(project, env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W008" in done.stderr and "security.W004" in done.stderr


@pytest.mark.slow
def test_development_keeps_basic_auth_and_plain_http(project: Path) -> None:
    found = shell(project, {"DJANGO_DEBUG": "1"}, SETTINGS_AS_JSON)
    assert not found["redirect"] and found["hsts"] == 0 and found["proxy"] is None
    assert any("Basic" in name for name in found["auth"])


@pytest.mark.slow
def test_health_answers_the_local_probe_and_errors_reach_the_console(project: Path) -> None:
    code = (
        "import json, logging; from django.test import Client; c = Client();"
        "logging.getLogger('django.request').error('traceback-goes-here');"
        "print(json.dumps([c.get('/health/', HTTP_HOST='127.0.0.1:8000').status_code,"
        " c.get('/', HTTP_HOST='127.0.0.1:8000').status_code,"
        " c.get('/', HTTP_HOST='app.example.com').status_code]))"
    )
    done = manage(project, PRODUCTION, "shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stdout + done.stderr
    # Plain HTTP from any host reaches /health/; the rest needs an allowed host and HTTPS.
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [200, 400, 301]
    assert "ERROR django.request traceback-goes-here" in done.stderr


@pytest.mark.slow
def test_uploads_above_the_limit_are_refused(project: Path) -> None:
    code = (
        "import json; from django.apps import apps; from django.core.exceptions import "
        "ValidationError; from django.core.files.uploadedfile import SimpleUploadedFile;"
        "from core.validators import validate_upload_size as v\n"
        "def refused(size):\n"
        "    try: v(SimpleUploadedFile('f.bin', b'x' * size))\n"
        "    except ValidationError: return True\n"
        "    return False\n"
        "fields = [f for m in apps.get_app_config('core').get_models() for f in m._meta.fields"
        " if f.get_internal_type() in {'FileField', 'ImageField'}]\n"
        "print(json.dumps([refused(2**20), refused(2**20 + 1), len(fields),"
        " all(v in f.validators for f in fields)]))"
    )
    found = shell(project, PRODUCTION | {"DJANGO_MAX_UPLOAD_MB": "1"}, code)
    assert found == [False, True, 4, True]


# --- deployment files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployment() -> dict[str, str]:
    return files_of(rich_spec(auth=True))


def test_compose_reads_env_holds_no_secret_and_migrates_apart(deployment: dict[str, str]) -> None:
    compose = yaml.safe_load(deployment["docker-compose.yml"])
    services = compose["services"]
    for name in ("migrate", "web"):
        assert services[name]["env_file"] == ".env"
        assert "DJANGO_SECRET_KEY" not in services[name].get("environment", {})
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "migrate" not in json.dumps(services["web"].get("command", ""))


def test_env_example_names_every_variable_read(deployment: dict[str, str]) -> None:
    example = deployment[".env.example"]
    keys = set(re.findall(r"\b([A-Z_]+)=", example))  # set, or named in a comment
    read = set(re.findall(r"\b(DJANGO_[A-Z_]+|DATABASE_URL)\b", deployment["config/settings.py"]))
    read |= set(re.findall(r"\$\{([A-Z_]+)", deployment["docker-compose.yml"]))
    image_sets = {"DJANGO_MEDIA_ROOT"}  # the Dockerfile's ENV
    assert read - image_sets - keys <= {"DATABASE_URL"} and "DATABASE_URL" in example
    assert not re.search(r"^DJANGO_SECRET_KEY=.", example, re.MULTILINE)


def test_dockerfile_runs_read_only_code_as_the_app_user(deployment: dict[str, str]) -> None:
    dockerfile = deployment["Dockerfile"]
    assert "USER app" in dockerfile and "--chown" not in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n.*/health/", dockerfile, re.MULTILINE)
    command = dockerfile.strip().splitlines()[-1]
    assert command.startswith("CMD") and "gunicorn" in command and "migrate" not in command


def test_ci_runs_on_postgres_with_debug_off_and_checks_deploy(deployment: dict[str, str]) -> None:
    job = yaml.safe_load(deployment[".github/workflows/ci.yml"])["jobs"]["test"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert job["env"]["DJANGO_DEBUG"] == "0"
    assert job["env"]["DATABASE_URL"].startswith("postgres://")
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "manage.py check --deploy --fail-level WARNING" in runs


@pytest.mark.slow
def test_make_install_finds_a_python_new_enough_or_says_why(
    deployment: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "Makefile").write_text(deployment["Makefile"], encoding="utf-8")
    old = tmp_path / "python3.11"
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")  # fails the version test
    old.chmod(0o755)
    refused = subprocess.run(
        ["make", "venv", f"CANDIDATES={old} {tmp_path / 'missing'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0 and "needs Python 3.12 or newer" in refused.stderr
    assert not (tmp_path / ".venv").exists()
    made = subprocess.run(
        ["make", "venv", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    version = subprocess.run(
        [tmp_path / ".venv/bin/python", "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"
    assert "python3 -m venv" not in deployment["README.md"]
