"""What went wrong in one try, and whether it is worth another.

Every fault the clients meet (an HTTP status, a transport error, a body over the cap, a
redirect refused) is raised as a :class:`Failure`. :func:`status_failure` and
:func:`transport_failure` decide which are retryable: connection errors, timeouts, 408, 429
and 5xx are; other 4xx are not. They read the server's ``Retry-After``
(:func:`retry_after`) and give up at once when it asks for more than ``max_wait``. The retry
policy (:mod:`threadkeep.fetch.retry`) reads ``retryable`` and ``wait``; when the fetch ends,
:meth:`Failure.error` makes the public :class:`~threadkeep.errors.FetchError` subclass naming
the url and the attempts made.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from threadkeep.errors import FetchError, FetchTimeout, HTTPStatusError

__all__ = ["Failure", "retry_after", "status_failure", "transport_errors", "transport_failure"]


class Failure(Exception):
    """One failed try, before the retry policy decides; :meth:`error` makes the public error.

    ``wait`` is the server's ``Retry-After`` in seconds (already checked against
    ``max_wait``), or None to back off by the policy's own schedule.
    """

    def __init__(
        self,
        kind: type[FetchError],
        problem: str,
        hint: str = "",
        *,
        retryable: bool = False,
        status: int | None = None,
        wait: float | None = None,
    ) -> None:
        super().__init__(problem)
        self.kind, self.problem, self.hint, self.retryable = kind, problem, hint, retryable
        self.status, self.wait = status, wait

    def error(self, url: str, attempts: int) -> FetchError:
        """The public error: ``<url>: <problem> (<n> attempts); <hint>``."""
        tries = f"{attempts} attempt{'' if attempts == 1 else 's'}"
        message = f"{url}: {self.problem} ({tries})" + (f"; {self.hint}" if self.hint else "")
        if self.status is not None:
            return HTTPStatusError(message, url=url, status=self.status, attempts=attempts)
        return self.kind(message, url=url, attempts=attempts)


_STATUS_HINTS = {
    401: "the server wants a login; threadkeep does not log in",
    403: "the server refused access; threadkeep does not bypass access controls",
    404: "check the url: the page may have been deleted",
    410: "the page was deleted",
    429: "wait and try again later, or raise min_interval",
}
_DELAY_SECONDS = re.compile(r"\d{1,10}(?:\.\d{1,6})?")


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks for (delay-seconds or an HTTP date), or None.

    Fractions of a second are accepted although RFC 9110 writes whole seconds; a date in the
    past gives 0.

    >>> retry_after("120")
    120.0
    """
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def status_failure(response: httpx.Response, where: str, max_wait: float) -> Failure:
    """The failure an HTTP status of 400 or more is, retryable or not, with a hint."""
    status = response.status_code
    # The standard phrase, not the server's: some shout it ("NOT FOUND"), some leave it out.
    phrase = httpx.codes.get_reason_phrase(status) or response.reason_phrase
    problem = f"HTTP {status} {phrase}".rstrip() + where
    retryable = status in (408, 429) or status >= 500
    hint = _STATUS_HINTS.get(status, "the server may be down; try later" if retryable else "")
    wait = retry_after(response.headers.get("retry-after")) if retryable else None
    if wait is not None and wait > max_wait:
        # Retrying sooner than asked is impolite and usually futile: give up and say why.
        retryable = False
        hint = f"the server asked for a {wait:.0f} s wait, more than max_wait={max_wait:g} s"
    if status == 429:
        problem = f"rate limited, {problem}"
    return Failure(HTTPStatusError, problem, hint, retryable=retryable, status=status, wait=wait)


def transport_failure(exc: Exception, timeout: float) -> Failure:
    """The failure an httpx error is: timeouts and connection faults are retryable."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        hint = "the server is slow or unreachable: try later, or raise timeout"
        problem = f"{name}, no answer within the {timeout:g} s timeout"
        return Failure(FetchTimeout, problem, hint, retryable=True)
    if isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.UnsupportedProtocol):
        problem = f"connection failed, {name}: {exc}"
        return Failure(FetchError, problem, "check the network and the host", retryable=True)
    return Failure(FetchError, f"request failed, {name}: {exc}")


@contextlib.contextmanager
def transport_errors(timeout: float) -> Iterator[None]:
    """Turn an httpx error raised inside into its :class:`Failure` (sync or async code)."""
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise transport_failure(exc, timeout) from exc
