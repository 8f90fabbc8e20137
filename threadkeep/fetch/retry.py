"""The retry policy: how long to wait between tries, and when to stop.

:class:`Tries` is one fetch's retry state: the tenacity policy (exponential backoff plus
jitter, or the server's ``Retry-After``; at most ``retries + 1`` attempts; no wait that would
end past the deadline), the attempt count, the one deadline every check reads, and the
translation of the last failure into the public error; its :class:`~.addresses.Route`
carries the deadline and the hops' addresses to the connection layer (:mod:`.network`).
Which failures are worth another try is decided where they are made
(:mod:`threadkeep.fetch.failures`).

Every retry is logged at INFO on ``threadkeep.fetch``: what failed, attempt n of m, the wait
chosen and why (backoff, or the server's Retry-After). Both clients drive the same
:class:`Tries`; only the loop (``Retrying`` or ``AsyncRetrying``) differs.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from threadkeep.fetch.addresses import Route, taking
from threadkeep.fetch.failures import Failure
from threadkeep.fetch.redirects import Attempt, check_url
from threadkeep.fetch.settings import Settings

__all__ = ["Tries"]

_log = logging.getLogger("threadkeep.fetch")


class _Deadline(stop_base):
    """Stop before a wait that would end past the fetch's deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() + (retry_state.upcoming_sleep or 0.0) >= self.deadline


class Tries:
    """One fetch of ``url``: its attempts, its deadline and the policy between them."""

    def __init__(self, url: str, settings: Settings, *, from_page: bool = False) -> None:
        check_url(url)  # before any request: a file: or javascript: url is never sent
        self.url, self.settings, self.count = url, settings, 0
        self.deadline = time.monotonic() + settings.deadline  # the one deadline of this fetch
        # What the connection layer (.network) reads: the deadline, and where hops may go.
        self.route = Route(self.deadline, from_page=from_page)
        backoff, max_wait = settings.backoff, settings.max_wait
        self._backoff = wait_exponential(multiplier=backoff, max=max_wait) + wait_random(0, backoff)

    def attempt(self) -> Attempt:
        """Start the next attempt: a fresh walk over redirect hops from ``url``."""
        self.count += 1
        self.route.restart()
        return Attempt(self.url, self.settings, attempts=self.count, deadline=self.deadline)

    def policy(self) -> dict[str, Any]:
        """Keyword arguments of tenacity's ``Retrying`` / ``AsyncRetrying`` for this fetch."""
        return {
            "stop": stop_after_attempt(self.settings.retries + 1) | _Deadline(self.deadline),
            "wait": self._wait,
            "retry": retry_if_exception(lambda exc: isinstance(exc, Failure) and exc.retryable),
            "before_sleep": self._log_retry,
            "reraise": True,
        }

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Around the whole fetch: its route for the connection layer, its public errors."""
        with taking(self.route), self.public_errors():
            yield

    @contextlib.contextmanager
    def public_errors(self) -> Iterator[None]:
        """Turn the failure the fetch ended in into the public :class:`FetchError`."""
        try:
            yield
        except Failure as failure:
            raise failure.error(self.url, self.count) from failure.__cause__

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Failure) and failure.wait is not None:
            # The server's Retry-After, already checked against max_wait; never less than the
            # first backoff: a date in the past, or 0, is no reason to ask again at once.
            return max(failure.wait, min(self.settings.backoff, self.settings.max_wait))
        return min(self.settings.max_wait, self._backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        asked = isinstance(failure, Failure) and failure.wait is not None
        _log.info(
            "%s: %s (attempt %d of %d); retrying in %.2f s (%s)",
            self.url,
            failure,
            state.attempt_number,
            self.settings.retries + 1,
            state.upcoming_sleep,
            "the server's Retry-After" if asked else "backoff",
        )
