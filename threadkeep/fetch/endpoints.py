"""Where the clients ask, and who they say they are: endpoint settings and request urls.

Pure functions; nothing here touches the network.

* :class:`Endpoints` holds the three base urls a client asks (Thread Reader, oEmbed,
  syndication) and turns a thread or tweet url (or id) into the :class:`Ask` to send:
  the request url, the model the answer must parse as, and the sighting kind to stamp.
* :func:`threadreader_url`, :func:`oembed_url` and :func:`syndication_url` build the urls;
  :func:`syndication_token` computes the ``token`` the syndication endpoint checks.
* :func:`user_agent` is the User-Agent every request carries.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from threadkeep.models import Article, SightingKind, Thread, Tweet
from threadkeep.urls import thread_id, tweet_id

__all__ = [
    "ACCEPT",
    "OEMBED_BASE",
    "PROJECT_URL",
    "SYNDICATION_BASE",
    "THREADREADER_BASE",
    "Ask",
    "Endpoints",
    "no_oembed",
    "oembed_url",
    "syndication_token",
    "syndication_url",
    "threadreader_url",
    "user_agent",
]

_log = logging.getLogger("threadkeep.fetch")

PROJECT_URL = "https://github.com/threadkeep/threadkeep"
THREADREADER_BASE = "https://threadreaderapp.com"
OEMBED_BASE = "https://publish.twitter.com/oembed"
SYNDICATION_BASE = "https://cdn.syndication.twimg.com/tweet-result"
ACCEPT = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"

R = TypeVar("R", Thread, Article, Tweet)


@dataclass(frozen=True)
class Ask(Generic[R]):
    """One request a ``fetch_*`` method makes: the url, the model promised, the source kind."""

    url: str
    model: type[R]
    kind: SightingKind


@dataclass(frozen=True)
class Endpoints:
    """The base urls a client asks; each method checks its input before any request."""

    threadreader: str = THREADREADER_BASE
    oembed: str = OEMBED_BASE
    syndication: str = SYNDICATION_BASE

    def thread(self, url_or_id: str | int) -> Ask[Thread]:
        """Thread Reader's unroll of the thread a url or id names."""
        return Ask(
            threadreader_url(self.threadreader, thread_id(url_or_id)), Thread, "threadreader"
        )

    def tweet(self, url_or_id: str | int) -> tuple[Ask[Tweet], Ask[Tweet]]:
        """oEmbed's answer for one tweet, then syndication's for when oEmbed has none."""
        status = tweet_id(url_or_id)
        return (
            Ask(oembed_url(self.oembed, status), Tweet, "oembed"),
            Ask(syndication_url(self.syndication, status), Tweet, "syndication"),
        )

    @staticmethod
    def article(url: str) -> Ask[Article]:
        """A page embedding tweets, asked as given."""
        return Ask(url, Article, "embed")


def no_oembed(ask: Ask[Tweet], problem: Exception) -> None:
    """Say that oEmbed had no answer and syndication is asked next (INFO, for ``-v``)."""
    _log.info("oEmbed has no answer at %s (%s); asking syndication", ask.url, problem)


def threadreader_url(base: str, thread: str) -> str:
    """``{base}/thread/<id>.html``, the page Thread Reader serves an unrolled thread on."""
    return f"{base.rstrip('/')}/thread/{thread}.html"


def _with_query(base: str, params: dict[str, str]) -> str:
    return base + ("&" if "?" in base else "?") + urlencode(params)


def oembed_url(base: str, status: str) -> str:
    """The oEmbed request for one tweet (no script tag, "do not track" set)."""
    target = f"https://twitter.com/i/status/{status}"
    return _with_query(base, {"url": target, "omit_script": "true", "dnt": "true"})


def syndication_url(base: str, status: str) -> str:
    """The syndication ``tweet-result`` request for one tweet, with its token."""
    return _with_query(base, {"id": status, "token": syndication_token(status)})


_CONTACT_MAX = 200
_CONTACT_RE = re.compile(r"[ -'*-~]*[!-'*-~][ -'*-~]*", re.ASCII)  # not ( ) nor blank


def user_agent(version: str, contact: str | None = None) -> str:
    """``threadkeep/<version> (+<project url>[; <contact>])``, so sites know whom to ask."""
    # A header value: printable ASCII only (httpx sends headers as ASCII, and a line break
    # would start a header of its own), and no parentheses, which would close the comment.
    if contact is not None and not (
        len(contact) <= _CONTACT_MAX and _CONTACT_RE.fullmatch(contact)
    ):
        raise ValueError(
            "contact must be an email or url: one line of printable ASCII, not blank, without "
            f"parentheses, at most {_CONTACT_MAX} characters; got {contact[:60]!r}"
        )
    extra = f"; {contact.strip()}" if contact else ""
    return f"threadkeep/{version} (+{PROJECT_URL}{extra})"


def syndication_token(status: str) -> str:
    """The ``token`` parameter the syndication endpoint checks, as react-tweet computes it.

    react-tweet (vercel/react-tweet, ``packages/react-tweet/src/api/fetch-tweet.ts``) writes
    ``((Number(id) / 1e15) * Math.PI).toString(6 ** 2).replace(/(0+|\\.)/g, '')``. The float
    arithmetic is IEEE 754 in both languages; the base-36 rendering follows V8's
    ``DoubleToRadixCString`` (see :func:`_js_radix`), which prints only as many fractional
    digits as the double holds, so the result matches Node and Chrome digit for digit.

    >>> syndication_token("1215710451343904768")
    '2y39m27tp3u'
    """
    value = (float(int(status)) / 1e15) * math.pi
    return re.sub(r"0+|\.", "", _js_radix(value, 36))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _js_radix(value: float, radix: int) -> str:
    """``Number.prototype.toString(radix)`` for a finite, non-negative double (V8's algorithm).

    A port of ``DoubleToRadixCString`` in v8/src/numbers/conversions.cc: fractional digits
    are produced until the remaining fraction is below half the gap to the next double
    (``delta``), then rounded half to even, carrying into earlier digits when needed.
    """
    integer = math.floor(value)
    fraction = value - integer
    delta = max(0.5 * (math.nextafter(value, math.inf) - value), math.nextafter(0.0, 1.0))
    digits: list[int] = []
    if fraction >= delta:
        while True:
            fraction *= radix
            delta *= radix
            digit = int(fraction)
            digits.append(digit)
            fraction -= digit
            if (fraction > 0.5 or (fraction == 0.5 and digit & 1)) and fraction + delta > 1:
                integer += _round_up(digits, radix)
                break
            if fraction < delta:
                break
    head = _js_integer(float(integer), radix)
    return head + ("." + "".join(_DIGITS[d] for d in digits) if digits else "")


def _round_up(digits: list[int], radix: int) -> int:
    """Add one unit in the last place of ``digits`` (dropping digits that overflow).

    Returns 1 when the carry runs past the first digit into the integer part, else 0.
    """
    while digits:
        last = digits.pop() + 1
        if last < radix:
            digits.append(last)
            return 0
    return 1


def _js_integer(integer: float, radix: int) -> str:
    # Digits below the double's precision are printed as zeros, as V8 does.
    zeros = ""
    while integer / radix >= 2.0**53:
        integer /= radix
        zeros += "0"
    out = ""
    while True:
        remainder = math.fmod(integer, radix)
        out = _DIGITS[int(remainder)] + out
        integer = (integer - remainder) / radix
        if integer <= 0:
            return out + zeros
