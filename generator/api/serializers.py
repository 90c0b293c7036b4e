"""Input and output shapes of the API (camelCase on the wire).

Input serializers only validate; the services do the writing. Output serializers describe the
dicts views build (generator/api/results.py) so the OpenAPI schema matches what is sent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiKey
from accounts.services import API_KEY_EXPIRY_DAYS
from generator.api.errors import ApiError
from generator.constants import GENERATION_STATUS_CHOICES
from generator.engine.stacks import DEFAULT_STACK, available_stacks
from generator.models import PROJECT_NAME_MAX, VERSION_SOURCE_CHOICES
from generator.services import CHANGE_TEXT_MAX


class StrictCharField(serializers.CharField):
    """A string, and only a string (DRF's CharField quietly turns numbers into text).

    ``max_length`` holds for the string as sent, as the schema says, not only once trimmed.
    """

    default_error_messages = {"invalid_type": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid_type")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)  # type: ignore[no-any-return]


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid_type": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid_type")
        return data


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid_type": "Must be a whole number."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid_type")
        return super().to_internal_value(data)  # type: ignore[no-any-return]


# --- input ------------------------------------------------------------------------------------


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(trim_whitespace=False, max_length=128)
    name = StrictCharField(required=False, allow_blank=True, max_length=150, default="")


class LoginInput(serializers.Serializer):
    email = StrictCharField(max_length=254)
    password = StrictCharField(trim_whitespace=False, max_length=128)


class RefreshInput(serializers.Serializer):
    refresh = StrictCharField()


class LogoutInput(serializers.Serializer):
    refresh = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The refresh token to revoke as well (optional with Bearer auth).",
    )


@extend_schema_field(
    {"type": "integer", "enum": [d for d in API_KEY_EXPIRY_DAYS if d], "nullable": True}
)
class ExpiryDaysField(StrictIntegerField):
    pass


class ApiKeyInput(serializers.Serializer):
    name = StrictCharField(max_length=100)
    expiresInDays = ExpiryDaysField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Days until the key expires: 30, 90 or 365; null or absent for never.",
    )

    def validate_expiresInDays(self, value: int | None) -> int | None:
        if value not in API_KEY_EXPIRY_DAYS:
            raise serializers.ValidationError("Must be 30, 90, 365 or null (never).")
        return value


class GenerateInput(serializers.Serializer):
    projectName = StrictCharField(
        max_length=PROJECT_NAME_MAX,
        help_text="The app's name, in any script; it needs a letter or a digit (emoji or "
        "punctuation alone are a 400).",
    )
    description = StrictCharField(required=False, allow_blank=True, default="")
    requirements = StrictCharField(
        allow_blank=True,  # refused all the same, in the words the web form uses (a 400)
        help_text="What the app should do, in plain language "
        "(at most TAKOSS_MAX_REQUIREMENTS_CHARS characters; more is a 413). Text that "
        "describes nothing to build (empty, or no domain content) is a 400 naming "
        "requirements.",
    )
    stack = serializers.ChoiceField(choices=available_stacks(), default=DEFAULT_STACK)
    wait = StrictBooleanField(
        required=False,
        default=True,
        help_text="POST /api/generate only: false answers 202 at once with the URLs to follow.",
    )
    provider = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Who reads the requirements: offline, anthropic, openai, gemini or "
        "openai-compatible (default: the site's, TAKOSS_DEFAULT_PROVIDER). A model needs your "
        "key (Settings → Model providers; 400 naming provider without one) and budget left "
        "this month (402 budget_exceeded otherwise).",
    )
    model = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The provider's model (default: its usual one); required for openai-compatible.",
    )
    baseUrl = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="openai-compatible only: the server's http(s) address, e.g. "
        "http://127.0.0.1:11434/v1 (default: TAKOSS_OPENAI_COMPATIBLE_BASE_URL).",
    )

    def validate_requirements(self, value: str) -> str:
        limit = settings.TAKOSS_MAX_REQUIREMENTS_CHARS
        if len(value.strip()) > limit:
            raise ApiError(
                f"requirements is too long: {len(value.strip())} characters, the limit is {limit}.",
                code="requirements_too_long",
                status_code=413,
                details={"field": "requirements", "length": len(value.strip()), "limit": limit},
            )
        return value


class SpecInput(serializers.Serializer):
    spec = serializers.DictField(
        help_text="An AppSpec, as GET /api/projects/{id}/spec answers it or takoss --spec takes it."
    )
    version = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="The version this spec was edited from: if the project has a later one now, "
        "the answer is 409 and nothing is saved. Leave it out to save regardless.",
    )


class ChangeInput(serializers.Serializer):
    request = StrictCharField(
        allow_blank=True,  # refused all the same, with the service's example of what to write
        max_length=CHANGE_TEXT_MAX,
        help_text="The change in plain language, e.g. 'add a priority to tasks', "
        "'rename Client to Customer', 'remove comments'.",
    )
    build = StrictBooleanField(
        required=False, default=False, help_text="true also starts a run that builds the version."
    )


# --- output -----------------------------------------------------------------------------------


class ErrorOutput(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField()
    details = serializers.DictField()


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(source="display_name")
    dateJoined = serializers.DateTimeField(source="date_joined")
    isStaff = serializers.BooleanField(source="is_staff")


class AuthOutput(serializers.Serializer):
    user = UserOutput()
    token = serializers.CharField(allow_null=True, help_text="JWT access token (Bearer).")
    refresh = serializers.CharField(allow_null=True, help_text="JWT refresh token.")


class RefreshOutput(serializers.Serializer):
    token = serializers.CharField(help_text="A new JWT access token.")


class ApiKeyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    masked = serializers.CharField()
    status = serializers.ChoiceField(choices=ApiKey.Status.choices)
    createdAt = serializers.DateTimeField(source="created_at")
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)
    revokedAt = serializers.DateTimeField(source="revoked_at", allow_null=True)


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="The full key: shown this once, never again.")


class FileOutput(serializers.Serializer):
    path = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField(required=False)
    phase = serializers.CharField(required=False)
    language = serializers.CharField(required=False)


class PhaseFilesOutput(serializers.Serializer):
    files = serializers.ListField(child=serializers.CharField())
    duration = serializers.FloatField(allow_null=True)


class AnalysisOutput(serializers.Serializer):
    spec = serializers.DictField(allow_null=True, help_text="The AppSpec the analysis produced.")
    warnings = serializers.ListField(child=serializers.CharField())
    duration = serializers.FloatField(allow_null=True)


class PhasesOutput(serializers.Serializer):
    analysis = AnalysisOutput()
    complexity = serializers.DictField(allow_null=True)
    database = PhaseFilesOutput()
    backend = PhaseFilesOutput()
    frontend = PhaseFilesOutput()
    deployment = PhaseFilesOutput()
    verification = serializers.DictField(allow_null=True, help_text="The verification report.")


class ResultOutput(serializers.Serializer):
    success = serializers.BooleanField()
    status = serializers.ChoiceField(choices=GENERATION_STATUS_CHOICES)
    projectId = serializers.IntegerField()
    generationId = serializers.IntegerField()
    stack = serializers.CharField()
    phases = PhasesOutput()
    files = FileOutput(many=True)
    timings = serializers.DictField(child=serializers.FloatField())
    downloadUrl = serializers.URLField(allow_null=True)
    error = serializers.DictField(allow_null=True)


class GenerationUrlsOutput(serializers.Serializer):
    status = serializers.URLField()
    events = serializers.URLField()
    cancel = serializers.URLField()
    project = serializers.URLField()
    download = serializers.URLField(allow_null=True)


class ModelUsageOutput(serializers.Serializer):
    provider = serializers.CharField(help_text="offline, anthropic, openai, gemini, …")
    model = serializers.CharField(allow_blank=True)
    inputTokens = serializers.IntegerField()
    outputTokens = serializers.IntegerField()
    costUsd = serializers.CharField(
        allow_null=True, help_text="A decimal string; null when the model's price is unknown."
    )
    fellBack = serializers.BooleanField(help_text="The model failed; the offline analyzer read.")
    warning = serializers.CharField(allow_blank=True)


class GenerationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    projectId = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GENERATION_STATUS_CHOICES)
    progress = serializers.IntegerField()
    currentPhase = serializers.CharField(allow_blank=True)
    lastEventId = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    createdAt = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    finishedAt = serializers.DateTimeField(allow_null=True)
    urls = GenerationUrlsOutput()
    result = ResultOutput(allow_null=True, help_text="Once the run has finished.")
    model = ModelUsageOutput(
        allow_null=True, help_text="Who read the requirements and what it cost; null: none read."
    )


class GenerateAcceptedOutput(serializers.Serializer):
    projectId = serializers.IntegerField()
    generationId = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GENERATION_STATUS_CHOICES)
    urls = GenerationUrlsOutput()


class LastRunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GENERATION_STATUS_CHOICES)
    progress = serializers.IntegerField()


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = serializers.EmailField(help_text="Staff see everyone's projects: whose this one is.")
    description = serializers.CharField(allow_blank=True)
    requirements = serializers.CharField()
    stack = serializers.CharField()
    provider = serializers.CharField(help_text="Who reads the requirements: offline or a provider.")
    model = serializers.CharField(allow_blank=True)
    baseUrl = serializers.CharField(allow_blank=True, help_text="openai-compatible only.")
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    lastRun = LastRunOutput(allow_null=True)
    url = serializers.URLField()


class ProjectDetailOutput(ProjectOutput):
    runs = GenerationOutput(many=True)


class TreeNodeOutput(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    type = serializers.ChoiceField(choices=["directory", "file"])
    size = serializers.IntegerField(required=False)
    children = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Nodes of the same shape."
    )


class FilesOutput(serializers.Serializer):
    projectId = serializers.IntegerField()
    generationId = serializers.IntegerField()
    count = serializers.IntegerField()
    files = FileOutput(many=True)
    tree = TreeNodeOutput(many=True)


class FileContentOutput(serializers.Serializer):
    path = serializers.CharField()
    size = serializers.IntegerField()
    binary = serializers.BooleanField()
    content = serializers.CharField(allow_null=True, help_text="UTF-8 text; null when binary.")


class ExampleRequestOutput(serializers.Serializer):
    projectName = serializers.CharField()
    description = serializers.CharField()
    requirements = serializers.CharField()


class ExampleOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    requirements = serializers.CharField()
    request = ExampleRequestOutput(help_text="A body ready for POST /api/generate.")


class HealthOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "unhealthy"])
    timestamp = serializers.DateTimeField()
    checks = serializers.DictField(child=serializers.CharField())


# --- spec versions ----------------------------------------------------------------------------


class BuildSummaryOutput(serializers.Serializer):
    generationId = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=GENERATION_STATUS_CHOICES)


class VersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    source = serializers.ChoiceField(choices=VERSION_SOURCE_CHOICES)  # type: ignore[assignment]
    changeText = serializers.CharField(allow_blank=True)
    createdAt = serializers.DateTimeField()
    entityCount = serializers.IntegerField()
    restoredFrom = serializers.IntegerField(
        allow_null=True, help_text="The version a restore copied."
    )
    buildCount = serializers.IntegerField()
    lastBuild = BuildSummaryOutput(allow_null=True, help_text="The newest run of this version.")
    url = serializers.URLField()


class BuildOutput(BuildSummaryOutput):
    progress = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    finishedAt = serializers.DateTimeField(allow_null=True)
    urls = GenerationUrlsOutput()


class RenamesOutput(serializers.Serializer):
    entities = serializers.DictField(
        child=serializers.CharField(), help_text="Old entity name -> new."
    )
    # Declared fields named like Serializer's own attributes: DRF's metaclass takes them.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Per entity (its new name): old field name -> new.",
    )


class VersionDetailOutput(VersionOutput):
    spec = serializers.DictField(help_text="The AppSpec of this version.")
    renames = RenamesOutput(help_text="What this version renamed in the one before it.")
    builds = BuildOutput(many=True, help_text="Runs of this version, newest first.")
    downloadUrl = serializers.URLField(
        allow_null=True, help_text="The ZIP of its newest verified build; null when none."
    )


class SpecOutput(serializers.Serializer):
    version = serializers.IntegerField()
    spec = serializers.DictField(help_text="The AppSpec.")


# generator.engine.diffing.KINDS, written out: importing the engine's diffing here would load the
# analyzer's parser into every process that loads the URLs (a test checks they agree).
SPEC_DIFF_KINDS = ("entity", "field", "relationship", "rule", "role", "feature")


class SpecChangeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SPEC_DIFF_KINDS)
    name = serializers.CharField(help_text='Which one: "Task.due_date", "Dog.client", …')
    summary = serializers.CharField(help_text="The change in a sentence.")
    before = serializers.JSONField(
        allow_null=True, help_text="Its data before (a changed item: the changed properties)."
    )
    after = serializers.JSONField(allow_null=True, help_text="Its data after.")
    properties = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="What changed (changed items)."
    )


class SpecDiffOutput(serializers.Serializer):
    added = SpecChangeOutput(many=True)
    removed = SpecChangeOutput(many=True)
    changed = SpecChangeOutput(many=True, help_text="Renames included, as one change each.")


class ChangeOutput(SpecOutput):
    diff = SpecDiffOutput(help_text="What changed from the version before.")
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="How the request was read."
    )
    generationId = serializers.IntegerField(
        allow_null=True, help_text='The run building it ("build": true), else null.'
    )
    urls = GenerationUrlsOutput(allow_null=True)


class FileDiffOutput(serializers.Serializer):
    path = serializers.CharField()
    status = serializers.ChoiceField(choices=["added", "removed", "modified"])
    additions = serializers.IntegerField()
    deletions = serializers.IntegerField()
    diff = serializers.CharField(
        help_text="A unified diff, or a sentence for a binary or very large file."
    )
    summarised = serializers.BooleanField(help_text="true when diff is that sentence.")


class DiffCountsOutput(serializers.Serializer):
    files = serializers.IntegerField()
    additions = serializers.IntegerField()
    deletions = serializers.IntegerField()


class DiffOutput(serializers.Serializer):
    to = serializers.IntegerField()
    spec = SpecDiffOutput()
    files = FileDiffOutput(
        many=True, allow_null=True, help_text="Null when a side has no verified build."
    )
    counts = DiffCountsOutput(allow_null=True, help_text="Totals of files.")
    filesNote = serializers.CharField(allow_blank=True, help_text="Why files is null.")

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be declared like the others.
        return {"from": serializers.IntegerField(), **super().get_fields()}
