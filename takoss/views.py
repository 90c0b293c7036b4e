"""Site-wide pages that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from generator.examples import EXAMPLES
from generator.views import dashboard


def home(request: HttpRequest) -> HttpResponse:
    # Sign-up lands on onboarding directly; this catches everyone who skipped it or signed up
    # with mandatory e-mail verification and logged in only later.
    if request.user.is_authenticated and request.user.needs_onboarding:
        return redirect("accounts:onboarding")
    if request.user.is_authenticated:
        return dashboard(request)  # type: ignore[arg-type]
    return render(request, "home.html", {"examples": EXAMPLES})


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page links: send them to the SVG."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
