"""Pure helpers for the urls tweet copies carry: status links, Thread Reader links, absolutising.

Parsers and the fetcher share these; none of them touches the network.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = [
    "absolute_url",
    "archive_timestamp",
    "status_parts",
    "status_url",
    "threadreader_id",
    "tweet_id",
    "unarchive",
]

# twitter.com, x.com, mobile./www. hosts, the old "#!/" paths and "/statuses/" (pre-2015).
_STATUS_RE = re.compile(
    r"^(?:https?:)?//(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com/(?:#!/)?"
    r"(?:(?P<handle>@?\w{1,50})|i(?:/web)?)/status(?:es)?/(?P<id>[0-9]{1,20})",
    re.IGNORECASE,
)
_THREADREADER_RE = re.compile(r"/thread/(?P<id>[0-9]{1,20})(?:\.html)?(?:[?#/]|$)")
_TWEET_ID_RE = re.compile(r"[0-9]{1,20}")  # ASCII only: "²" and "١" are digits to str.isdigit


# Web-archive copies rewrite every link to "/web/<timestamp><flags>/<original url>". The host
# is checked apart: a pattern that looked for "archive." inside "[^/]*" backtracked over long
# hosts in quadratic time.
_ARCHIVED_RE = re.compile(
    r"^(?:https?:)?(?://(?P<host>[^/]*))?/web/(?P<stamp>[0-9]{1,14})"
    r"(?:[a-z]{2}_)?/(?P<original>.+)$",
    re.IGNORECASE,
)
_ARCHIVE_HOST_RE = re.compile(r"archive\.[a-z]", re.IGNORECASE)


def tweet_id(value: str | None) -> str | None:
    """``value`` when it is a tweet id (1 to 20 ASCII digits), else None.

    >>> tweet_id("1215710451343904768"), tweet_id("../../etc/passwd"), tweet_id("9" * 5000)
    ('1215710451343904768', None, None)
    """
    return value if value and _TWEET_ID_RE.fullmatch(value) else None


def _archived(url: str) -> re.Match[str] | None:
    match = _ARCHIVED_RE.match(url)
    if match is None or (match["host"] is not None and not _ARCHIVE_HOST_RE.search(match["host"])):
        return None
    return match


def unarchive(url: str) -> str:
    """The original url behind a web-archive link, or ``url`` unchanged.

    >>> unarchive("https://web.archive.org/web/20200110190213/https://twitter.com/a/status/1")
    'https://twitter.com/a/status/1'
    """
    if "/web/" not in url:
        return url
    match = _archived(url)
    if not match:
        return url
    original = match["original"]
    if original.startswith(("http:/", "https:/")) and not original.startswith(
        ("http://", "https://")
    ):
        original = original.replace(":/", "://", 1)  # archives sometimes fold "//"
    return original


def archive_timestamp(url: str) -> str | None:
    """The 14-digit capture timestamp in a web-archive link, or None."""
    match = _archived(url) if "/web/" in url else None
    return match["stamp"] if match else None


def status_parts(url: str | None) -> tuple[str | None, str] | None:
    """Return ``(handle, id)`` of a tweet status url, or None when ``url`` is not one.

    >>> status_parts("https://x.com/QuinnyPig/status/1215720347384705024?s=20")
    ('QuinnyPig', '1215720347384705024')
    """
    if not url:
        return None
    match = _STATUS_RE.match(unarchive(url.strip()))
    if not match:
        return None
    handle = match["handle"]
    if handle:
        handle = handle.lstrip("@")
        if handle.lower() in {"i", "intent", "share", "search", "hashtag"}:
            handle = None
    return handle, match["id"]


def status_url(handle: str | None, tweet_id: str | None) -> str | None:
    """Canonical url of a tweet: ``https://twitter.com/<handle>/status/<id>`` (or ``/i/``)."""
    if not tweet_id:
        return None
    return f"https://twitter.com/{handle or 'i'}/status/{tweet_id}"


def threadreader_id(url: str | None) -> str | None:
    """The root tweet id in a Thread Reader url (``/thread/<id>.html``), or None."""
    if not url:
        return None
    match = _THREADREADER_RE.search(url)
    return match["id"] if match else None


def absolute_url(href: str | None, base: str | None) -> str | None:
    """Resolve ``href`` against ``base`` and lower-case the scheme and host.

    Pages write "Https://github.com/…" and "//twitter.com/…"; both come out canonical, and a
    web-archive link gives the original url. Values that are not http(s) links
    (``javascript:``, ``mailto:``, ``data:``) give None.
    """
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.startswith(("https://", "http://")) and "/web/" not in href and href.isascii():
        host_end = href.find("/", 8)
        host = href[: host_end if host_end != -1 else len(href)]
        if host == host.lower() and "[" not in host and "]" not in host:
            # Already absolute and canonical: the common case, kept cheap. A bracketed
            # (IPv6) host is checked below: "https://[a/b" is no url.
            return href
    try:  # both raise ValueError on a malformed host ("http://[::1")
        joined = unarchive(urljoin(base or "https://threadreaderapp.com/", href))
        parts = urlsplit(joined)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, parts.fragment))
