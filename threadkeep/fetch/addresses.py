"""Where a fetch may connect: the address policy, and the route one fetch has taken so far.

A url names a host; the host resolves to addresses; threadkeep checks **every** address, then
connects to one of the addresses it checked (:mod:`.network`), never to the name again, so a
second DNS answer (rebinding) cannot move the connection. The rules, per hop:

* a **link-local** address (169.254.0.0/16, fe80::/10: where cloud metadata services answer)
  is never connected to, whatever the hop and whatever the options;
* a **loopback or private** address (127/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7,
  100.64/10, 0.0.0.0/8, ::, and every other range that is not globally routable) is refused
  for a hop that comes *after a public address*: a redirect from a public server, or a url
  taken from the content of a page (which a public server wrote). The user's own url may be
  loopback or private (a local server, a test server), and so may its redirects as long as
  they stay inside. ``allow_private=True`` opens these ranges everywhere;
* IPv4-mapped, NAT64 and 6to4 IPv6 forms are judged by the IPv4 address inside them.

:class:`AddressPolicy` is a replaceable part of a client (``address_policy=``): its
:meth:`~AddressPolicy.resolve` and :meth:`~AddressPolicy.kind` can be overridden, as the
tests do to call a loopback address "public". :class:`Route` is one fetch's state: its
deadline, where its urls come from, and the kind of address the previous hop reached; the
clients make one per fetch and :mod:`.network` reads it through :data:`ROUTE`.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from threadkeep.errors import ForbiddenAddress
from threadkeep.fetch.failures import Failure

__all__ = ["ROUTE", "AddressPolicy", "Kind", "Route", "address_kind", "taking"]

Kind = Literal["public", "private", "link-local"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LINK_LOCAL_RULE = "link-local addresses (169.254.0.0/16, fe80::/10) are never fetched"
_PRIVATE_RULE = (
    "loopback and private addresses are refused after a public one and for urls from pages"
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Forms that some Python releases call global but that no public server uses: the old
# IPv4-compatible form (::a.b.c.d, judged by its IPv4 address like the mapped form), the
# deprecated site-local range, and local-use NAT64 (RFC 8215). Judged here, not by the
# ``ipaddress`` of the day.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NOT_PUBLIC = (ipaddress.IPv6Network("fec0::/10"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_OPEN_PRIVATE = "allow_private=True (--allow-private) opens loopback and private addresses"


def address_kind(address: IPAddress) -> Kind:
    """The kind of ``address``: ``public`` only if globally routable and not multicast.

    >>> from ipaddress import ip_address as ip
    >>> [address_kind(ip(a)) for a in ("93.184.215.14", "::ffff:127.0.0.1", "169.254.169.254")]
    ['public', 'private', 'link-local']
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and (address in _NAT64 or address in _IPV4_COMPATIBLE):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return address_kind(inner)
        if any(address in network for network in _NOT_PUBLIC):
            return "private"
    if address.is_link_local:
        return "link-local"
    if address.is_global and not address.is_multicast:
        return "public"
    return "private"


class AddressPolicy:
    """Which addresses a hop may connect to (the rules are in this module's docstring).

    Override :meth:`resolve` to answer names yourself, :meth:`kind` to classify addresses
    otherwise; :meth:`refusal` applies the rules to what they say.

    >>> AddressPolicy().refusal("10.0.0.1", after=None) is None  # the user's own url
    True
    >>> AddressPolicy().refusal("10.0.0.1", after="public")[:44]
    'loopback and private addresses are refused a'
    """

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to, in the resolver's order, each once."""
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in found))

    def kind(self, address: IPAddress) -> Kind:
        """``public``, ``private`` (loopback included) or ``link-local``."""
        return address_kind(address)

    def refusal(self, address: str, *, after: Kind | None) -> str | None:
        """The rule that refuses ``address``, or None; ``after`` is the kind of address the
        previous hop reached (``public`` for a url from a page, None for the user's own)."""
        kind = self.kind(ipaddress.ip_address(address.partition("%")[0]))
        if kind == "link-local":
            return _LINK_LOCAL_RULE
        if kind == "private" and after == "public" and not self.allow_private:
            return _PRIVATE_RULE
        return None


@dataclass
class Route:
    """One fetch's way so far: its deadline, and the kind of address the previous hop reached.

    ``from_page`` is true for a url taken from a page's content: its first hop counts as
    coming after a public address. :meth:`restart` begins an attempt, :meth:`next_hop`
    each request; :meth:`check` is called with every address before it is used.
    """

    deadline: float
    from_page: bool = False
    hop: str = field(default="", init=False)
    hops: int = field(default=0, init=False)
    after: Kind | None = field(default=None, init=False)
    reached: Kind | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        """A new attempt starts again from the url asked for."""
        self.after = "public" if self.from_page else None
        self.reached, self.hops = None, 0

    def next_hop(self, url: str) -> None:
        """A request to ``url`` is about to be sent: it comes after the previous one."""
        if self.reached is not None:
            self.after, self.reached = self.reached, None
            self.hops += 1
        self.hop = url

    def check(self, policy: AddressPolicy, address: str) -> None:
        """Note that this hop reaches ``address``, or raise the refusal (never retried)."""
        rule = policy.refusal(address, after=self.after)
        if rule is not None:
            hint = "" if rule == _LINK_LOCAL_RULE else _OPEN_PRIVATE
            raise Failure(ForbiddenAddress, f"{self._which()} {address}: {rule}", hint)
        kind = policy.kind(ipaddress.ip_address(address.partition("%")[0]))
        if self.reached != "public":  # one public address of a hop makes the hop public
            self.reached = kind

    def _which(self) -> str:
        if self.hops:
            return f"redirected to {self.hop}, which resolves to"
        return "taken from a page, resolves to" if self.from_page else "resolves to"


ROUTE: contextvars.ContextVar[Route | None] = contextvars.ContextVar(
    "threadkeep_route", default=None
)


@contextlib.contextmanager
def taking(route: Route) -> Iterator[Route]:
    """Make ``route`` the one the network layer reads, in this thread or task, while inside."""
    token = ROUTE.set(route)
    try:
        yield route
    finally:
        ROUTE.reset(token)
