"""The limits one client fetches under, checked once when the client is made.

:class:`Settings` is what the shared decision code (:mod:`.retry`, :mod:`.redirects`,
:mod:`.body`, :mod:`.politeness`) reads; docs/fetching.md gives the defaults and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from threadkeep._version import __version__
from threadkeep.fetch.decoding import ACCEPT_ENCODING
from threadkeep.fetch.endpoints import ACCEPT, user_agent

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """A client's limits and the headers every request carries (see docs/fetching.md).

    >>> Settings(contact="me@example.org").headers["User-Agent"].endswith("me@example.org)")
    True
    """

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 60.0
    deadline: float = 300.0
    min_interval: float = 1.0
    concurrency: int = 8
    max_bytes: int = 20_000_000
    max_redirects: int = 10
    contact: str | None = None
    allow_private: bool = False
    headers: dict[str, str] = field(init=False, hash=False)

    def __post_init__(self) -> None:
        if min(self.timeout, self.deadline, self.max_bytes, self.concurrency) <= 0:
            raise ValueError("timeout, deadline, max_bytes and concurrency must be positive")
        limits = (self.retries, self.backoff, self.max_wait, self.min_interval, self.max_redirects)
        if min(limits) < 0:
            raise ValueError("retries, backoff, max_wait, min_interval, max_redirects must be >= 0")
        headers = {"User-Agent": user_agent(__version__, self.contact), "Accept": ACCEPT}
        headers["Accept-Encoding"] = ACCEPT_ENCODING  # only what is decoded in bounded steps
        object.__setattr__(self, "headers", headers)
