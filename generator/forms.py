"""Forms for the new-project pages: they parse input; services.project_clean validates it.

The quick form has every field on one page; the wizard asks for the same fields one step at a
time and carries the others along as hidden inputs, so nothing typed is lost going back and
forth or on an error.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from generator.engine.stacks import DEFAULT_STACK
from generator.models import PROJECT_NAME_MAX, PROVIDER_CHOICES, stack_choices

WIZARD_STEPS = ("name", "description", "requirements")
WIZARD_TITLES = {
    "name": "Name your app",
    "description": "Say what it is for",
    "requirements": "Describe what it does",
}

# The requirements ask for the page's live panel (generator/understanding.html) after each pause
# in typing, with the other fields of their form; a newer request replaces one still on its way.
LIVE_UNDERSTANDING = {
    "hx-post": reverse_lazy("generator:project_understand"),
    "hx-trigger": "input changed delay:300ms",
    "hx-sync": "this:replace",
    "hx-include": "closest form",
    "hx-target": "#understanding-body",
    "hx-swap": "innerHTML",
    "hx-indicator": "#understanding",
    "aria-controls": "understanding",
}


def _name_field() -> forms.CharField:
    return forms.CharField(
        label="Name",
        required=False,  # services.project_clean says what is wrong, in its words
        widget=forms.TextInput(attrs={"maxlength": PROJECT_NAME_MAX, "autocomplete": "off"}),
        help_text="A short name, e.g. “Task Manager”. It names the generated project.",
    )


def _description_field() -> forms.CharField:
    return forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: one sentence about the app, shown on your dashboard.",
    )


def _requirements_field() -> forms.CharField:
    return forms.CharField(
        label="Requirements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, **LIVE_UNDERSTANDING}),
        help_text=(
            "What the app stores and who uses it, in plain English: the things it keeps track "
            "of, their details, and how they relate."
        ),
    )


MODEL_FIELDS = ("provider", "model", "base_url")


def _provider_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Read the requirements with",
        choices=PROVIDER_CHOICES,
        required=False,  # empty: the site's default (services check the rest, in their words)
        help_text="The offline analyzer needs no key. A model uses your key from Settings → "
        "Model providers and counts against your monthly budget; if it fails, the offline "
        "analyzer reads the text instead, with a warning.",
    )


def _model_field() -> forms.CharField:
    return forms.CharField(
        label="Model",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "the default"}),
        help_text="Optional, e.g. claude-sonnet-4-6 or gpt-5-mini; required for a local server.",
    )


def _base_url_field() -> forms.CharField:
    return forms.CharField(
        label="Server address (OpenAI-compatible only)",
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "http://127.0.0.1:11434/v1"}),
    )


def model_initial() -> dict[str, str]:
    return {"provider": settings.TAKOSS_DEFAULT_PROVIDER}


class _CountedForm(forms.Form):
    """Marks the limited fields with ``data-max-chars``: static/js/takoss.js shows a live count
    beside them and says when the text is over (the server still refuses it, in its words).
    Requirements get no ``maxlength``: that would cut a pasted text without a word."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["data-max-chars"] = PROJECT_NAME_MAX
        limit = settings.TAKOSS_MAX_REQUIREMENTS_CHARS
        self.fields["requirements"].widget.attrs["data-max-chars"] = limit


class ProjectQuickForm(_CountedForm):
    name = _name_field()
    description = _description_field()
    requirements = _requirements_field()
    stack = forms.ChoiceField(label="Stack", choices=stack_choices, initial=DEFAULT_STACK)
    provider = _provider_field()
    model = _model_field()
    base_url = _base_url_field()

    def add_service_errors(self, error: ValidationError, *, skip: Collection[str] = ()) -> None:
        for field, messages in error.message_dict.items():
            if field not in skip:
                self.add_error(field if field in self.fields else None, messages)


class ProjectWizardForm(_CountedForm):
    name = _name_field()
    description = _description_field()
    requirements = _requirements_field()
    provider = _provider_field()  # asked on the last step, carried before it
    model = _model_field()
    base_url = _base_url_field()
    step = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, len(WIZARD_STEPS) + 1)],
        coerce=int,
        empty_value=1,  # type: ignore[arg-type]
        required=False,
        widget=forms.HiddenInput,
    )

    def add_service_errors(self, error: ValidationError, *, upto: int) -> int:
        """Show the errors of steps 1..``upto``; return the first step with an error, or 0."""
        first = 0
        for field, messages in error.message_dict.items():
            if field in MODEL_FIELDS and upto == len(WIZARD_STEPS):
                self.add_error(field, messages)
                first = first or len(WIZARD_STEPS)
            elif field in WIZARD_STEPS and WIZARD_STEPS.index(field) < upto:
                self.add_error(field, messages)
                step = WIZARD_STEPS.index(field) + 1
                first = min(first, step) if first else step
        return first
