"""The address of the client behind a request: the one place Takoss decides it.

Every per-address limit (the API's login, register and refresh throttle, allauth's login and
sign-up limits, DRF's anonymous throttles) asks :func:`client_ip`. ``X-Forwarded-For`` is
written by whoever sends the request, so it is believed only when the request comes from a
proxy named in ``TAKOSS_TRUSTED_PROXIES`` (none by default): then the client is the right-most
address in the header that is not itself a trusted proxy. Otherwise the client is the peer
(``REMOTE_ADDR``), whatever the header says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_proxies(entries: Iterable[str], *, name: str = "TAKOSS_TRUSTED_PROXIES") -> list[str]:
    """Validate IPs and CIDRs (``10.0.0.1``, ``10.0.0.0/8``, ``::1``); their canonical forms."""
    networks = []
    for entry in entries:
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or a CIDR network (e.g. 10.0.0.0/8)."
            ) from None
    return networks


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(raw: str) -> Address | None:
    value = raw.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:8080"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:8080"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: Any) -> str:
    """The client's address for ``request`` (a Django request, or anything with ``META``)."""
    meta = request.META
    peer = str(meta.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(getattr(settings, "TAKOSS_TRUSTED_PROXIES", ())))
    peer_address = _address(peer)
    if not networks or peer_address is None or not _trusted(peer_address, networks):
        return str(peer_address) if peer_address is not None else peer
    hops = [hop for hop in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    nearest = peer_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: written by the client (or a broken proxy), so nothing left of it
            # can be believed; the farthest trusted hop is what we know.
            break
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)
