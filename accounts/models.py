"""The Takoss user (logs in with an e-mail address, has no username) and their API keys.

The user model is in place from the very first migration so that swapping it is never needed
later. Writes go through accounts/services.py; this module only defines the records and the
querysets that filter them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class ExperienceLevel(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    EXPERIENCED = "experienced", "Experienced"


class Theme(models.TextChoices):
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    # Blank until the user picks one in onboarding; it decides which new-project form they see.
    experience_level = models.CharField(max_length=16, choices=ExperienceLevel, blank=True)
    theme = models.CharField(max_length=8, choices=Theme, default=Theme.LIGHT)
    # Spending with model providers per calendar month; empty: TAKOSS_MONTHLY_BUDGET_USD.
    monthly_budget_usd = models.DecimalField(
        "monthly model budget (USD)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty: the site's default (TAKOSS_MONTHLY_BUDGET_USD). 0: offline runs only.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def needs_onboarding(self) -> bool:
        return not self.experience_level

    @property
    def model_budget(self) -> Decimal:
        """What this person may spend with model providers per calendar month, in USD."""
        if self.monthly_budget_usd is not None:
            return self.monthly_budget_usd
        return Decimal(settings.TAKOSS_MONTHLY_BUDGET_USD)


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def for_user(self, user: User) -> ApiKeyQuerySet:
        return self.filter(user=user)

    def active(self) -> ApiKeyQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A secret a REST client sends instead of a session; only its SHA-256 is stored.

    The full key (`tk_` + 43 URL-safe characters from 32 random bytes) is shown once, at
    creation. A plain SHA-256 is enough here, unlike for passwords: slow, salted hashes exist to
    stop guessing of low-entropy secrets, while 256 random bits cannot be guessed however fast the
    hash is. A fast, unsalted hash also lets every request find its key with one indexed lookup.
    `prefix` and `last4` keep a few characters of the random part so people can tell keys apart.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=4)
    last4 = models.CharField(max_length=4)
    key_hash = models.CharField("key hash (SHA-256)", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        return f"tk_{self.prefix}…{self.last4}"

    @property
    def status(self) -> ApiKey.Status:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE


class ProviderKeyQuerySet(models.QuerySet["ProviderKey"]):
    def for_user(self, user: User) -> ProviderKeyQuerySet:
        return self.filter(user=user)


class ProviderKey(models.Model):
    """A person's key for a model provider, encrypted at rest (accounts/crypto.py).

    Only ``last4`` is ever shown again; the key itself is decrypted only to build the request
    of a run the person starts (generator/providers.py). One key per provider and person: saving
    another replaces it. Deleting the row revokes it.
    """

    # The engine's model providers (generator.engine.providers.config.MODEL_PROVIDERS).
    class Provider(models.TextChoices):
        ANTHROPIC = "anthropic", "Anthropic"
        OPENAI = "openai", "OpenAI"
        GEMINI = "gemini", "Google Gemini"
        OPENAI_COMPATIBLE = "openai-compatible", "OpenAI-compatible server"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_keys"
    )
    provider = models.CharField(max_length=32, choices=Provider)
    key_encrypted = models.TextField("key (encrypted)", editable=False)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProviderKeyQuerySet.as_manager()

    class Meta:
        ordering = ["provider"]
        verbose_name = "provider key"
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="provider_key_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} key …{self.last4}"

    @property
    def masked(self) -> str:
        return f"…{self.last4}"
