"""Which callbacks the event hub may call: public addresses on the allowed ports.

A partner chooses the URL the CRM posts to; without these rules it could make the CRM call into
its own network (a database, a cloud metadata service). The address is judged when the hub is
registered and again on each connection, since a name may resolve elsewhere by then.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

# IANA's special-purpose address registries (iana-ipv4-special-registry and
# iana-ipv6-special-registry), every entry whatever its "globally reachable" column, with the
# multicast blocks: none of them is a partner's web server. ipaddress.is_global alone lets
# several of them through, depending on the Python release.
SPECIAL_USE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # this network
        "10.0.0.0/8",  # private use
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services among them
        "172.16.0.0/12",  # private use
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private use
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the limited broadcast address
        "::/8",  # unspecified, loopback, IPv4-compatible (reserved by the IETF)
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # IPv4/IPv6 translation (NAT64)
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) among them
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "2620:4f:8000::/48",  # AS112 direct delegation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
# Prefixes whose last 32 bits are an IPv4 address (IPv4-compatible, NAT64).
_IPV4_IN_LOW_BITS = tuple(
    ipaddress.ip_network(network) for network in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48")
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, NAT64, 6to4, Teredo."""
    embedded = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if any(address in prefix for prefix in _IPV4_IN_LOW_BITS):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    return embedded


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is a public unicast address on the internet, and so is every IPv4
    address it carries (an IPv6 form of 127.0.0.1 reaches 127.0.0.1 on a host that routes it)."""
    judged = [address, *(_embedded_ipv4(address) if address.version == 6 else ())]
    return all(
        candidate.is_global and not any(candidate in network for network in SPECIAL_USE_NETWORKS)
        for candidate in judged
    )


def address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text.split("%")[0])


def allowed_callback_ports() -> frozenset[int] | None:
    """The ports a callback may use: CRM_HUB_ALLOWED_PORTS, else 443 (and 80 where https is
    not required); None, any port, where private callbacks are allowed (development)."""
    if settings.CRM_HUB_ALLOWED_PORTS:
        return frozenset(settings.CRM_HUB_ALLOWED_PORTS)
    if settings.CRM_HUB_ALLOW_PRIVATE_CALLBACKS:
        return None
    return frozenset({443} if settings.CRM_HUB_REQUIRE_HTTPS else {443, 80})


def callback_port_allowed(url: str) -> bool:
    allowed = allowed_callback_ports()
    if allowed is None:
        return True
    parts = urlsplit(url)
    try:
        port = parts.port or {"https": 443, "http": 80}[parts.scheme]
    except (ValueError, KeyError):
        return False
    return port in allowed


def callback_host_allowed(url: str) -> bool:
    """Refuse callbacks into our own network, or any special-use address, in production."""
    if settings.CRM_HUB_ALLOW_PRIVATE_CALLBACKS:
        return True
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(is_public_address(address_of(a)) for a in addresses)
