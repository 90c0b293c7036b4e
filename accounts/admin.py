from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiKey, ProviderKey, User
from accounts.services import api_key_revoke


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "experience_level", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "experience_level", "theme"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "experience_level", "theme")}),
        ("Model providers", {"fields": ("monthly_budget_usd",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


class ExpiredFilter(admin.SimpleListFilter):
    title = "expired"
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        expired = Q(expires_at__lte=timezone.now())
        if self.value() == "yes":
            return queryset.filter(expired)
        if self.value() == "no":
            return queryset.exclude(expired)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    # Owners create keys (the secret is shown to them once); admins can look, search and revoke,
    # through the same service as the owners' page.
    list_display = ["name", "masked", "user", "status", "created_at", "last_used_at", "expires_at"]
    list_filter = [RevokedFilter, ExpiredFilter]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "last4",
        "key_hash",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    date_hierarchy = "created_at"
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # nothing to save: every field is read-only; revoking is the action

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for api_key in keys:
            api_key_revoke(user=api_key.user, key_id=api_key.pk)
        self.message_user(request, f"Revoked {len(keys)} API key(s).")


@admin.register(ProviderKey)
class ProviderKeyAdmin(admin.ModelAdmin):
    # The key itself is never shown, not even encrypted: provider, last four, owner, date.
    # Admins can delete (revoke) a key; only its owner can add one, on the settings page.
    list_display = ["__str__", "provider", "masked", "user", "created_at"]
    list_filter = ["provider"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = readonly_fields = ("user", "provider", "last4", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
