"""Project records, their generation runs and each run's permanent event history.

Writes go through generator/services.py; this module defines the records and the querysets
that filter them: ``for_user`` (the user's own) and ``visible_to`` (what the web pages, the
dashboard and the REST API show: owners see their own, staff see everyone's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from generator.constants import ACTIVE_STATUSES, GENERATION_STATUS_CHOICES, GENERATION_STATUS_QUEUED
from generator.engine.stacks import DEFAULT_STACK, available_stacks

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PROJECT_NAME_MAX = 120
# The engine's providers (generator.engine.providers.config.PROVIDERS); choices, for the admin.
PROVIDER_CHOICES = (
    ("offline", "Offline analyzer"),
    ("anthropic", "Anthropic"),
    ("openai", "OpenAI"),
    ("gemini", "Google Gemini"),
    ("openai-compatible", "OpenAI-compatible server"),
)


def stack_choices() -> list[tuple[str, str]]:
    """The engine's stacks; a callable, so a plug-in stack needs no migration."""
    return [(key, key.capitalize()) for key in available_stacks()]


def _sees_everything(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_staff)


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user: User | AnonymousUser) -> ProjectQuerySet:
        """The user's own projects (what their dashboard lists)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def visible_to(self, user: User | AnonymousUser) -> ProjectQuerySet:
        """Every project the user may open: their own, or all of them for staff."""
        if _sees_everything(user):
            return self.all()
        return self.for_user(user)

    def search(self, query: str) -> ProjectQuerySet:
        """Projects whose name, description or requirements contain ``query`` (any case)."""
        query = query.strip()
        if not query:
            return self
        return self.filter(
            Q(name__icontains=query)
            | Q(description__icontains=query)
            | Q(requirements__icontains=query)
        )

    def with_last_run(self) -> ProjectQuerySet:
        """Annotate ``last_run_number``, ``_status``, ``_progress``, and the model it read with
        (``last_run_provider``, ``_model``, ``_cost``, ``_fell_back``)."""
        last = Generation.objects.filter(project=OuterRef("pk")).order_by("-number")
        return self.annotate(
            last_run_number=Subquery(last.values("number")[:1]),
            last_run_status=Subquery(last.values("status")[:1]),
            last_run_progress=Subquery(last.values("progress")[:1]),
            last_run_provider=Subquery(last.values("provider")[:1]),
            last_run_model=Subquery(last.values("model")[:1]),
            last_run_cost=Subquery(last.values("cost_usd")[:1]),
            last_run_fell_back=Subquery(last.values("fell_back")[:1]),
        )


class Project(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=PROJECT_NAME_MAX)
    description = models.TextField(blank=True)
    requirements = models.TextField()
    stack = models.CharField(max_length=32, choices=stack_choices, default=DEFAULT_STACK)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The plan being edited before it becomes a version: {"spec", "renames", "change_text",
    # "source", "base"} (see services.draft_*). Null when nothing is pending.
    draft = models.JSONField(null=True, blank=True)
    # Who reads the requirements (generator/providers.py): the offline analyzer, or a model.
    provider = models.CharField(max_length=32, choices=PROVIDER_CHOICES, default="offline")
    model = models.CharField(max_length=200, blank=True)
    base_url = models.URLField(
        "base URL", max_length=500, blank=True, help_text="An OpenAI-compatible server's address."
    )

    objects: ClassVar[ProjectQuerySet] = ProjectQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


VERSION_SOURCE_REQUIREMENTS = "requirements"
VERSION_SOURCE_PLAN = "plan"
VERSION_SOURCE_CHANGE = "change"
VERSION_SOURCE_RESTORE = "restore"
VERSION_SOURCE_SPEC = "spec"
VERSION_SOURCE_CHOICES = (
    (VERSION_SOURCE_REQUIREMENTS, "Read from the requirements"),
    (VERSION_SOURCE_PLAN, "Edited plan"),
    (VERSION_SOURCE_CHANGE, "Change request"),
    (VERSION_SOURCE_RESTORE, "Restored"),
    (VERSION_SOURCE_SPEC, "Spec given"),
)


class SpecVersion(models.Model):
    """One numbered version of a project's spec, with the words that made it.

    ``renames`` (a :class:`generator.engine.versions.Renames` as data) says which entities and
    fields of the version before this one were renamed, so a build of this version migrates a
    database of the earlier one by renaming instead of dropping and re-creating.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="Version number within the project, from 1.")
    spec = models.JSONField()
    source = models.CharField(max_length=16, choices=VERSION_SOURCE_CHOICES)
    change_text = models.TextField(blank=True)
    renames = models.JSONField(default=dict, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="spec_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"

    @property
    def entity_count(self) -> int:
        return len(self.spec.get("entities") or [])


class GenerationQuerySet(models.QuerySet["Generation"]):
    def for_user(self, user: User | AnonymousUser) -> GenerationQuerySet:
        """The runs of the user's own projects."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(project__owner=user)

    def visible_to(self, user: User | AnonymousUser) -> GenerationQuerySet:
        """Every run the user may open: their own, or all of them for staff."""
        if _sees_everything(user):
            return self.all()
        return self.for_user(user)

    def active(self) -> GenerationQuerySet:
        """Queued or running: not finished yet."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def for_project(self, project: Project) -> GenerationQuerySet:
        return self.filter(project=project)


def generation_zip_path(instance: Generation, filename: str) -> str:
    return f"generations/{instance.project_id}/{instance.pk}.zip"


class Generation(models.Model):
    """One run of a project through the engine's pipeline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="generations")
    number = models.PositiveIntegerField(help_text="Run number within the project, from 1.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        SpecVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="builds",
        help_text="The spec version this run builds; empty while a first run reads the text.",
    )
    status = models.CharField(
        max_length=16, choices=GENERATION_STATUS_CHOICES, default=GENERATION_STATUS_QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    current_phase = models.CharField(max_length=32, blank=True)
    spec = models.JSONField(null=True, blank=True)
    complexity = models.JSONField(null=True, blank=True)
    verification = models.JSONField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    files = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    error_data = models.JSONField(null=True, blank=True)
    # Written by the worker process running it (generator/runwatch.py); a running run whose
    # heartbeat stops is swept into "interrupted".
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    zip = models.FileField(upload_to=generation_zip_path, blank=True, max_length=255)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    last_event_seq = models.PositiveIntegerField(default=0)
    # The model that read the requirements, and what it cost (generator/providers.py). Blank
    # provider: the run read no requirements (it built a spec version).
    provider = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=200, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(
        "cost (USD)", max_digits=12, decimal_places=6, null=True, blank=True,
        help_text="Empty when the price table has no price for the model.",
    )  # fmt: skip
    fell_back = models.BooleanField(
        default=False, help_text="The model failed; the offline analyzer read the text."
    )
    model_warning = models.TextField(blank=True)

    objects: ClassVar[GenerationQuerySet] = GenerationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="generation_number_unique"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="generation_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def provider_label(self) -> str:
        return dict(PROVIDER_CHOICES).get(self.provider, self.provider)

    @property
    def used_model(self) -> bool:
        """A model provider was asked to read the requirements."""
        return self.provider not in ("", "offline")

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, once finished."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class GenerationEvent(models.Model):
    """One engine event of a run, kept permanently (the SSE storage is only a replay buffer)."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    phase = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "seq"], name="generation_event_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.type} {self.phase}"

    def to_event_dict(self) -> dict[str, Any]:
        """The engine's event shape (what the channel carries and the REST stream sends)."""
        return {
            "type": self.type,
            "seq": self.seq,
            "phase": self.phase,
            "message": self.message,
            "progress": self.progress,
            "data": self.data,
        }
