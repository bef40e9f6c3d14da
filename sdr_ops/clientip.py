"""The address a request comes from, read through the proxies the operator trusts.

Behind the TLS-terminating proxy that the README prescribes, every request's REMOTE_ADDR is
the proxy's. The client's own address is then in `X-Forwarded-For`, which anyone can also
send straight to the app: the header is read only when the request arrives from one of
`TRUSTED_PROXIES`, and then from its right end, skipping each trusted hop, so that an address
the client wrote in itself is never taken. Without `TRUSTED_PROXIES` the header is ignored.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the nearest untrusted hop of X-Forwarded-For
    when the request came through a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(_address(remote), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A hop that is not an address was written by someone we do not trust: the
            # nearest address we can vouch for is the proxy that passed it on.
            return remote
        if not _is_trusted(address, networks):
            return str(address)
    return str(_address(hops[0])) if hops else remote
