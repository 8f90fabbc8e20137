"""The asyncio :class:`AsyncClient`, plus :meth:`AsyncClient.fetch_many` for batches.

The twin of :class:`~threadkeep.fetch.client.Client`: the same decisions (:mod:`.redirects`,
:mod:`.body`, :mod:`.failures`, :mod:`.retry`, :mod:`.politeness`), awaited I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable

import httpx
from tenacity import AsyncRetrying

from threadkeep.errors import FetchError, ParseError
from threadkeep.fetch.base import ClientBase
from threadkeep.fetch.capture import Capture, Exchange, read
from threadkeep.fetch.endpoints import Ask, R, no_oembed
from threadkeep.fetch.failures import transport_errors
from threadkeep.fetch.network import AsyncTransport
from threadkeep.fetch.politeness import AsyncTurns
from threadkeep.fetch.redirects import Attempt
from threadkeep.fetch.retry import Tries
from threadkeep.models import Article, Thread, Tweet

__all__ = ["AsyncClient"]


class AsyncClient(ClientBase[httpx.AsyncClient]):
    """The asyncio twin of :class:`Client`, plus :meth:`fetch_many` for batches.

    ``concurrency`` bounds the requests in flight; each host still gets one request at a
    time, ``min_interval`` apart. Use one AsyncClient within one event loop.

    Example::

        async with threadkeep.AsyncClient(concurrency=8) as client:
            async for result in client.fetch_many(urls, progress=print):
                ...
    """

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._settings.timeout,
            transport=AsyncTransport(self._policy, self._settings.concurrency),
        )

    def _prepare(self) -> None:
        self._turns = AsyncTurns(self._settings)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the httpx client if this AsyncClient made it."""
        if self._owns_http:
            await self._http.aclose()

    async def fetch(self, url: str, *, from_page: bool = False) -> Capture:
        """GET ``url``: its :class:`Capture`, or a :class:`FetchError` subclass saying why not.

        ``from_page=True`` for a url taken from a page's content rather than from the user:
        its first hop may not reach loopback or private addresses (docs/security.md).
        """
        tries = Tries(url, self._settings, from_page=from_page)
        with tries.running():
            async for attempt in AsyncRetrying(**tries.policy()):
                with attempt:
                    capture, exchanges = await self._exchange(tries.attempt())
                    break
            else:
                raise AssertionError("unreachable: tenacity returns or re-raises the last failure")
        if (observe := self._on_exchange) is not None:
            for exchange in exchanges:
                observe(exchange)
        return capture

    async def fetch_thread(self, url_or_id: str | int) -> Thread:
        """The thread Thread Reader unrolled, for a Thread Reader url, a tweet url or an id."""
        return await self._read(self._endpoints.thread(url_or_id))

    async def fetch_tweet(self, url_or_id: str | int) -> Tweet:
        """One tweet, from oEmbed or, when that has no answer, from syndication."""
        oembed, syndication = self._endpoints.tweet(url_or_id)
        try:
            return await self._read(oembed)
        except (FetchError, ParseError) as exc:
            no_oembed(oembed, exc)
        return await self._read(syndication)

    async def fetch_article(self, url: str) -> Article:
        """A page embedding tweets, fetched as given."""
        return await self._read(self._endpoints.article(url))

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

    async def _read(self, ask: Ask[R]) -> R:
        return read(await self.fetch(ask.url), ask)

    async def _exchange(self, attempt: Attempt) -> tuple[Capture, tuple[Exchange, ...]]:
        """One attempt: request hop after hop until an answer's body is read."""
        settings = self._settings
        while True:
            async with self._turns.turn(attempt.hop, attempt.deadline):
                with transport_errors(settings.timeout):
                    async with self._http.stream(
                        "GET",
                        attempt.hop,
                        headers=settings.headers,
                        timeout=settings.timeout,
                        follow_redirects=False,
                    ) as response:
                        body = attempt.answer(response)
                        if body is not None:
                            async for chunk in response.aiter_raw():
                                body.add(chunk)
                            capture = body.capture()
                            return capture, body.exchanges(capture)
