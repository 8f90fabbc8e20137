"""What both clients share: their keywords, their settings and endpoints, the httpx client.

:class:`ClientBase` is the constructor of :class:`~threadkeep.fetch.client.Client` and
:class:`~threadkeep.fetch.async_client.AsyncClient`; every decision they take (retries,
redirects, the body, politeness) lives in the modules beside this one, so that each client
is left with its own I/O: sending a request and iterating its body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from threadkeep.fetch.addresses import AddressPolicy
from threadkeep.fetch.endpoints import (
    OEMBED_BASE,
    SYNDICATION_BASE,
    THREADREADER_BASE,
    Endpoints,
)
from threadkeep.fetch.settings import Settings

if TYPE_CHECKING:
    from threadkeep.fetch.capture import Exchange

__all__ = ["ClientBase"]

H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class ClientBase(Generic[H]):
    """Settings, endpoints and the httpx client both clients are made with.

    A ``http`` client passed in (proxies, auth, transports) is used as given and left open;
    one made here is closed with the client. docs/fetching.md gives every keyword's meaning.
    ``on_exchange``, when given, is called with the :class:`~threadkeep.fetch.capture.Exchange`
    of each request of every successful ``fetch`` (and ``fetch_thread``, ``fetch_tweet``,
    ``fetch_article``) once its body is read: each redirect followed, then the final answer.
    It is called outside the retries (a failed try is never seen): what it raises reaches the
    caller of the fetch. Failed fetches and streamed ones (media) are not observed.

    Example::

        client = threadkeep.Client(min_interval=2.0, contact="me@example.org")
    """

    def __init__(
        self,
        *,
        http: H | None = None,
        threadreader_base: str = THREADREADER_BASE,
        oembed_base: str = OEMBED_BASE,
        syndication_base: str = SYNDICATION_BASE,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        deadline: float = 300.0,
        min_interval: float = 1.0,
        concurrency: int = 8,
        max_bytes: int = 20_000_000,
        max_redirects: int = 10,
        contact: str | None = None,
        allow_private: bool = False,
        address_policy: AddressPolicy | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self._settings = Settings(
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_wait=max_wait,
            deadline=deadline,
            min_interval=min_interval,
            concurrency=concurrency,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            contact=contact,
            allow_private=allow_private,
        )
        self._policy = _policy(http, allow_private, address_policy)
        self._endpoints = Endpoints(threadreader_base, oembed_base, syndication_base)
        self._on_exchange = on_exchange
        self._owns_http = http is None
        self._http: H = http if http is not None else self._new_http()
        self._prepare()

    def _new_http(self) -> H:
        """The httpx client to use when none was given (over :mod:`.network`'s transport)."""
        raise NotImplementedError

    def _prepare(self) -> None:
        """Make the client's turns (threading or asyncio locks)."""
        raise NotImplementedError


def _policy(
    http: object, allow_private: bool, address_policy: AddressPolicy | None
) -> AddressPolicy:
    """The client's address policy; refused with an httpx client of the caller's, whose
    transport threadkeep does not control (docs/security.md)."""
    if http is not None and (allow_private or address_policy is not None):
        raise ValueError(
            "allow_private and address_policy cannot be enforced in an httpx client you pass "
            "in (http=): threadkeep checks addresses in the transport of the client it makes"
        )
    if address_policy is not None and allow_private:
        raise ValueError("give allow_private to the AddressPolicy you pass, not beside it")
    return address_policy or AddressPolicy(allow_private=allow_private)
