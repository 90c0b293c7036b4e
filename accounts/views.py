"""Account pages: onboarding, settings (with model provider keys and the local model check) and
API keys. Thin: parse a form, call a service, render.

Sign-up, login, logout and password pages are django-allauth's, restyled by the layout and
element templates in templates/allauth/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import (
    ApiKeyCreateForm,
    ModelCheckForm,
    OnboardingForm,
    ProviderKeyForm,
    SettingsForm,
)
from accounts.models import ApiKey, ExperienceLevel, ProviderKey, User
from accounts.services import (
    api_key_create,
    api_key_revoke,
    provider_key_delete,
    provider_key_save,
    user_update_settings,
)

if TYPE_CHECKING:
    from generator.engine.providers import ModelCheck


class AuthenticatedHttpRequest(HttpRequest):
    """What @login_required guarantees, spelled out for the type checker."""

    user: User


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = OnboardingForm(request.POST)
        if form.is_valid():
            try:
                user_update_settings(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Thanks! You can change this any time in Settings.")
                return redirect("home")
    else:
        # Beginner is preselected: the wizard suits anyone, and one click confirms it.
        level = request.user.experience_level or ExperienceLevel.BEGINNER
        form = OnboardingForm(initial={"experience_level": level})
    return render(request, "accounts/onboarding.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                user_update_settings(user=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("accounts:settings")
    else:
        form = SettingsForm(
            initial={
                "display_name": user.display_name,
                "experience_level": user.experience_level or ExperienceLevel.BEGINNER,
                "theme": user.theme,
            }
        )
    return _render_settings(request, form=form)


def _render_settings(
    request: AuthenticatedHttpRequest,
    *,
    form: SettingsForm | None = None,
    key_form: ProviderKeyForm | None = None,
    check_form: ModelCheckForm | None = None,
    check: ModelCheck | None = None,
) -> HttpResponse:
    from generator.providers import month_spend

    user = request.user
    context = {
        "form": form
        or SettingsForm(
            initial={
                "display_name": user.display_name,
                "experience_level": user.experience_level or ExperienceLevel.BEGINNER,
                "theme": user.theme,
            }
        ),
        "key_form": key_form or ProviderKeyForm(),
        "provider_keys": ProviderKey.objects.for_user(user),
        "spent": month_spend(user),
        "budget": user.model_budget,
        "check_form": check_form or ModelCheckForm(),
        "check": check,
    }
    return render(request, "accounts/settings.html", context)


def _providers_section() -> HttpResponse:
    return redirect(reverse("accounts:settings") + "#model-providers")


@login_required
@require_POST
def provider_key_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProviderKeyForm(request.POST)
    if form.is_valid():
        try:
            saved = provider_key_save(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Saved your {saved.get_provider_display()} key ending in {saved.last4}. "
                "It will not be shown again.",
            )
            return _providers_section()
    return _render_settings(request, key_form=form)


@login_required
@require_POST
def provider_key_remove(request: AuthenticatedHttpRequest, key_id: int) -> HttpResponse:
    try:
        removed = provider_key_delete(user=request.user, key_id=key_id)
    except ProviderKey.DoesNotExist:
        raise Http404("No such provider key.") from None
    messages.success(
        request, f"Deleted your {removed.get_provider_display()} key ending in {removed.last4}."
    )
    return _providers_section()


@login_required
@require_POST
def model_check_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check a local model; htmx swaps the report in, a plain POST gets the whole page."""
    from generator.providers import model_check

    form = ModelCheckForm(request.POST)
    check = None
    if form.is_valid():
        try:
            check = model_check(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
    if getattr(request, "htmx", False):
        context = {"check_form": form, "check": check}
        return render(request, "accounts/settings.html#model-check", context)
    return _render_settings(request, check_form=form, check=check)


NEW_KEY_SESSION = "accounts.new_api_key"


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Post/redirect/get: reloading the page after creating a key must not create another. The
    # new secret crosses the redirect in the session and is removed from it by the first GET,
    # the one response that shows it.
    new_key = None
    if request.method == "POST":
        form = ApiKeyCreateForm(request.POST)
        if form.is_valid():
            try:
                _, raw_key = api_key_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session[NEW_KEY_SESSION] = raw_key
                return redirect("accounts:api_keys")
    else:
        form = ApiKeyCreateForm()
        new_key = request.session.pop(NEW_KEY_SESSION, None)
    context = {
        "form": form,
        "new_key": new_key,
        "api_keys": ApiKey.objects.for_user(request.user),
    }
    response = render(request, "accounts/api_keys.html", context)
    if new_key:
        # The only response that ever carries the full key: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_page(request: AuthenticatedHttpRequest, key_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            api_key = api_key_revoke(user=request.user, key_id=key_id)
        except ApiKey.DoesNotExist:
            raise Http404("No such API key.") from None
        messages.success(request, f"Revoked “{api_key.name}”. It no longer works.")
        return redirect("accounts:api_keys")
    api_key = get_object_or_404(ApiKey.objects.for_user(request.user), pk=key_id)
    return render(request, "accounts/api_key_revoke.html", {"api_key": api_key})
