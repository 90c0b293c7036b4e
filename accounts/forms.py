"""Forms for the account pages: they parse input; accounts/services.py validates and saves."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError

from accounts.models import ExperienceLevel, ProviderKey, Theme, User

EXPERIENCE_LEVEL_HELP = {
    ExperienceLevel.BEGINNER: "a guided, three-step wizard with examples at every step.",
    ExperienceLevel.EXPERIENCED: "one quick form with name, description, requirements and stack.",
}


def _experience_level_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Experience level",
        choices=[
            (level.value, f"{level.label} — {EXPERIENCE_LEVEL_HELP[level]}")
            for level in ExperienceLevel
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose beginner or experienced.",
            "invalid_choice": "Choose beginner or experienced.",
        },
    )


class LoginForm(AllauthLoginForm):
    """allauth's login form with the site's sentence-case label (ACCOUNT_FORMS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Remember me"


class OnboardingForm(forms.Form):
    experience_level = _experience_level_field()


class SettingsForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text="Shown in the header. Without one, the header shows your e-mail address up to "
        "the @.",
    )
    experience_level = _experience_level_field()
    theme = forms.ChoiceField(
        label="Theme",
        choices=Theme.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the light or the dark theme.",
            "invalid_choice": "Choose the light or the dark theme.",
        },
    )


class ApiKeyCreateForm(forms.Form):
    EXPIRY_CHOICES = [
        ("", "Never"),
        ("30", "In 30 days"),
        ("90", "In 90 days"),
        ("365", "In a year"),
    ]

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use this key, e.g. “CI pipeline” or “my laptop”.",
        error_messages={"required": "Give the key a name, so you can tell it apart later."},
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose never, 30, 90 or 365 days."},
    )


class _ServiceErrors:
    """Put a service's ``ValidationError`` (keyed by field) on the form's fields."""

    def add_service_errors(self: Any, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ProviderKeyForm(_ServiceErrors, forms.Form):
    provider = forms.ChoiceField(label="Provider", choices=ProviderKey.Provider.choices)
    key = forms.CharField(
        label="API key",
        strip=True,
        # Never rendered back, not even after an error: the page must not carry the key.
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text="Stored encrypted; only its last four characters are shown again. Saving a key "
        "for a provider replaces the one stored before.",
        error_messages={"required": "Paste the key the provider gave you."},
    )


class ModelCheckForm(_ServiceErrors, forms.Form):
    base_url = forms.CharField(
        label="Server address",
        widget=forms.URLInput(attrs={"placeholder": "http://127.0.0.1:11434/v1"}),
        help_text="An OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp's server), "
        "http or https. Takoss's server connects to it, not your browser.",
        error_messages={"required": "Give the server's address, e.g. http://127.0.0.1:11434/v1."},
    )
    model = forms.CharField(
        label="Model",
        required=False,
        help_text="Optional: without one, the first model the server lists is asked.",
    )
