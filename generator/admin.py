"""Admin for projects and generation runs; runs show their event history inline, read-only.

Records written by the engine (results, events) are read-only here; the actions call the same
services as the site, so an admin's cancel or re-run behaves exactly like the owner's.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from generator.models import Generation, GenerationEvent, Project, SpecVersion
from generator.services import ConcurrencyLimitError, generation_cancel, generation_regenerate


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
    readonly_fields = [field.name for field in SpecVersion._meta.get_fields() if field.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "stack", "created_at", "updated_at"]
    list_filter = ["stack", "created_at"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "draft"]
    inlines = [SpecVersionInline, GenerationInline]


class GenerationEventInline(admin.TabularInline):
    model = GenerationEvent
    fields = readonly_fields = ("seq", "type", "phase", "message", "progress", "data", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "project", "owner", "created_at"]
    list_filter = ["status", "created_at", "project__stack"]
    search_fields = ["project__name", "project__owner__email"]
    list_select_related = ["project__owner"]
    date_hierarchy = "created_at"
    actions = ["cancel", "rerun"]
    inlines = [GenerationEventInline]
    readonly_fields = [field.name for field in Generation._meta.get_fields() if field.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started from a project, through the services

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
            except ConcurrencyLimitError as exc:
                self.message_user(request, f"{project}: {exc}", level=messages.WARNING)
            except ValidationError as exc:
                self.message_user(
                    request, f"{project}: {' '.join(exc.messages)}", level=messages.WARNING
                )
            else:
                started += 1
        self.message_user(request, f"Started {started} new generation(s).")
