"""Everything threadkeep understands about urls: ids in every url form, canonical tweet and
profile urls, web-archive wrappers, absolutising. Pure functions; nothing touches the network.

Parsers, the fetcher and the archive share these. Two kinds of id function, named apart:

* :func:`checked_id` says whether a value *is* a tweet id (1 to ``MAX_ID_DIGITS`` ASCII
  digits) and gives it back, or None: for ids read from attributes and JSON fields.
* :func:`tweet_id` and :func:`thread_id` (public, ``threadkeep.tweet_id``) *extract* an id
  from any url a person may paste (twitter.com, x.com, mobile and www hosts, ``/photo/1`` and
  ``?s=20`` tails, fxtwitter/vxtwitter/fixupx/fixvx mirrors, nitter instances, web-archive
  copies, Thread Reader pages) or a bare id, and raise :class:`ValueError` otherwise.

One status pattern (:data:`_STATUS_PATH`) reads ``/<handle>/status/<id>`` for all of them:
:func:`status_parts` on Twitter and X hosts only, :func:`any_host_status_parts` on any host.
One handle pattern (:data:`HANDLE`, and :func:`is_handle` for a whole value) serves every
parser.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from threadkeep.limits import MAX_ID_DIGITS

__all__ = [
    "HANDLE",
    "HANDLE_CHAR",
    "HANDLE_LENGTH",
    "absolute_url",
    "any_host_status_parts",
    "archive_timestamp",
    "checked_id",
    "host",
    "is_handle",
    "largest_url",
    "profile_url",
    "query_id",
    "status_parts",
    "status_url",
    "thread_id",
    "threadreader_id",
    "tweet_id",
    "unarchive",
]

HANDLE_CHAR = r"[A-Za-z0-9_]"
HANDLE_LENGTH = 20
HANDLE = rf"{HANDLE_CHAR}{{1,{HANDLE_LENGTH}}}"
"""A Twitter handle as pages write it (without "@"). Handles are at most 15 characters since
2009, older accounts kept up to 20; Nitter pages and constructed copies use 16 and 17."""

_HANDLE_RE = re.compile(HANDLE)


def is_handle(value: str | None) -> bool:
    """True when ``value`` is a whole handle (without "@"), as :data:`HANDLE` reads one.

    >>> is_handle("QuinnyPig"), is_handle("@QuinnyPig"), is_handle("a" * 21), is_handle("ü")
    (True, False, False, False)
    """
    return value is not None and _HANDLE_RE.fullmatch(value) is not None


_ID = rf"[0-9]{{1,{MAX_ID_DIGITS}}}"  # ASCII only: "²" and "١" are digits to str.isdigit
_ID_RE = re.compile(_ID)
# "/<handle>/status/<id>" on any host: twitter.com and x.com, their fx/vx mirrors and every
# nitter instance share this path. "/i/web/status/<id>" is the form share sheets use;
# "/statuses/" is the pre-2015 spelling. Nothing is required after the id: callers that need
# the id to end there check it.
_STATUS_PATH = re.compile(
    rf"/(?:@?(?P<handle>{HANDLE})|i(?:/web)?)/status(?:es)?/(?P<id>{_ID})", re.IGNORECASE
)
# The hosts whose status links are tweets wherever they appear (mobile./www. hosts, the old
# "#!/" paths); the path after them is read by _STATUS_PATH.
_TWITTER_PREFIX = re.compile(
    r"(?:https?:)?//(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com(?:/#!)?(?=/)", re.IGNORECASE
)
_NOT_HANDLES = frozenset({"i", "intent", "share", "search", "hashtag"})
_THREAD_PATH = re.compile(rf"/thread/(?P<id>{_ID})(?:\.html?)?(?:[?#/]|$)")
_QUERY_ID = re.compile(rf"[?&]id=({_ID})(?:[&#]|$)")

# Web-archive copies rewrite every link to "/web/<timestamp><flags>/<original url>". The host
# is checked apart: a pattern that looked for "archive." inside "[^/]*" backtracked over long
# hosts in quadratic time.
_ARCHIVED_RE = re.compile(
    r"^(?:https?:)?(?://(?P<host>[^/]*))?/web/(?P<stamp>[0-9]{1,14})"
    r"(?:[a-z]{2}_)?/(?P<original>.+)$",
    re.IGNORECASE,
)
_ARCHIVE_HOST_RE = re.compile(r"archive\.[a-z]", re.IGNORECASE)


def host(url: str) -> str:
    """The host (and port) of ``url``, lower-cased; "" for a relative or malformed url.

    >>> host("https://PBS.twimg.com/media/x.jpg")
    'pbs.twimg.com'
    """
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def checked_id(value: str | None) -> str | None:
    """``value`` when it is a tweet id (1 to 20 ASCII digits), else None.

    >>> checked_id("1215710451343904768"), checked_id("../../etc/passwd"), checked_id("9" * 5000)
    ('1215710451343904768', None, None)
    """
    return value if value and _ID_RE.fullmatch(value) else None


def query_id(url: str | None) -> str | None:
    """The tweet id a url names in its query (``?id=<id>``, as widget frames and the
    syndication endpoint write it), or None."""
    match = _QUERY_ID.search(url) if url and "id=" in url else None
    return match.group(1) if match else None


def profile_url(handle: str | None) -> str | None:
    """``https://twitter.com/<handle>``, or None with no handle."""
    return f"https://twitter.com/{handle}" if handle else None


def status_url(handle: str | None, tweet_id: str | None) -> str | None:
    """Canonical url of a tweet: ``https://twitter.com/<handle>/status/<id>`` (or ``/i/``)."""
    if not tweet_id:
        return None
    return f"https://twitter.com/{handle or 'i'}/status/{tweet_id}"


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


