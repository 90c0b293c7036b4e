"""API keys: shown once, stored hashed, listed masked, revocable, and checked by the API."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiKey
from accounts.services import api_key_authenticate, api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

API_KEYS_URL = reverse("accounts:api_keys")
KEY_PATTERN = re.compile(r"tk_[A-Za-z0-9_-]{43}")


def _revoke_url(api_key: ApiKey) -> str:
    return reverse("accounts:api_key_revoke", args=[api_key.pk])


def test_created_key_is_shown_once_and_stored_only_hashed(client, owner):
    client.force_login(owner)

    created = client.post(API_KEYS_URL, {"name": "CI pipeline", "expires_in_days": "30"})

    # Post/redirect/get: reloading what follows cannot create a second key
    assert (created.status_code, created.url) == (302, API_KEYS_URL)
    response = client.get(API_KEYS_URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert 'data-copy-target="new-key"' in response.content.decode()
    shown = KEY_PATTERN.findall(response.content.decode())
    assert len(set(shown)) == 1
    raw_key = shown[0]
    api_key = ApiKey.objects.get()
    assert api_key.user == owner
    assert api_key.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in {getattr(api_key, f.attname) for f in ApiKey._meta.fields}
    assert api_key.expires_at - timezone.now() > timedelta(days=29)

    next_page = client.get(API_KEYS_URL).content.decode()  # a reload
    assert raw_key not in next_page
    assert not KEY_PATTERN.search(next_page)
    assert ApiKey.objects.count() == 1
    assert raw_key not in str(dict(client.session))  # gone from the session once shown


def test_list_shows_keys_masked(client, owner):
    api_key, raw_key = api_key_create(user=owner, name="Laptop")
    client.force_login(owner)

    html = client.get(API_KEYS_URL).content.decode()

    assert f"tk_{raw_key[3:7]}…{raw_key[-4:]}" in html
    assert api_key.masked == f"tk_{raw_key[3:7]}…{raw_key[-4:]}"
    assert raw_key not in html
    assert "Laptop" in html
    assert "Never" in html  # never used, never expires


def test_list_shows_only_the_users_own_keys(client, owner, stranger):
    api_key_create(user=stranger, name="Stranger key")
    client.force_login(owner)

    assert b"Stranger key" not in client.get(API_KEYS_URL).content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "expires_in_days": ""}, "Give the key a name"),
        ({"name": "   ", "expires_in_days": ""}, "Give the key a name"),
        ({"name": "Typed name", "expires_in_days": "7"}, "Choose never, 30, 90 or 365 days."),
    ],
)
def test_bad_input_is_rejected_and_keeps_the_typed_text(client, owner, data, message):
    client.force_login(owner)

    response = client.post(API_KEYS_URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not KEY_PATTERN.search(html)
    if data["name"].strip():
        assert f'value="{data["name"]}"' in html
    assert not ApiKey.objects.exists()


def test_service_validates_its_input(owner):
    with pytest.raises(ValidationError) as error:
        api_key_create(user=owner, name=" ", expires_in_days=12)

    assert set(error.value.message_dict) == {"name", "expires_in_days"}


def test_revoke_asks_for_confirmation_then_revokes(client, owner):
    api_key, raw_key = api_key_create(user=owner, name="Old key")
    client.force_login(owner)

    confirm = client.get(_revoke_url(api_key))
    assert confirm.status_code == 200
    assert b"Revoke key" in confirm.content
    api_key.refresh_from_db()
    assert api_key.revoked_at is None

    response = client.post(_revoke_url(api_key))

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.status == ApiKey.Status.REVOKED
    assert api_key_authenticate(raw_key=raw_key) is None
    assert "Revoked" in client.get(API_KEYS_URL).content.decode()


def test_a_stranger_cannot_see_or_revoke_the_owners_key(client, owner, stranger):
    api_key, raw_key = api_key_create(user=owner, name="Owner's key")
    client.force_login(stranger)

    assert client.get(_revoke_url(api_key)).status_code == 404
    assert client.post(_revoke_url(api_key)).status_code == 404

    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert api_key_authenticate(raw_key=raw_key) == owner


def test_service_refuses_to_revoke_someone_elses_key(owner, stranger):
    api_key, _ = api_key_create(user=owner, name="Owner's key")

    with pytest.raises(ApiKey.DoesNotExist):
        api_key_revoke(user=stranger, key_id=api_key.pk)


def test_anonymous_revoke_is_sent_to_login(client, owner):
    api_key, _ = api_key_create(user=owner, name="Owner's key")

    response = client.post(_revoke_url(api_key))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_csrf_is_enforced(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(API_KEYS_URL, {"name": "No token", "expires_in_days": ""})

    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_authenticate_accepts_an_active_key_and_rejects_others(owner):
    _, raw_key = api_key_create(user=owner, name="Active")

    assert api_key_authenticate(raw_key=raw_key) == owner
    assert api_key_authenticate(raw_key=raw_key + "x") is None
    assert api_key_authenticate(raw_key=raw_key[3:]) is None
    assert api_key_authenticate(raw_key="") is None


def test_expired_keys_fail(owner):
    api_key, raw_key = api_key_create(user=owner, name="Short-lived", expires_in_days=30)
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api_key_authenticate(raw_key=raw_key) is None
    api_key.refresh_from_db()
    assert api_key.status == ApiKey.Status.EXPIRED
    assert not ApiKey.objects.active().exists()


def test_keys_of_deactivated_users_fail(owner):
    _, raw_key = api_key_create(user=owner, name="Active")
    owner.is_active = False
    owner.save()

    assert api_key_authenticate(raw_key=raw_key) is None


def test_last_used_is_recorded_at_most_once_a_minute(owner):
    api_key, raw_key = api_key_create(user=owner, name="Busy")

    api_key_authenticate(raw_key=raw_key)
    api_key.refresh_from_db()
    first_use = api_key.last_used_at
    assert first_use is not None

    api_key_authenticate(raw_key=raw_key)
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use

    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first_use - timedelta(minutes=2))
    api_key_authenticate(raw_key=raw_key)
    api_key.refresh_from_db()
    assert api_key.last_used_at > first_use - timedelta(minutes=2)


def test_admin_lists_and_filters_keys(client, owner):
    admin_user = type(owner).objects.create_superuser(email="root@example.com", password="pw")
    api_key_create(user=owner, name="Searchable")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:accounts_apikey_changelist"), {"q": "owner@"})
    revoked = client.get(reverse("admin:accounts_apikey_changelist"), {"revoked": "yes"})
    expired = client.get(reverse("admin:accounts_apikey_changelist"), {"expired": "no"})

    assert b"Searchable" in listing.content
    assert b"Searchable" not in revoked.content
    assert b"Searchable" in expired.content


def test_admin_can_revoke_keys_with_an_action(client, owner):
    admin_user = type(owner).objects.create_superuser(email="root@example.com", password="pw")
    api_key, raw_key = api_key_create(user=owner, name="Leaked")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )

    assert response.status_code == 302
    assert api_key_authenticate(raw_key=raw_key) is None


def test_the_page_names_the_header_that_a_key_works_in(client, owner):
    _api_key, raw_key = api_key_create(user=owner, name="CI")
    client.force_login(owner)
    page = client.get(API_KEYS_URL).content.decode()
    client.logout()

    assert "<code>X-API-Key</code> header" in page
    assert client.get("/api/projects", HTTP_X_API_KEY=raw_key).status_code == 200
    assert client.get("/api/projects", HTTP_AUTHORIZATION=f"Bearer {raw_key}").status_code == 401
