"""Admin for projects and generation runs; a run links to its event history, read-only.

Records written by the engine (runs, events, versions) are read-only here: no Save button. A
run's page shows its JSON (spec, report, timings…) pretty-printed and folded, and a count of its
events linking to the event list filtered to that run (a run has ~150 events: too many inline).
The actions call the same services as the site, so an admin's cancel or re-run behaves exactly
like the owner's.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from generator.models import Generation, GenerationEvent, Project, SpecVersion
from generator.services import (
    ConcurrencyLimitError,
    RunInProgressError,
    generation_cancel,
    generation_regenerate,
)


def json_details(value: Any, summary: str) -> SafeString | str:
    """``value`` as indented JSON folded under ``summary`` (an admin read-only field)."""
    if value in (None, "", [], {}):
        return "-"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    return format_html(
        '<details class="json-field"><summary>{}</summary>'
        '<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre></details>',
        summary,
        text,
    )


def _count(value: Any, one: str, many: str) -> str:
    count = len(value) if isinstance(value, list | dict) else 0
    return f"{count} {one if count == 1 else many}"


class GenerationInline(admin.TabularInline):
    model = Generation
    fields = readonly_fields = ("number", "status", "progress", "created_at", "finished_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SpecVersionInline(admin.TabularInline):
    model = SpecVersion
    fields = readonly_fields = ("number", "source", "change_text", "restored_from", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SpecVersion)
class SpecVersionAdmin(admin.ModelAdmin):
    """Versions are made through the services (plan, change requests, the API): read-only."""

    list_display = ["__str__", "source", "project", "created_by", "created_at"]
    list_filter = ["source", "created_at"]
    search_fields = ["project__name", "project__owner__email", "change_text"]
    list_select_related = ["project", "created_by"]
    fields = readonly_fields = (
        "project",
        "number",
        "source",
        "change_text",
        "restored_from",
        "created_by",
        "created_at",
        "spec_json",
        "renames_json",
    )

    @admin.display(description="Spec")
    def spec_json(self, obj: SpecVersion) -> SafeString | str:
        entities = (obj.spec or {}).get("entities")
        return json_details(obj.spec, f"Show the spec ({_count(entities, 'entity', 'entities')})")

    @admin.display(description="Renames")
    def renames_json(self, obj: SpecVersion) -> SafeString | str:
        return json_details(obj.renames, "Show the renames")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "stack", "provider", "created_at", "updated_at"]
    list_filter = ["stack", "provider", "created_at"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "draft"]
    inlines = [SpecVersionInline, GenerationInline]


@admin.register(GenerationEvent)
class GenerationEventAdmin(admin.ModelAdmin):
    """A run's events, paginated; reached from the run's page (filtered by ``?generation=``)."""

    list_display = ["seq", "generation", "type", "phase", "message", "progress", "created_at"]
    list_display_links = ["seq"]
    list_select_related = ["generation__project"]
    list_filter = ["type", "phase"]
    search_fields = ["message"]
    list_per_page = 50
    fields = readonly_fields = (
        "generation",
        "seq",
        "type",
        "phase",
        "message",
        "progress",
        "created_at",
        "data_json",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[GenerationEvent]:
        return super().get_queryset(request).order_by("generation_id", "seq")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Data")
    def data_json(self, obj: GenerationEvent) -> SafeString | str:
        return json_details(obj.data, "Show the data")


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "project", "owner", "provider", "cost_usd",
                    "created_at"]  # fmt: skip
    list_filter = ["status", "created_at", "project__stack", "provider", "fell_back"]
    search_fields = ["project__name", "project__owner__email"]
    list_select_related = ["project__owner"]
    date_hierarchy = "created_at"
    actions = ["cancel", "rerun"]
    RUN_FIELDS = (
        "project",
        "number",
        "requested_by",
        "version",
        "status",
        "progress",
        "current_phase",
        "event_list",
    )
    RESULT_FIELDS = (
        "spec_json",
        "complexity_json",
        "verification_json",
        "timings_json",
        "files_json",
        "error",
        "error_data_json",
        "zip",
        "zip_sha256",
    )
    MODEL_FIELDS = (
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "fell_back",
        "model_warning",
    )
    TIME_FIELDS = (
        "created_at",
        "started_at",
        "finished_at",
        "cancel_requested_at",
        "last_event_seq",
    )
    fieldsets = (
        (None, {"fields": RUN_FIELDS}),
        ("Result", {"fields": RESULT_FIELDS}),
        ("Model", {"fields": MODEL_FIELDS}),
        ("Times", {"fields": TIME_FIELDS}),
    )
    readonly_fields = RUN_FIELDS + RESULT_FIELDS + MODEL_FIELDS + TIME_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started from a project, through the services

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # written by the engine; the actions go through the services

    @admin.display(description="Events")
    def event_list(self, obj: Generation) -> SafeString:
        count = obj.events.count()
        url = reverse("admin:generator_generationevent_changelist") + f"?generation={obj.pk}"
        return format_html('<a href="{}">{} event{}</a>', url, count, "" if count == 1 else "s")

    @admin.display(description="Spec")
    def spec_json(self, obj: Generation) -> SafeString | str:
        entities = (obj.spec or {}).get("entities")
        return json_details(obj.spec, f"Show the spec ({_count(entities, 'entity', 'entities')})")

    @admin.display(description="Complexity")
    def complexity_json(self, obj: Generation) -> SafeString | str:
        return json_details(obj.complexity, "Show the complexity")

    @admin.display(description="Verification")
    def verification_json(self, obj: Generation) -> SafeString | str:
        return json_details(obj.verification, "Show the verification report")

    @admin.display(description="Timings")
    def timings_json(self, obj: Generation) -> SafeString | str:
        return json_details(obj.timings, "Show the phases' timings")

    @admin.display(description="Files")
    def files_json(self, obj: Generation) -> SafeString | str:
        return json_details(obj.files, f"Show the files ({_count(obj.files, 'file', 'files')})")

    @admin.display(description="Error data")
    def error_data_json(self, obj: Generation) -> SafeString | str:
        return json_details(obj.error_data, "Show the error's data")

    @admin.display(ordering="project__owner__email")
    def owner(self, obj: Generation) -> str:
        return obj.project.owner.email

    @admin.action(description="Cancel the selected generations")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Generation]) -> None:
        active = [g for g in queryset.select_related("project") if g.is_active]
        for generation in active:
            generation_cancel(generation=generation, user=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Asked {len(active)} generation(s) to stop.")

    @admin.action(description="Re-run the selected generations' projects")
    def rerun(self, request: HttpRequest, queryset: QuerySet[Generation]) -> None:
        projects = {g.project_id: g.project for g in queryset.select_related("project")}
        started = 0
        for project in projects.values():
            try:
                generation_regenerate(project=project, user=request.user)  # type: ignore[arg-type]
            except (ConcurrencyLimitError, RunInProgressError) as exc:
                self.message_user(request, f"{project}: {exc}", level=messages.WARNING)
            except ValidationError as exc:
                self.message_user(
                    request, f"{project}: {' '.join(exc.messages)}", level=messages.WARNING
                )
            else:
                started += 1
        self.message_user(request, f"Started {started} new generation(s).")
