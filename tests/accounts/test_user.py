"""The custom user logs in by e-mail and has no username."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_normalised():
    user = get_user_model().objects.create_user(email="Ada@Example.COM", password="s3cret-pass")
    assert user.email == "ada@example.com"
    assert authenticate(email="ada@example.com", password="s3cret-pass") == user
    assert authenticate(email="ada@example.com", password="wrong") is None


def test_an_email_is_required():
    with pytest.raises(ValueError, match="e-mail"):
        get_user_model().objects.create_user(email="", password="x")


def test_superuser_is_staff(client):
    admin = get_user_model().objects.create_superuser(email="root@example.com", password="pw")
    assert admin.is_staff and admin.is_superuser
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"takoss generate" in response.content
