"""django-allauth's adapter, for the one thing Takoss decides differently: the client's address.

allauth's rate limits (login, failed logins, sign-up, password reset) count per address with
their own reading of ``X-Forwarded-For`` (ALLAUTH_TRUSTED_PROXY_COUNT / _CLIENT_IP_HEADER).
Takoss has one reading for every limit, takoss.clientip, configured by TAKOSS_TRUSTED_PROXIES.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from takoss.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address