def _parts(match: re.Match[str]) -> tuple[str | None, str]:
    handle = match["handle"]
    if handle is not None and handle.lower() in _NOT_HANDLES:
        handle = None
    return handle, match["id"]


def status_parts(url: str | None) -> tuple[str | None, str] | None:
    """``(handle, id)`` of a status url on a Twitter or X host only, else None.

    The hosts are twitter.com and x.com with their www., mobile. and m. forms (and the old
    ``#!/`` paths): a status link there is a tweet wherever a page writes it. For the same path
    on any host (mirrors, Nitter instances), see :func:`any_host_status_parts`.

    >>> status_parts("https://x.com/QuinnyPig/status/1215720347384705024?s=20")
    ('QuinnyPig', '1215720347384705024')
    """
    if not url:
        return None
    text = unarchive(url.strip())
    prefix = _TWITTER_PREFIX.match(text)
    match = _STATUS_PATH.match(text, prefix.end()) if prefix else None
    return _parts(match) if match else None


def _split(value: str) -> tuple[str, str, str]:
    """``(host, path, fragment)`` of a url, read leniently (no scheme, archive wrappers)."""
    text = unarchive(value.strip())
    if "://" not in text:
        text = "https://" + text.removeprefix("//")  # "twitter.com/a/status/1" as typed
    try:
        parts = urlsplit(text)
    except ValueError:
        return "", "", ""
    if parts.scheme.lower() not in ("http", "https"):
        return "", "", ""
    return (parts.hostname or "").lower(), parts.path, parts.fragment


def any_host_status_parts(url: str, *, whole: bool = False) -> tuple[str | None, str] | None:
    """``(handle, id)`` of a status url on any host, else None.

    Any host: a mirror's (fxtwitter, vxtwitter), a Nitter instance's, Twitter's; the scheme
    may be missing ("twitter.com/a/status/1" as typed). For Twitter and X hosts only, see
    :func:`status_parts`. With ``whole``, the id must end the path or a path segment.

    >>> any_host_status_parts("https://nitter.net/QuinnyPig/status/1215710451343904768#m")
    ('QuinnyPig', '1215710451343904768')
    """
    host, path, fragment = _split(url)
    if not host:
        return None
    if fragment.startswith("!/"):  # the 2010-era "twitter.com/#!/user/status/1"
        path = fragment[1:]
    match = _STATUS_PATH.match(path)
    if match is None or (whole and path[match.end() : match.end() + 1] not in ("", "/")):
        return None
    return _parts(match)


def tweet_id(value: str | int) -> str:
    """The status id in a tweet url, or a bare id checked and returned as a string.

    Raises :class:`ValueError` naming ``value`` when it is neither.

    >>> tweet_id("https://x.com/QuinnyPig/status/1215710451343904768/photo/1?s=20")
    '1215710451343904768'
    >>> tweet_id("https://nitter.net/QuinnyPig/status/1215710451343904768#m")
    '1215710451343904768'
    """
    text = str(value).strip()
    if checked_id(text):
        return text
    found = any_host_status_parts(text, whole=True)
    if found is None:
        raise ValueError(f"not a tweet url or tweet id: {value!r}")
    return found[1]


def thread_id(value: str | int) -> str:
    """The root tweet id of a thread: from a Thread Reader url, a tweet url or a bare id.

    Raises :class:`ValueError` naming ``value`` when it is none of these.

    >>> thread_id("http://threadreaderapp.com/thread/1215710451343904768.html?refreshed=yes")
    '1215710451343904768'
    """
    text = str(value).strip()
    host, path, _ = _split(text)
    on_threadreader = host == "threadreaderapp.com" or host.endswith(".threadreaderapp.com")
    if on_threadreader and (match := _THREAD_PATH.fullmatch(path)):
        return match["id"]
    try:
        return tweet_id(text)
    except ValueError:
        raise ValueError(f"not a Thread Reader url, tweet url or tweet id: {value!r}") from None


def threadreader_id(url: str | None) -> str | None:
    """The root tweet id in a Thread Reader url (``/thread/<id>.html``), or None."""
    if not url:
        return None
    match = _THREAD_PATH.search(url)
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


_SIZE_SUFFIX = re.compile(r":(thumb|small|medium|large|orig)$")
_AVATAR_SIZE = re.compile(r"_(normal|bigger|mini|400x400|200x200)(\.\w+)$")


def largest_url(url: str) -> str:
    """The url of the largest size X serves of a picture on ``pbs.twimg.com``; any other
    url as it is.

    Examples:
        >>> largest_url("https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg")
        'https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg?name=orig'
        >>> largest_url("https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg:small")
        'https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg?name=orig'
        >>> largest_url("https://pbs.twimg.com/card_img/1/abc?format=jpg&name=600x314")
        'https://pbs.twimg.com/card_img/1/abc?format=jpg&name=orig'
        >>> largest_url("https://pbs.twimg.com/profile_images/2/x_normal.jpg")
        'https://pbs.twimg.com/profile_images/2/x.jpg'
        >>> largest_url("https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/high.mp4")
        'https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/high.mp4'
    """
    parts = urlsplit(url)
    if parts.hostname != "pbs.twimg.com":
        return url
    path = parts.path
    if path.startswith("/profile_images/"):
        return urlunsplit(parts._replace(path=_AVATAR_SIZE.sub(r"\2", path)))
    path = _SIZE_SUFFIX.sub("", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "name"]
    query.append(("name", "orig"))
    return urlunsplit(parts._replace(path=path, query=urlencode(query)))
