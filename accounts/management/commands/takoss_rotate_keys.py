"""Re-encrypt the stored provider keys with the first TAKOSS_KEY_ENCRYPTION_KEY (README)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import provider_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored provider key with the first key of TAKOSS_KEY_ENCRYPTION_KEY; "
        "run it after putting a new key first, before removing the old one."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = provider_keys_rotate()
        self.stdout.write(f"Re-encrypted {count} provider key(s).")
