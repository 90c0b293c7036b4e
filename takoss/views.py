"""Site-wide pages that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from generator.views import dashboard


def home(request: HttpRequest) -> HttpResponse:
    # Sign-up lands on onboarding directly; this catches everyone who skipped it or signed up
    # with mandatory e-mail verification and logged in only later.
    if request.user.is_authenticated and request.user.needs_onboarding:
        return redirect("accounts:onboarding")
    if request.user.is_authenticated:
        return dashboard(request)  # type: ignore[arg-type]
    return render(request, "home.html")
