"""Onboarding and the settings page: display name, experience level and theme."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ExperienceLevel, Theme
from accounts.services import user_update_settings

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("accounts:settings")
ONBOARDING_URL = reverse("accounts:onboarding")


@pytest.fixture
def onboarded_owner(owner):
    return user_update_settings(user=owner, experience_level=ExperienceLevel.EXPERIENCED)


def test_home_sends_a_user_without_experience_level_to_onboarding(client, owner):
    client.force_login(owner)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == ONBOARDING_URL


def test_onboarding_page_explains_both_levels_once_and_preselects_beginner(client, owner):
    client.force_login(owner)

    html = client.get(ONBOARDING_URL).content.decode()

    assert html.count("three-step wizard") == 1
    assert html.count("one quick form") == 1
    assert html.count('type="radio"') == 2
    assert re.search(r'<input type="radio"[^>]*value="beginner"[^>]*checked', html)
    assert not re.search(r'<input type="radio"[^>]*value="experienced"[^>]*checked', html)


def test_the_header_and_settings_agree_on_what_the_header_shows(client, owner):
    client.force_login(owner)

    html = client.get(SETTINGS_URL).content.decode()

    assert re.search(
        r'<summary class="site-nav__user" title="owner@example.com">.*?owner</summary>', html
    )
    assert "the header shows your e-mail address up to the @" in html


def test_onboarding_sets_the_experience_level(client, owner):
    client.force_login(owner)

    response = client.post(ONBOARDING_URL, {"experience_level": "beginner"})

    assert response.status_code == 302
    assert response.url == "/"
    owner.refresh_from_db()
    assert owner.experience_level == ExperienceLevel.BEGINNER
    assert client.get("/").status_code == 200


def test_onboarding_rejects_a_missing_or_unknown_level(client, owner):
    client.force_login(owner)

    for data in ({}, {"experience_level": "wizard"}):
        response = client.post(ONBOARDING_URL, data)
        assert response.status_code == 200
        assert b"Choose beginner or experienced." in response.content
    owner.refresh_from_db()
    assert owner.experience_level == ""


def test_settings_saves_display_name_level_and_theme(client, onboarded_owner):
    client.force_login(onboarded_owner)

    response = client.post(
        SETTINGS_URL,
        {"display_name": "  Ada  ", "experience_level": "beginner", "theme": "dark"},
    )

    assert response.status_code == 302
    onboarded_owner.refresh_from_db()
    assert onboarded_owner.display_name == "Ada"
    assert onboarded_owner.experience_level == ExperienceLevel.BEGINNER
    assert onboarded_owner.theme == Theme.DARK
    page = client.get(SETTINGS_URL).content.decode()
    assert "Settings saved." in page
    assert 'class="site-nav__user"' in page and ">Ada<" in page


def test_settings_rejects_a_bad_theme_and_keeps_the_typed_text(client, onboarded_owner):
    client.force_login(onboarded_owner)

    response = client.post(
        SETTINGS_URL,
        {"display_name": "Typed name", "experience_level": "beginner", "theme": "neon"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the light or the dark theme." in html
    assert 'value="Typed name"' in html
    assert 'aria-invalid="true"' in html
    onboarded_owner.refresh_from_db()
    assert onboarded_owner.display_name == ""
    assert onboarded_owner.theme == Theme.LIGHT


def test_settings_rejects_an_overlong_display_name(client, onboarded_owner):
    client.force_login(onboarded_owner)

    response = client.post(
        SETTINGS_URL, {"display_name": "x" * 151, "experience_level": "beginner", "theme": "dark"}
    )

    assert response.status_code == 200
    assert b"at most 150 characters" in response.content
    onboarded_owner.refresh_from_db()
    assert onboarded_owner.theme == Theme.LIGHT


def test_the_theme_is_applied_to_every_page(client, onboarded_owner):
    client.force_login(onboarded_owner)
    assert b'<html lang="en" data-theme="light">' in client.get("/").content

    user_update_settings(user=onboarded_owner, theme=Theme.DARK)

    assert b'<html lang="en" data-theme="dark">' in client.get("/").content
    assert b'data-theme="dark"' in client.get(reverse("account_change_password")).content


def test_anonymous_visitors_see_light_theme_and_login_links(client):
    html = client.get("/").content.decode()

    assert 'data-theme="light"' in html
    assert reverse("account_login") in html
    assert reverse("account_signup") in html


def test_service_rejects_values_outside_the_choices(owner):
    with pytest.raises(ValidationError) as error:
        user_update_settings(user=owner, theme="neon", experience_level="guru")

    assert set(error.value.message_dict) == {"theme", "experience_level"}
    owner.refresh_from_db()
    assert owner.theme == Theme.LIGHT


@pytest.mark.parametrize("url", [SETTINGS_URL, ONBOARDING_URL, reverse("accounts:api_keys")])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_user_who_skipped_onboarding_can_switch_to_dark_in_one_save(client, owner):
    # Given someone who signed up from an example's link and never saw onboarding
    client.force_login(owner)
    html = client.get(SETTINGS_URL).content.decode()
    # The level is preselected, so the form posts as the browser would send it
    checked = re.search(r'<input[^>]*name="experience_level"[^>]*value="(\w+)"[^>]*checked', html)
    assert checked and checked.group(1) == ExperienceLevel.BEGINNER

    response = client.post(
        SETTINGS_URL,
        {"display_name": "", "experience_level": checked.group(1), "theme": Theme.DARK},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.theme == Theme.DARK
