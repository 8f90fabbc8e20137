"""Fetching, politely: :class:`Client` (sync) and :class:`AsyncClient`, both over httpx.

Every request threadkeep makes (docs/fetching.md gives the defaults and the reasons):

* says who sends it: ``User-Agent: threadkeep/<version> (+<project url>; <contact>)``;
* waits its turn: ``min_interval`` seconds between requests to one host (host and port), at
  most ``concurrency`` requests in flight per client;
* is retried (tenacity) after connection errors, timeouts, 408, 429 and 5xx, with exponential
  backoff plus jitter, honouring ``Retry-After``; other 4xx fail at once;
* follows at most ``max_redirects`` redirects, by hand, refusing any hop that is not http(s);
* reads at most ``max_bytes`` of body, counted while streaming (Content-Length checked first).

A failure is a :class:`FetchError` subclass naming the url, the status and the attempts made.
Fetching never parses: ``fetch_thread``, ``fetch_tweet`` and ``fetch_article`` hand the bytes
to :func:`threadkeep.parse` and stamp the result's Sighting with the capture's time and hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
    wait_random,
)

from threadkeep._version import __version__
from threadkeep.capture import (
    Body,
    Capture,
    Failure,
    check_url,
    read,
    status_failure,
    transport_failure,
)
from threadkeep.errors import (
    FetchError,
    ParseError,
)
from threadkeep.fetchurls import (
    host_key,
    is_http,
    oembed_url,
    syndication_url,
    thread_id,
    threadreader_url,
    tweet_id,
    user_agent,
)
from threadkeep.models import Article, Thread, Tweet

__all__ = ["AsyncClient", "Capture", "Client"]

_log = logging.getLogger("threadkeep")

THREADREADER_BASE = "https://threadreaderapp.com"
OEMBED_BASE = "https://publish.twitter.com/oembed"
SYNDICATION_BASE = "https://cdn.syndication.twimg.com/tweet-result"
_ACCEPT = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Base(Generic[H]):
    """Settings, politeness bookkeeping and the retry policy both clients share."""

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
    ) -> None:
        if min(timeout, deadline, max_bytes, concurrency) <= 0:
            raise ValueError("timeout, deadline, max_bytes and concurrency must be positive")
        if min(retries, backoff, max_wait, min_interval, max_redirects) < 0:
            raise ValueError("retries, backoff, max_wait, min_interval, max_redirects must be >= 0")
        self._bases = (threadreader_base, oembed_base, syndication_base)
        self._timeout, self._retries, self._deadline = timeout, retries, deadline
        self._backoff = wait_exponential(multiplier=backoff, max=max_wait) + wait_random(0, backoff)
        self._max_wait, self._interval, self._concurrency = max_wait, min_interval, concurrency
        self._max_bytes, self._max_redirects = max_bytes, max_redirects
        self._headers = {
            "User-Agent": user_agent(__version__, contact),
            "Accept": _ACCEPT,
        }
        self._owns_http = http is None
        self._http: H = http if http is not None else self._new_http()
        self._last_end: dict[str, float] = {}  # host -> when its last request ended
        self._prepare()

    def _new_http(self) -> H:
        raise NotImplementedError

    def _prepare(self) -> None:
        """Create the client's locks and semaphore (threading or asyncio ones)."""

    def _delay(self, host: str) -> float:
        """Seconds until ``host`` may be sent another request.

        A host gets one request at a time, and the next one ``min_interval`` after the last
        ended. Spacing request *starts* instead would let scheduling jitter in the client
        squeeze two requests closer together than the interval by the time they arrive.
        """
        last = self._last_end.get(host)
        return 0.0 if last is None else max(0.0, last + self._interval - time.monotonic())

    def _policy(self, url: str) -> dict[str, Any]:
        """Keyword arguments of tenacity's Retrying/AsyncRetrying for one fetch of ``url``."""

        def log_retry(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            _log.info("%s: %s; retrying in %.2f s", url, failure, state.upcoming_sleep)

        return {
            "stop": stop_after_attempt(self._retries + 1) | stop_before_delay(self._deadline),
            "wait": self._wait,
            "retry": retry_if_exception(lambda exc: isinstance(exc, Failure) and exc.retryable),
            "before_sleep": log_retry,
            "reraise": True,
        }

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Failure) and failure.wait is not None:
            return failure.wait  # the server's Retry-After, already checked against max_wait
        return min(self._max_wait, self._backoff(state))

    def _next_hop(self, response: httpx.Response, url: str) -> str | None:
        """Where a redirect points (checked), or None for a final answer; fails on >= 400."""
        where = "" if str(response.url) == url else f" at {response.url}"
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            target = str(response.url.join(location))
            if not is_http(target):
                problem = f"redirected{where} to {location}; only http and https urls are followed"
                raise Failure(FetchError, problem)
            return target
        if response.status_code >= 400:
            raise status_failure(response, where, self._max_wait)
        return None

    def _body(self, response: httpx.Response, started: float) -> Body:
        return Body(response, cap=self._max_bytes, deadline=started + self._deadline)

    def _too_many_redirects(self) -> Failure:
        problem = f"too many redirects (more than {self._max_redirects})"
        return Failure(FetchError, problem, "the server is probably redirecting in a loop")


