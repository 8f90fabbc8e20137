"""The connection layer under httpx: where a request may connect, and for how long.

httpx hands each request to an httpcore connection pool, which asks a *network backend* for
connections and then reads and writes their streams. The clients threadkeep makes give httpx
a :class:`Transport` (or :class:`AsyncTransport`) whose pool uses the backends here, so that:

* **a name is resolved once, here**, every address it resolves to is checked against the
  client's :class:`~threadkeep.fetch.addresses.AddressPolicy`, and the connection goes to an
  address that was checked: a second DNS answer (rebinding) cannot move it. TLS still
  verifies the certificate for the host *name* (httpcore sends the url's host as SNI);
* **a kept-alive connection is checked again** before each request is written on it: the
  pool may hand a connection made for one hop to a later hop that may not go there;
* **every wait is cut to the time left before the fetch's deadline**: resolving, connecting,
  the TLS handshake, each read and each write. A server sending its headers one byte a
  second keeps every read within ``timeout``, but not the whole exchange past ``deadline``.

The fetch's :class:`~threadkeep.fetch.addresses.Route` (deadline, where its url came from,
where the previous hop went) reaches this layer through the context variable
:data:`~threadkeep.fetch.addresses.ROUTE`, set for the fetch by the client. Refusals and the
deadline raise the :class:`~threadkeep.fetch.failures.Failure` the fetch ends in; httpx lets
such non-httpcore exceptions through as they are.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import anyio
import anyio.to_thread
import httpcore
import httpx

from threadkeep.errors import FetchTimeout
from threadkeep.fetch.addresses import ROUTE, AddressPolicy, Route
from threadkeep.fetch.failures import Failure

__all__ = ["AsyncTransport", "Transport"]

_HINT = "the server is too slow: try later, or raise deadline"
# httpx's own defaults (httpx.HTTPTransport), which the transports below replace.
_LIMITS: dict[str, Any] = {
    "max_connections": 100,
    "max_keepalive_connections": 20,
    "keepalive_expiry": 5.0,
}


def _limits(concurrency: int) -> dict[str, Any]:
    """httpx's pool limits, with room for every fetch the client lets run at once: the wait
    for a free connection is not one the deadline can cut, so it must never happen."""
    return {**_LIMITS, "max_connections": max(_LIMITS["max_connections"], concurrency)}


def _route() -> Route | None:
    return ROUTE.get()


@contextlib.contextmanager
def _bounded(timeout: float | None, doing: str) -> Iterator[float | None]:
    """``timeout`` cut to the time left before the deadline; a timeout that the deadline
    set becomes the fetch's :class:`FetchTimeout` (no retry: no time is left for one)."""
    route = _route()
    left = None if route is None else route.deadline - time.monotonic()
    if left is None or (timeout is not None and timeout < left):
        yield timeout
        return
    if left <= 0:
        raise Failure(FetchTimeout, f"{doing} at the deadline", _HINT)
    try:
        yield left
    except httpcore.TimeoutException as exc:
        raise Failure(FetchTimeout, f"{doing} at the deadline", _HINT) from exc


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def _looked_up(addresses: list[str], host: str) -> list[str]:
    if not addresses:
        raise httpcore.ConnectError(f"{host} resolves to no address")
    return addresses


