"""Waiting one's turn: one request at a time per host, ``min_interval`` apart, few in flight.

:class:`Spacing` is the pure rule (when a host may be sent its next request); it logs every
wait over 50 ms at INFO on ``threadkeep.fetch``. :class:`ThreadTurns` (for :class:`Client`,
which threads may share) and :class:`AsyncTurns` (for one event loop) hold a host's turn and
a request slot around each request with the matching kind of lock.

Waiting for a turn is part of the fetch, so the fetch's deadline bounds it too: a pause that
would end past the deadline, or a turn (or slot) not had by then, fails at once with
:class:`~threadkeep.errors.FetchTimeout` rather than waiting to fail after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

from threadkeep.errors import FetchTimeout
from threadkeep.fetch.failures import Failure
from threadkeep.fetch.settings import Settings

__all__ = ["AsyncTurns", "Spacing", "ThreadTurns", "host_key"]

_log = logging.getLogger("threadkeep.fetch")
_LOGGED_WAIT = 0.05  # shorter waits are noise in a -v log


def host_key(url: str) -> str:
    """``host[:port]`` of ``url``, lower-case: the unit politeness intervals apply to.

    >>> host_key("https://User@Example.ORG:8443/x")
    'example.org:8443'
    """
    return (urlsplit(url).netloc.rpartition("@")[2]).lower()


class Spacing:
    """When each host may be sent another request: ``interval`` after its last one ended.

    Spacing request *starts* instead would let scheduling jitter in the client squeeze two
    requests closer together than the interval by the time they arrive.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last_end: dict[str, float] = {}  # host -> when its last request ended

    def delay(self, host: str, url: str) -> float:
        """Seconds until ``host`` may be sent ``url`` (logged when over 50 ms)."""
        last = self._last_end.get(host)
        delay = 0.0 if last is None else max(0.0, last + self.interval - time.monotonic())
        if delay > _LOGGED_WAIT:
            _log.info(
                "%s: waiting %.2f s for %s's turn (min_interval=%g s)",
                url,
                delay,
                host,
                self.interval,
            )
        return delay

    def ended(self, host: str) -> None:
        """Note that a request to ``host`` just ended."""
        self._last_end[host] = time.monotonic()


def _late(problem: str) -> Failure:
    return Failure(FetchTimeout, problem, "raise deadline, or lower min_interval or concurrency")


def _left(deadline: float, host: str) -> float:
    """Seconds left before ``deadline``; fails when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _late(f"still waiting for {host}'s turn at the deadline")
    return left


def _pause(spacing: Spacing, host: str, url: str, deadline: float) -> float:
    """The pause before ``host``'s next request, if it ends before ``deadline``."""
    delay = spacing.delay(host, url)
    if time.monotonic() + delay >= deadline:
        pause = f"{delay:.2f} s for {host}'s turn (min_interval={spacing.interval:g} s)"
        raise _late(f"waiting {pause} would pass the deadline")
    return delay


class ThreadTurns:
    """Per-host turns and the concurrency cap for threads sharing one :class:`Client`."""

    def __init__(self, settings: Settings) -> None:
        self._spacing = Spacing(settings.min_interval)
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._host_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def turn(self, url: str, deadline: float) -> Iterator[None]:
        """Hold ``url``'s host and a request slot for one request, if had before ``deadline``."""
        host = host_key(url)
        with self._guard:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with _held(lock, deadline, host):
            time.sleep(_pause(self._spacing, host, url, deadline))
            with _held(self._slots, deadline, host):
                try:
                    yield
                finally:
                    self._spacing.ended(host)


class AsyncTurns:
    """Per-host turns and the concurrency cap for one :class:`AsyncClient` in one loop."""

    def __init__(self, settings: Settings) -> None:
        self._spacing = Spacing(settings.min_interval)
        self._slots = asyncio.BoundedSemaphore(settings.concurrency)
        self._host_locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, url: str, deadline: float) -> AsyncIterator[None]:
        """Hold ``url``'s host and a request slot for one request, if had before ``deadline``."""
        host = host_key(url)
        async with _async_held(self._host_locks.setdefault(host, asyncio.Lock()), deadline, host):
            # holds no request slot
            await asyncio.sleep(_pause(self._spacing, host, url, deadline))
            async with _async_held(self._slots, deadline, host):
                try:
                    yield
                finally:
                    self._spacing.ended(host)


@contextlib.contextmanager
def _held(
    lock: threading.Lock | threading.BoundedSemaphore, deadline: float, host: str
) -> Iterator[None]:
    if not lock.acquire(timeout=_left(deadline, host)):
        raise _late(f"still waiting for {host}'s turn at the deadline")
    try:
        yield
    finally:
        lock.release()


@contextlib.asynccontextmanager
async def _async_held(
    lock: asyncio.Lock | asyncio.BoundedSemaphore, deadline: float, host: str
) -> AsyncIterator[None]:
    try:
        async with asyncio.timeout(_left(deadline, host)):
            await lock.acquire()
    except TimeoutError:
        raise _late(f"still waiting for {host}'s turn at the deadline") from None
    try:
        yield
    finally:
        lock.release()
