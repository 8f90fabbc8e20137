"""The synchronous :class:`Client`: a thin shell of I/O over the shared fetch decisions.

Sending a request, iterating its body and sleeping between tries is all that happens here;
what each answer means is decided in :mod:`.redirects`, :mod:`.body`, :mod:`.failures`,
:mod:`.retry` and :mod:`.politeness`, which :class:`~threadkeep.fetch.async_client.AsyncClient`
shares.
"""

from __future__ import annotations

import httpx
from tenacity import Retrying

from threadkeep.errors import FetchError, ParseError
from threadkeep.fetch.base import ClientBase
from threadkeep.fetch.capture import Capture, read
from threadkeep.fetch.endpoints import Ask, R, no_oembed
from threadkeep.fetch.failures import transport_errors
from threadkeep.fetch.network import Transport
from threadkeep.fetch.politeness import ThreadTurns
from threadkeep.fetch.redirects import Attempt
from threadkeep.fetch.retry import Tries
from threadkeep.models import Article, Thread, Tweet

__all__ = ["Client"]


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
        tries = Tries(url, self._settings, from_page=from_page)
        with tries.running():
            for attempt in Retrying(**tries.policy()):
                with attempt:
                    return self._exchange(tries.attempt())
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

    def _exchange(self, attempt: Attempt) -> Capture:
        """One attempt: request hop after hop until an answer's body is read."""
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
                    for chunk in response.iter_raw():
                        body.add(chunk)
                    return body.capture()
