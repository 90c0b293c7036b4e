"""Provider keys on the settings page: encrypted at rest, shown by their last four only, deletable,
never another person's; the admin's view of them; the local model check against the engine's
replay server (tests/engine/provider_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts import crypto
from accounts.models import ProviderKey
from accounts.services import provider_key_save
from generator.providers import api_key, provider_clean
from tests.engine.provider_server import ProviderServer

pytestmark = pytest.mark.django_db
KEY = "sk-proj-T0pS3cret-Zq8u2RkV93xxWXYZ"
SETTINGS = "accounts:settings"


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def _raw_column() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_encrypted, last4 FROM accounts_providerkey")
        return [f"{encrypted} {last4}" for encrypted, last4 in cursor.fetchall()]


# --- at rest -------------------------------------------------------------------------------------


def test_the_database_holds_no_plaintext_key(owner):
    provider_key_save(user=owner, provider="openai", key=KEY)

    [row] = _raw_column()
    assert KEY not in row
    assert KEY[:-4] not in row  # not even most of it: only the last four are kept in clear
    assert row.endswith(" WXYZ")
    assert api_key(owner, "openai") == KEY


def test_an_explicit_encryption_key_is_used_and_rotation_keeps_keys_readable(owner, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TAKOSS_KEY_ENCRYPTION_KEYS = [old]
    provider_key_save(user=owner, provider="openai", key=KEY)
    token = ProviderKey.objects.get().key_encrypted
    assert Fernet(old.encode()).decrypt(token.encode()).decode() == KEY

    # A new key goes first; the command re-encrypts; then the old key can go.
    settings.TAKOSS_KEY_ENCRYPTION_KEYS = [new, old]
    call_command("takoss_rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.TAKOSS_KEY_ENCRYPTION_KEYS = [new]
    assert api_key(owner, "openai") == KEY


def test_a_key_under_a_lost_encryption_key_reads_as_no_key(owner, settings):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    provider_key_save(user=owner, provider="openai", key=KEY)
    settings.TAKOSS_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert api_key(owner, "openai") is None
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(ProviderKey.objects.get().key_encrypted)


def test_saving_again_replaces_the_key(owner):
    provider_key_save(user=owner, provider="gemini", key=KEY)
    provider_key_save(user=owner, provider="gemini", key="AIza-second-key-9876")
    assert [k.last4 for k in ProviderKey.objects.all()] == ["9876"]
    assert api_key(owner, "gemini") == "AIza-second-key-9876"


@pytest.mark.parametrize(
    ("provider", "key", "field"),
    [("cohere", KEY, "provider"), ("openai", "", "key"), ("openai", "two words here", "key")],
)
def test_bad_keys_are_refused_by_field(owner, provider, key, field):
    with pytest.raises(ValidationError) as caught:
        provider_key_save(user=owner, provider=provider, key=key)
    assert field in caught.value.message_dict


# --- the settings page ---------------------------------------------------------------------------


def test_adding_a_key_shows_its_last_four_only(signed_in):
    response = signed_in.post(
        reverse("accounts:provider_key_add"), {"provider": "anthropic", "key": KEY}, follow=True
    )

    page = response.content.decode()
    assert "Saved your Anthropic key ending in WXYZ. It will not be shown again." in page
    assert "…WXYZ" in page
    assert KEY not in page and KEY[:-4] not in page


def test_a_refused_key_is_not_echoed_back(signed_in):
    response = signed_in.post(
        reverse("accounts:provider_key_add"), {"provider": "nope", "key": KEY}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert KEY not in page


def test_deleting_a_key_revokes_it(signed_in, owner, settings):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    saved = provider_key_save(user=owner, provider="openai", key=KEY)

    response = signed_in.post(reverse("accounts:provider_key_delete", args=[saved.pk]))

    assert response.status_code == 302
    assert not ProviderKey.objects.exists()
    assert api_key(owner, "openai") is None
    with pytest.raises(ValidationError):
        provider_clean(owner=owner, provider="openai", model="", base_url="")
    page = signed_in.get(reverse(SETTINGS)).content.decode()
    assert 'data-testid="no-provider-keys"' in page


def test_another_person_never_sees_deletes_or_uses_the_key(client, owner, stranger, settings):
    settings.TAKOSS_PROVIDER_ENV_KEYS = False
    saved = provider_key_save(user=owner, provider="openai", key=KEY)
    client.force_login(stranger)

    page = client.get(reverse(SETTINGS)).content.decode()
    assert "WXYZ" not in page
    assert client.post(reverse("accounts:provider_key_delete", args=[saved.pk])).status_code == 404
    assert ProviderKey.objects.filter(pk=saved.pk).exists()
    assert api_key(stranger, "openai") is None
    with pytest.raises(ValidationError) as caught:
        provider_clean(owner=stranger, provider="openai", model="", base_url="")
    assert "No API key for OpenAI" in caught.value.message_dict["provider"][0]


def test_the_settings_page_shows_this_months_spending_against_the_budget(signed_in, owner):
    owner.monthly_budget_usd = 25
    owner.save()
    page = signed_in.get(reverse(SETTINGS)).content.decode()
    assert "This month: <strong>$0.00</strong> of your $25.00 budget" in page


def test_the_admin_shows_provider_and_last_four_never_the_key(client, owner):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(email="admin@example.com", password="pw-a")
    saved = provider_key_save(user=owner, provider="openai", key=KEY)
    client.force_login(admin)

    listing = client.get(reverse("admin:accounts_providerkey_changelist")).content.decode()
    detail = client.get(
        reverse("admin:accounts_providerkey_change", args=[saved.pk])
    ).content.decode()
    for page in (listing, detail):
        assert "WXYZ" in page and "OpenAI" in page
        assert KEY not in page and saved.key_encrypted not in page
    user_page = client.get(reverse("admin:accounts_user_change", args=[owner.pk])).content
    assert b"monthly_budget_usd" in user_page


# --- the local model check -----------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ProviderServer]:
    running = ProviderServer().start()
    yield running
    running.stop()


def test_the_check_reports_a_model_that_can_drive_takoss(signed_in, server):
    server.reply_file("openai/models.json")
    server.reply_file("openai/chat_stream_json_schema.sse")

    response = signed_in.post(
        reverse("accounts:model_check"), {"base_url": f"{server.url}/v1"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "<html" not in page  # htmx gets the report's partial only
    assert 'data-usable="true"' in page
    assert "qwen2.5-0.5b-instruct can drive Takoss: a valid AppSpec" in page
    assert "<code>smollm2-135m-instruct</code>" in page
    assert "It read the check's text into: Book." in page
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions"]


def test_the_check_works_without_javascript_and_says_when_a_server_is_unreachable(signed_in):
    response = signed_in.post(
        reverse("accounts:model_check"), {"base_url": "http://127.0.0.1:9/v1"}
    )

    page = response.content.decode()
    assert "<html" in page and "Model providers" in page  # the whole settings page
    assert 'data-usable="false"' in page
    assert (
        "cannot list the server&#x27;s models: could not connect to http://127.0.0.1:9/v1" in page
    )


def test_the_check_says_when_a_server_is_not_openai_compatible(signed_in, server):
    server.reply("<html>hello</html>", status=404, content_type="text/html")
    server.reply("<html>hello</html>", status=404, content_type="text/html")

    response = signed_in.post(
        reverse("accounts:model_check"), {"base_url": server.url, "model": "llama3"}
    )

    page = response.content.decode()
    assert 'data-usable="false"' in page
    assert "llama3 cannot drive Takoss" in page
    assert "HTTP 404" in page


@pytest.mark.parametrize(
    "address", ["file:///etc/passwd", "gopher://127.0.0.1/", "localhost:11434"]
)
def test_the_check_refuses_addresses_that_are_not_http(signed_in, address):
    response = signed_in.post(
        reverse("accounts:model_check"), {"base_url": address}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "http:// or https://" in page
    assert 'data-testid="model-check-report"' not in page