class Client(_Base[httpx.Client]):
    """Fetch pages, threads and tweets politely, with retries (see docs/fetching.md).

    A ``http`` client passed in (proxies, auth, transports) is used as given and left open;
    one made here is closed by :meth:`close` or on leaving the ``with`` block.

    Example::

        with threadkeep.Client(contact="me@example.org") as client:
            thread = client.fetch_thread("https://x.com/QuinnyPig/status/1215710451343904768")
    """

    def _new_http(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout)

    def _prepare(self) -> None:
        self._slots = threading.BoundedSemaphore(self._concurrency)  # threads sharing a client
        self._host_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the httpx client if this Client made it."""
        if self._owns_http:
            self._http.close()

    def fetch(self, url: str) -> Capture:
        """GET ``url``: its :class:`Capture`, or a :class:`FetchError` subclass saying why not."""
        check_url(url)
        started, attempts = time.monotonic(), 0
        try:
            for attempt in Retrying(**self._policy(url)):
                with attempt:
                    attempts += 1
                    return self._exchange(url, attempts, started)
        except Failure as failure:
            raise failure.error(url, attempts) from failure.__cause__
        raise AssertionError("unreachable: tenacity returns or re-raises the last failure")

    def fetch_thread(self, url_or_id: str | int) -> Thread:
        """The thread Thread Reader unrolled, for a Thread Reader url, a tweet url or an id."""
        url = threadreader_url(self._bases[0], thread_id(url_or_id))
        return read(self.fetch(url), Thread, "threadreader")

    def fetch_tweet(self, url_or_id: str | int) -> Tweet:
        """One tweet, from oEmbed or, when that has no answer, from syndication."""
        status = tweet_id(url_or_id)
        try:
            return read(self.fetch(oembed_url(self._bases[1], status)), Tweet, "oembed")
        except (FetchError, ParseError) as exc:
            _log.info("oEmbed has no answer for %s (%s); asking syndication", status, exc)
        return read(self.fetch(syndication_url(self._bases[2], status)), Tweet, "syndication")

    def fetch_article(self, url: str) -> Article:
        """A page embedding tweets, fetched as given."""
        return read(self.fetch(url), Article, "embed")

    @contextlib.contextmanager
    def _turn(self, hop: str) -> Iterator[None]:
        """Hold ``hop``'s host and a request slot for one request (see :meth:`_Base._delay`)."""
        host = host_key(hop)
        with self._guard:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            time.sleep(self._delay(host))
            with self._slots:
                try:
                    yield
                finally:
                    self._last_end[host] = time.monotonic()

    def _exchange(self, url: str, attempts: int, started: float) -> Capture:
        hop = url
        for _ in range(self._max_redirects + 1):
            with self._turn(hop):
                answer = self._once(hop, url, attempts, started)
            if isinstance(answer, Capture):
                return answer
            hop = answer
        raise self._too_many_redirects()

    def _once(self, hop: str, url: str, attempts: int, started: float) -> Capture | str:
        """One request: the capture, or the url a redirect points to."""
        try:
            with self._http.stream(
                "GET", hop, headers=self._headers, timeout=self._timeout, follow_redirects=False
            ) as response:
                target = self._next_hop(response, url)
                if target is not None:
                    return target
                body = self._body(response, started)
                for chunk in response.iter_bytes():
                    body.add(chunk)
                return body.capture(url, attempts)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise transport_failure(exc, self._timeout) from exc