def _in_thread(work: Callable[[], list[str]], timeout: float | None, host: str) -> list[str]:
    """``work()`` (a DNS lookup, which cannot be interrupted) waited for at most ``timeout``."""
    done: list[list[str] | BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # handed to the waiting thread
            done.append(exc)

    worker = threading.Thread(target=run, name=f"threadkeep-resolve-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not done:
        raise httpcore.ConnectTimeout(f"looking up {host} took more than {timeout:g} s")
    if isinstance(done[0], BaseException):
        raise httpcore.ConnectError(f"looking up {host} failed: {done[0]}") from done[0]
    return _looked_up(done[0], host)


class _Stream(httpcore.NetworkStream):
    """A connection to a checked ``address``: every wait bounded, every request checked."""

    def __init__(self, stream: httpcore.NetworkStream, address: str, policy: AddressPolicy):
        self._stream, self._address, self._policy = stream, address, policy

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _bounded(timeout, "the answer was still arriving") as left:
            return self._stream.read(max_bytes, left)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _reaches(self._policy, self._address)  # before any byte of this request is sent
        with _bounded(timeout, "the request was still being sent") as left:
            self._stream.write(buffer, left)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with _bounded(timeout, "the TLS handshake was still going on") as left:
            secure = self._stream.start_tls(ssl_context, server_hostname, left)
        return _Stream(secure, self._address, self._policy)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    """The asyncio twin of :class:`_Stream`."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, address: str, policy: AddressPolicy):
        self._stream, self._address, self._policy = stream, address, policy

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _bounded(timeout, "the answer was still arriving") as left:
            return await self._stream.read(max_bytes, left)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _reaches(self._policy, self._address)
        with _bounded(timeout, "the request was still being sent") as left:
            await self._stream.write(buffer, left)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with _bounded(timeout, "the TLS handshake was still going on") as left:
            secure = await self._stream.start_tls(ssl_context, server_hostname, left)
        return _AsyncStream(secure, self._address, self._policy)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _reaches(policy: AddressPolicy, address: str) -> None:
    """Check ``address`` for the hop being sent (outside a fetch: as the user's own url)."""
    (_route() or Route(deadline=math.inf)).check(policy, address)


class Backend(httpcore.NetworkBackend):
    """Connects only to checked addresses, within the deadline (sync)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy, self._inner = policy, httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port, timeout)
        for address in addresses:  # every one, before connecting to any
            _reaches(self._policy, address)
        failed = httpcore.ConnectError(f"no address of {host} to connect to")
        for address in addresses:
            with _bounded(timeout, f"still connecting to {host} ({address})") as left:
                try:
                    stream = self._inner.connect_tcp(
                        address, port, left, local_address, socket_options
                    )
                except httpcore.ConnectError as exc:
                    failed = exc
                    continue
            return _Stream(stream, address, self._policy)
        raise failed

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        if _literal(host):
            return [host]
        with _bounded(timeout, f"still looking up {host}") as left:
            return _in_thread(lambda: self._policy.resolve(host, port), left, host)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncBackend(httpcore.AsyncNetworkBackend):
    """The asyncio (anyio) twin of :class:`Backend`."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy, self._inner = policy, httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        for address in addresses:
            _reaches(self._policy, address)
        failed = httpcore.ConnectError(f"no address of {host} to connect to")
        for address in addresses:
            with _bounded(timeout, f"still connecting to {host} ({address})") as left:
                try:
                    stream = await self._inner.connect_tcp(
                        address, port, left, local_address, socket_options
                    )
                except httpcore.ConnectError as exc:
                    failed = exc
                    continue
            return _AsyncStream(stream, address, self._policy)
        raise failed

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        if _literal(host):
            return [host]
        with _bounded(timeout, f"still looking up {host}") as left:
            try:
                with anyio.fail_after(left):
                    found = await anyio.to_thread.run_sync(
                        self._policy.resolve, host, port, abandon_on_cancel=True
                    )
            except TimeoutError as exc:  # before Exception, which it derives from
                raise httpcore.ConnectTimeout(f"looking up {host} took too long") from exc
            except Exception as exc:  # OSError, or a name idna cannot encode: as the sync twin
                raise httpcore.ConnectError(f"looking up {host} failed: {exc}") from exc
        return _looked_up(found, host)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _next_hop(request: httpx.Request) -> None:
    route = _route()
    if route is not None:
        route.next_hop(str(request.url))


class Transport(httpx.HTTPTransport):
    """httpx's transport over a pool that connects through :class:`Backend`."""

    def __init__(self, policy: AddressPolicy, concurrency: int = 1) -> None:  # not super's
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=Backend(policy),
            **_limits(concurrency),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _next_hop(request)
        return super().handle_request(request)


class AsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's async transport over a pool that connects through :class:`AsyncBackend`."""

    def __init__(self, policy: AddressPolicy, concurrency: int = 1) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=AsyncBackend(policy),
            **_limits(concurrency),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _next_hop(request)
        return await super().handle_async_request(request)
