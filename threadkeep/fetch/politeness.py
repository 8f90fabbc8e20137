"""Waiting one's turn: one request at a time per host, ``min_interval`` apart, few in flight.

:class:`Spacing` is the pure rule (when a host may be sent its next request); it logs every
wait over 50 ms at INFO on ``threadkeep.fetch``. :class:`ThreadTurns` (for :class:`Client`,
which threads may share) and :class:`AsyncTurns` (for one event loop) hold a host's turn and
a request slot around each request with the matching kind of lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

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


class ThreadTurns:
    """Per-host turns and the concurrency cap for threads sharing one :class:`Client`."""

    def __init__(self, settings: Settings) -> None:
        self._spacing = Spacing(settings.min_interval)
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._host_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def turn(self, url: str) -> Iterator[None]:
        """Hold ``url``'s host and a request slot for one request."""
        host = host_key(url)
        with self._guard:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            time.sleep(self._spacing.delay(host, url))
            with self._slots:
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
    async def turn(self, url: str) -> AsyncIterator[None]:
        """Hold ``url``'s host and a request slot for one request."""
        host = host_key(url)
        async with self._host_locks.setdefault(host, asyncio.Lock()):
            await asyncio.sleep(self._spacing.delay(host, url))  # holds no request slot
            async with self._slots:
                try:
                    yield
                finally:
                    self._spacing.ended(host)
