"""The synchronous :class:`Client`: a thin shell of I/O over the shared fetch decisions.

Sending a request, iterating its body and sleeping between tries is all that happens here;
what each answer means is decided in :mod:`.redirects`, :mod:`.body`, :mod:`.failures`,
:mod:`.retry` and :mod:`.politeness`, which :class:`~threadkeep.fetch.async_client.AsyncClient`
shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx
from tenacity import Retrying

from threadkeep.errors import FetchError, ParseError
from threadkeep.fetch.base import ClientBase
from threadkeep.fetch.body import Body, Head
from threadkeep.fetch.capture import Capture, Exchange, read
from threadkeep.fetch.endpoints import Ask, R, no_oembed
from threadkeep.fetch.failures import transport_errors
from threadkeep.fetch.network import Transport
from threadkeep.fetch.politeness import ThreadTurns
from threadkeep.fetch.redirects import Attempt
from threadkeep.fetch.retry import Tries
from threadkeep.models import Article, Thread, Tweet

__all__ = ["Client"]

T = TypeVar("T")


class Client(ClientBase[httpx.Client]):
    """Fetch pages, threads and tweets politely, with retries (see docs/fetching.md).

    A ``http`` client passed in (proxies, auth, transports) is used as given and left open;
    one made here is closed by :meth:`close` or on leaving the ``with`` block.

    Example::

        with threadkeep.Client(contact="me@example.org") as client:
            thread = client.fetch_thread("https://x.com/QuinnyPig/status/1215710451343904768")
    """

    def _new_http(self) -> httpx.Client:
        return httpx.Client(
            timeout=self._settings.timeout,
            transport=Transport(self._policy, self._settings.concurrency),
        )

    def _prepare(self) -> None:
        self._turns = ThreadTurns(self._settings)  # threads may share a client

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the httpx client if this Client made it."""
        if self._owns_http:
            self._http.close()

    def fetch(self, url: str, *, from_page: bool = False) -> Capture:
        """GET ``url``: its :class:`Capture`, or a :class:`FetchError` subclass saying why not.

        ``from_page=True`` for a url taken from a page's content rather than from the user:
        its first hop may not reach loopback or private addresses (docs/security.md).
        """
        capture, exchanges = self._fetching(url, from_page, _whole)
        if (observe := self._on_exchange) is not None:
            for exchange in exchanges:
                observe(exchange)
        return capture

    def fetch_streamed(
        self,
        url: str,
        take: Callable[[Head, Iterator[bytes]], T],
        *,
        from_page: bool = False,
    ) -> tuple[Head, T]:
        """GET ``url`` as :meth:`fetch` does (its politeness, retries, redirects, caps and
        address rules), but hand the body to ``take`` a chunk at a time as it arrives,
        never whole in memory: ``take(head, chunks)``'s result, with the answer's
        :class:`~threadkeep.fetch.body.Head`.

        ``chunks`` raises, from inside ``take``, when the body passes ``max_bytes`` or the
        deadline or the connection fails: ``take`` must then leave nothing behind (a
        temporary file removed), as it is called again for each retry. Its own exceptions
        pass through, never retried.
        """
        return self._fetching(
            url, from_page, lambda body, raw: (body.head(), take(body.head(), body.stream(raw)))
        )

    def _fetching(self, url: str, from_page: bool, read: Callable[[Body, Iterator[bytes]], T]) -> T:
        tries = Tries(url, self._settings, from_page=from_page)
        with tries.running():
            for attempt in Retrying(**tries.policy()):
                with attempt:
                    return self._exchange(tries.attempt(), read)
        raise AssertionError("unreachable: tenacity returns or re-raises the last failure")

    def fetch_thread(self, url_or_id: str | int) -> Thread:
        """The thread Thread Reader unrolled, for a Thread Reader url, a tweet url or an id."""
        return self._read(self._endpoints.thread(url_or_id))

    def fetch_tweet(self, url_or_id: str | int) -> Tweet:
        """One tweet, from oEmbed or, when that has no answer, from syndication."""
        oembed, syndication = self._endpoints.tweet(url_or_id)
        try:
            return self._read(oembed)
        except (FetchError, ParseError) as exc:
            no_oembed(oembed, exc)
        return self._read(syndication)

    def fetch_article(self, url: str) -> Article:
        """A page embedding tweets, fetched as given."""
        return self._read(self._endpoints.article(url))

    def _read(self, ask: Ask[R]) -> R:
        return read(self.fetch(ask.url), ask)

    def _exchange(self, attempt: Attempt, read: Callable[[Body, Iterator[bytes]], T]) -> T:
        """One attempt: request hop after hop until an answer's body is read by ``read``."""
        settings = self._settings
        while True:
            with (
                self._turns.turn(attempt.hop, attempt.deadline),
                transport_errors(settings.timeout),
                self._http.stream(
                    "GET",
                    attempt.hop,
                    headers=settings.headers,
                    timeout=settings.timeout,
                    follow_redirects=False,
                ) as response,
            ):
                body = attempt.answer(response)
                if body is not None:
                    return read(body, response.iter_raw())


def _whole(body: Body, raw: Iterator[bytes]) -> tuple[Capture, tuple[Exchange, ...]]:
    for chunk in raw:
        body.add(chunk)
    capture = body.capture()
    return capture, body.exchanges(capture)
