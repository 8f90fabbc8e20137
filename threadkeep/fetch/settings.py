"""The limits one client fetches under, checked once when the client is made.

:class:`Settings` is what the shared decision code (:mod:`.retry`, :mod:`.redirects`,
:mod:`.body`, :mod:`.politeness`) reads; docs/fetching.md gives the defaults and reasons.
It is also the one place their values are checked: ``Client(min_interval=-1)`` and the
command line's ``--min-interval -1`` meet the same rule and the same words, so that a bad
value is refused when the client is made, not as an ``OverflowError`` from ``time.sleep``
in the middle of a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

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
        for name in (f.name for f in fields(self) if f.name in _RANGES):
            _check(name, getattr(self, name))
        headers = {"User-Agent": user_agent(__version__, self.contact), "Accept": ACCEPT}
        headers["Accept-Encoding"] = ACCEPT_ENCODING  # only what is decoded in bounded steps
        object.__setattr__(self, "headers", headers)


MAX_SECONDS = 86_400.0
"""The longest any wait or time limit may be (a day): longer is surely a typo, and
``time.sleep`` cannot wait 1e308 s."""

# name -> (seconds or a count, whether 0 is allowed); the fields not named are no numbers.
_RANGES: dict[str, tuple[bool, bool]] = {
    "timeout": (True, False),
    "deadline": (True, False),
    "backoff": (True, True),
    "max_wait": (True, True),
    "min_interval": (True, True),
    "retries": (False, True),
    "max_redirects": (False, True),
    "concurrency": (False, False),
    "max_bytes": (False, False),
}


def _check(name: str, value: object) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is in its range.

    >>> _check("min_interval", -1)
    Traceback (most recent call last):
    ...
    ValueError: min_interval must be a number of seconds from 0, at most 86400, got -1
    """
    seconds, zero_ok = _RANGES[name]
    good = isinstance(value, (int, float) if seconds else int) and not isinstance(value, bool)
    if good:  # NaN fails every comparison, so it is refused here too
        low_ok = value >= 0 if zero_ok else value > 0  # type: ignore[operator]
        good = low_ok and (not seconds or value <= MAX_SECONDS)  # type: ignore[operator]
    if not good:
        lowest = "from 0" if zero_ok else "above 0"
        said = f"of seconds {lowest}, at most {MAX_SECONDS:g}" if seconds else f"{lowest}, whole"
        raise ValueError(f"{name} must be a number {said}, got {value!r}")