class AsyncClient(_Base[httpx.AsyncClient]):
    """The asyncio twin of :class:`Client`, plus :meth:`fetch_many` for batches.

    ``concurrency`` bounds the requests in flight; each host still gets one request at a
    time, ``min_interval`` apart. Use one AsyncClient within one event loop.

    Example::

        async with threadkeep.AsyncClient(concurrency=8) as client:
            async for result in client.fetch_many(urls, progress=print):
                ...
    """

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout)

    def _prepare(self) -> None:
        self._slots = asyncio.BoundedSemaphore(self._concurrency)
        self._host_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the httpx client if this AsyncClient made it."""
        if self._owns_http:
            await self._http.aclose()

    async def fetch(self, url: str) -> Capture:
        """GET ``url``: its :class:`Capture`, or a :class:`FetchError` subclass saying why not."""
        check_url(url)
        started, attempts = time.monotonic(), 0
        try:
            async for attempt in AsyncRetrying(**self._policy(url)):
                with attempt:
                    attempts += 1
                    return await self._exchange(url, attempts, started)
        except Failure as failure:
            raise failure.error(url, attempts) from failure.__cause__
        raise AssertionError("unreachable: tenacity returns or re-raises the last failure")

    async def fetch_thread(self, url_or_id: str | int) -> Thread:
        """The thread Thread Reader unrolled, for a Thread Reader url, a tweet url or an id."""
        url = threadreader_url(self._bases[0], thread_id(url_or_id))
        return read(await self.fetch(url), Thread, "threadreader")

    async def fetch_tweet(self, url_or_id: str | int) -> Tweet:
        """One tweet, from oEmbed or, when that has no answer, from syndication."""
        status = tweet_id(url_or_id)
        try:
            return read(await self.fetch(oembed_url(self._bases[1], status)), Tweet, "oembed")
        except (FetchError, ParseError) as exc:
            _log.info("oEmbed has no answer for %s (%s); asking syndication", status, exc)
        answer = await self.fetch(syndication_url(self._bases[2], status))
        return read(answer, Tweet, "syndication")

    async def fetch_article(self, url: str) -> Article:
        """A page embedding tweets, fetched as given."""
        return read(await self.fetch(url), Article, "embed")

    async def fetch_many(
        self, urls: Iterable[str], *, progress: Callable[[int, int], object] | None = None
    ) -> AsyncIterator[Capture | FetchError]:
        """Fetch every url; yield each Capture, or the FetchError it ended in, as it completes.

        One failure does not stop the batch. ``progress(done, total)`` is called before each
        result is yielded.
        """
        tasks = [asyncio.ensure_future(self._fetch_or_error(url)) for url in urls]
        try:
            for done, next_result in enumerate(asyncio.as_completed(tasks), start=1):
                result = await next_result
                if progress is not None:
                    progress(done, len(tasks))
                yield result
        finally:  # the caller stopped early: leave no request running
            for task in tasks:
                task.cancel()

    async def _fetch_or_error(self, url: str) -> Capture | FetchError:
        try:
            return await self.fetch(url)
        except FetchError as exc:
            return exc

    @contextlib.asynccontextmanager
    async def _turn(self, hop: str) -> AsyncIterator[None]:
        """Hold ``hop``'s host and a request slot for one request (see :meth:`_Base._delay`)."""
        host = host_key(hop)
        async with self._host_locks.setdefault(host, asyncio.Lock()):
            await asyncio.sleep(self._delay(host))  # waiting here holds no request slot
            async with self._slots:
                try:
                    yield
                finally:
                    self._last_end[host] = time.monotonic()

    async def _exchange(self, url: str, attempts: int, started: float) -> Capture:
        hop = url
        for _ in range(self._max_redirects + 1):
            async with self._turn(hop):
                answer = await self._once(hop, url, attempts, started)
            if isinstance(answer, Capture):
                return answer
            hop = answer
        raise self._too_many_redirects()

    async def _once(self, hop: str, url: str, attempts: int, started: float) -> Capture | str:
        """One request: the capture, or the url a redirect points to."""
        try:
            async with self._http.stream(
                "GET", hop, headers=self._headers, timeout=self._timeout, follow_redirects=False
            ) as response:
                target = self._next_hop(response, url)
                if target is not None:
                    return target
                body = self._body(response, started)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
                return body.capture(url, attempts)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise transport_failure(exc, self._timeout) from exc
