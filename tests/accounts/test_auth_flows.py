"""Sign-up, login, logout and passwords through django-allauth's real views."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from takoss.env import env_choice

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-4821"


def _signup(client, email: str = "new@example.com"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def _logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_signup_creates_the_user_and_goes_to_onboarding(client):
    response = _signup(client)

    user = get_user_model().objects.get(email="new@example.com")
    assert response.status_code == 302
    assert response.url == reverse("accounts:onboarding")
    assert _logged_in_user_id(client) == str(user.pk)


def test_signup_errors_are_shown_inline_and_keep_the_email(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "typed@example.com", "password1": PASSWORD, "password2": "different"},
    )

    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="typed@example.com").exists()
    assert b'value="typed@example.com"' in response.content
    assert b'class="errorlist' in response.content


def test_allauth_pages_use_the_site_layout(client):
    response = client.get(reverse("account_login"))

    assert b"css/takoss.css" in response.content
    assert b'class="site-header"' in response.content
    assert re.search(r"<title>\s*Log in\s*· Takoss</title>", response.content.decode())


def test_the_login_page_says_log_in_and_puts_remember_me_beside_its_box(client):
    html = client.get(reverse("account_login")).content.decode()

    assert "Sign In" not in html and "Sign in" not in html
    assert "<h1>Log in</h1>" in html
    assert re.search(r'<button type="submit"[^>]*>Log in</button>', html)
    assert re.search(
        r'<input type="checkbox" name="remember"[^>]*>\s*'
        r'<label for="id_remember">Remember me</label>',
        html,
    )
    assert "Remember Me" not in html


def test_signup_and_logout_pages_use_the_headers_words(client, owner):
    signup = client.get(reverse("account_signup")).content.decode()
    assert "Sign Up" not in signup and "sign in" not in signup.lower()
    assert "<h1>Sign up</h1>" in signup
    client.force_login(owner)
    logout = client.get(reverse("account_logout")).content.decode()
    assert "Sign Out" not in logout and "<h1>Log out</h1>" in logout


def test_login_by_email(client, owner):
    response = client.post(
        reverse("account_login"), {"login": "owner@example.com", "password": "pw-owner-1"}
    )

    assert response.status_code == 302
    assert response.url == "/"
    assert _logged_in_user_id(client) == str(owner.pk)


def test_login_with_a_wrong_password_fails(client, owner):
    response = client.post(
        reverse("account_login"), {"login": "owner@example.com", "password": "nope"}
    )

    assert response.status_code == 200
    assert _logged_in_user_id(client) is None


def test_logout_needs_a_post(client, owner):
    client.force_login(owner)

    assert client.get(reverse("account_logout")).status_code == 200
    assert _logged_in_user_id(client) == str(owner.pk)

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert _logged_in_user_id(client) is None


def test_the_header_offers_a_logout_form_with_csrf(client, owner):
    client.force_login(owner)

    html = client.get(reverse("accounts:settings")).content.decode()

    form = re.search(r'<form[^>]*action="/accounts/logout/".*?</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert "csrfmiddlewaretoken" in form.group(0)


def test_password_change(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "pw-owner-1", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_password_reset_mails_a_working_link(client, owner):
    response = client.post(reverse("account_reset_password"), {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link

    # allauth moves the key from the URL into the session, then shows the form.
    set_password_url = client.get(link.group(1)).url
    response = client.post(set_password_url, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_verification_blocks_login_until_confirmed(client):
    response = _signup(client)
    assert response.url == reverse("account_email_verification_sent")
    assert _logged_in_user_id(client) is None

    credentials = {"login": "new@example.com", "password": PASSWORD}
    client.post(reverse("account_login"), credentials)
    assert _logged_in_user_id(client) is None

    confirm_path = re.search(
        r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body
    )
    assert confirm_path
    client.post(confirm_path.group(1))
    client.post(reverse("account_login"), credentials)

    assert _logged_in_user_id(client) == str(get_user_model().objects.get().pk)


def test_email_verification_setting_fails_fast_on_unknown_values(monkeypatch):
    monkeypatch.setenv("TAKOSS_EMAIL_VERIFICATION", "sometimes")

    with pytest.raises(ImproperlyConfigured, match="TAKOSS_EMAIL_VERIFICATION"):
        env_choice("TAKOSS_EMAIL_VERIFICATION", "none", ("none", "optional", "mandatory"))
