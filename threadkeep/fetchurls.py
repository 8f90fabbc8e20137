"""What the fetcher asks for and reads: ids from any url form, endpoint urls, header values.

Pure functions; nothing here touches the network.

* :func:`tweet_id` and :func:`thread_id` live in :mod:`threadkeep.urls` (re-exported here).
* :func:`syndication_token` computes the ``token`` the syndication endpoint expects.
* :func:`user_agent`, :func:`retry_after`, :func:`media_type`, :func:`host_key` are the
  header values and url facts the fetcher's politeness and retry rules work from.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from threadkeep.urls import thread_id, tweet_id  # re-exported: the fetcher reads ids here

__all__ = [
    "host_key",
    "is_http",
    "media_type",
    "oembed_url",
    "retry_after",
    "syndication_token",
    "syndication_url",
    "thread_id",
    "threadreader_url",
    "tweet_id",
    "user_agent",
]

PROJECT_URL = "https://github.com/threadkeep/threadkeep"


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


def is_http(url: str) -> bool:
    """True for an http or https url: the only schemes threadkeep fetches or follows."""
    return url.partition(":")[0].lower() in ("http", "https") and ":" in url


def host_key(url: str) -> str:
    """``host[:port]`` of ``url``, lower-case: the unit politeness intervals apply to."""
    return (urlsplit(url).netloc.rpartition("@")[2]).lower()


def user_agent(version: str, contact: str | None = None) -> str:
    """``threadkeep/<version> (+<project url>[; <contact>])``, so sites know whom to ask."""
    if contact is not None and (not contact.strip() or any(c in contact for c in "\r\n()")):
        raise ValueError(f"contact must be one line without parentheses, got {contact!r}")
    extra = f"; {contact.strip()}" if contact else ""
    return f"threadkeep/{version} (+{PROJECT_URL}{extra})"


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
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def media_type(header: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a Content-Type value, both lower-case or None.

    >>> media_type('text/html; charset="ISO-8859-1"')
    ('text/html', 'iso-8859-1')
    """
    if not header:
        return None, None
    kind, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \"'"):
            charset = value.strip(" \"'").lower()
    return kind.strip().lower() or None, charset


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
