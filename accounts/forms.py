"""Forms for the account pages: they parse input; accounts/services.py validates and saves."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from accounts.models import ExperienceLevel, Theme, User

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
