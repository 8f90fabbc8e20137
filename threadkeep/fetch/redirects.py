"""Which urls are fetched, and where a redirect may lead: one attempt's walk to its answer.

Redirects are followed here, by hand, one hop at a time, so that every hop is checked in one
place (:func:`next_hop`): only http and https are followed, at most ``max_redirects`` hops
per attempt. Each hop is logged at INFO on ``threadkeep.fetch``. Nothing here does I/O: the
clients send each request and hand the response to :meth:`Attempt.answer`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx

from threadkeep.errors import FetchError
from threadkeep.fetch.body import Body, exchange_of
from threadkeep.fetch.capture import Exchange
from threadkeep.fetch.failures import Failure, status_failure
from threadkeep.fetch.settings import Settings

__all__ = ["Attempt", "check_url", "is_http", "next_hop"]

_log = logging.getLogger("threadkeep.fetch")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_http(url: str) -> bool:
    """True for an http or https url: the only schemes threadkeep fetches or follows.

    >>> is_http("https://example.org/"), is_http("file:///etc/passwd")
    (True, False)
    """
    return url.partition(":")[0].lower() in ("http", "https") and ":" in url


def check_url(url: str) -> None:
    """Refuse, before any request, a url threadkeep does not fetch."""
    if not is_http(url):
        raise FetchError(f"{url}: only http and https urls are fetched", url=url, attempts=0)


def next_hop(response: httpx.Response, url: str, max_wait: float) -> str | None:
    """Where a redirect points (checked), or None for a final answer; fails on >= 400.

    ``url`` is the url first asked for: a failure past a redirect names the hop it came from.
    """
    where = "" if str(response.url) == url else f" at {response.url}"
    location = response.headers.get("location")
    if response.status_code in _REDIRECTS and location:
        target = str(response.url.join(location))
        if not is_http(target):
            problem = f"redirected{where} to {location}; only http and https urls are followed"
            raise Failure(FetchError, problem)
        return target
    if response.status_code >= 400:
        raise status_failure(response, where, max_wait)
    return None


class Attempt:
    """One attempt at ``url``: the hop to ask next, and what each answer means."""

    def __init__(self, url: str, settings: Settings, *, attempts: int, deadline: float) -> None:
        self.url, self.hop, self.hops = url, url, 0
        self.settings, self.attempts, self.deadline = settings, attempts, deadline
        self.redirects: list[Exchange] = []  # each redirect followed, for an observer

    def answer(self, response: httpx.Response) -> Body | None:
        """The body to read for a final answer, or None after moving :attr:`hop` on."""
        target = next_hop(response, self.url, self.settings.max_wait)
        if target is None:
            return Body(
                response,
                url=self.url,
                attempts=self.attempts,
                cap=self.settings.max_bytes,
                deadline=self.deadline,
                redirects=tuple(self.redirects),
            )
        self.redirects.append(exchange_of(response, b"", datetime.now(UTC)))
        self.hops += 1
        if self.hops > self.settings.max_redirects:
            problem = f"too many redirects (more than {self.settings.max_redirects})"
            raise Failure(FetchError, problem, "the server is probably redirecting in a loop")
        _log.info(
            "%s: HTTP %d at %s redirects to %s (hop %d of at most %d)",
            self.url,
            response.status_code,
            self.hop,
            target,
            self.hops,
            self.settings.max_redirects,
        )
        self.hop = target
        return None
