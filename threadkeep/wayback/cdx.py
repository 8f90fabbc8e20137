"""The web archive's index, read through its CDX interface: query urls in, captures out.

``BASE/cdx/search/cdx?url=…&output=json`` answers a JSON array whose first row names the
fields (``urlkey, timestamp, original, mimetype, statuscode, digest, length``) and whose
other rows are captures; with ``showResumeKey=true`` an empty row and a one-string row (the
key to ask the next page with, ``resumeKey=``) end a page that is not the last
(https://github.com/internetarchive/wayback/tree/master/wayback-cdx-server). No results is
``[]``.

The answer comes from a server, so it is read as untrusted: its size is the fetch client's
cap, its rows are counted (:data:`MAX_ROWS`), every field of a row is checked, and an answer
that is not what the format says is refused whole with a :class:`~threadkeep.FetchError`
naming the query url and what was wrong (never a ``json`` traceback). Rows whose status is
not 200 are counted and left out: only 200 answers hold a copy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from threadkeep.errors import FetchError

__all__ = ["MAX_ROWS", "CdxPage", "CdxRow", "cdx_url", "read_page"]

MAX_ROWS = 10_000
"""The most rows one page of an answer may hold (the query asks for :data:`PAGE_ROWS`)."""

PAGE_ROWS = 5_000
"""Rows asked for a page (``limit=``): the archive's own default page is 150,000 lines."""

_NEEDED = ("timestamp", "original", "statuscode", "digest")
_TIMESTAMP = re.compile(r"[0-9]{14}")
_DIGEST = re.compile(r"[A-Z2-7]{32}")  # base32 of a SHA-1 (20 bytes)
_MAX_URL = 4096
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")  # no url holds these raw
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CdxRow:
    """One capture the index lists: when (``timestamp``, 14 digits, UTC), of which url
    (``original``), with which payload (``digest``, base32 SHA-1)."""

    timestamp: str
    original: str
    digest: str
    mimetype: str = ""

    @property
    def time(self) -> datetime:
        """The capture time the timestamp names, in UTC."""
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class CdxPage:
    """One page of an answer: its 200 rows, how many others it listed, the next page's key."""

    rows: list[CdxRow] = field(default_factory=list)
    not_ok: int = 0
    resume_key: str | None = None


def cdx_url(
    base: str,
    url: str,
    *,
    prefix: bool,
    since: date | None = None,
    until: date | None = None,
    resume_key: str | None = None,
) -> str:
    """The CDX query for ``url`` (every url starting so with ``prefix``), one page of it.

    >>> cdx_url("https://web.archive.org", "twitter.com/i/web/status/20", prefix=False)
    'https://web.archive.org/cdx/search/cdx?url=twitter.com%2Fi%2Fweb%2Fstatus%2F20&output=json&matchType=exact&filter=statuscode%3A200&showResumeKey=true&limit=5000'
    """
    query = {
        "url": url,
        "output": "json",
        "matchType": "prefix" if prefix else "exact",
        "filter": "statuscode:200",
        "showResumeKey": "true",
        "limit": str(PAGE_ROWS),
    }
    if since is not None:
        query["from"] = since.strftime("%Y%m%d")
    if until is not None:
        query["to"] = until.strftime("%Y%m%d")
    if resume_key is not None:
        query["resumeKey"] = resume_key
    return f"{base.rstrip('/')}/cdx/search/cdx?{urlencode(query)}"


def read_page(data: bytes, url: str) -> CdxPage:
    """One page of a CDX JSON answer, or :class:`~threadkeep.FetchError` saying what is wrong.

    >>> page = read_page(b'[["urlkey","timestamp","original","mimetype","statuscode","digest",'
    ...     b'"length"],["com,twitter)/i/web/status/20","20200101000000",'
    ...     b'"https://twitter.com/i/web/status/20","text/html","200",'
    ...     b'"3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ","9"]]', "https://web.archive.org/cdx")
    >>> page.rows[0].timestamp, page.resume_key
    ('20200101000000', None)
    """
    try:
        answer = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise _refused(url, f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(answer, list):
        raise _refused(url, "not a JSON array of rows")
    if not answer:
        return CdxPage()
    if len(answer) > MAX_ROWS + 3:
        raise _refused(url, f"{len(answer)} rows, more than the {MAX_ROWS} a page may hold")
    names = _header(answer[0], url)
    rows, resume_key = _split_resume(answer[1:], url)
    found: list[CdxRow] = []
    not_ok = 0
    for number, row in enumerate(rows, start=2):
        values = dict(zip(names, _fields(row, len(names), number, url), strict=True))
        if values["statuscode"] != "200":
            not_ok += 1
        else:
            found.append(_row(values, number, url))
    return CdxPage(found, not_ok, resume_key)


def _refused(url: str, why: str) -> FetchError:
    return FetchError(f"{url}: the web archive's index answered {why}", url=url)


def _header(row: object, url: str) -> list[str]:
    if not (isinstance(row, list) and row and all(isinstance(n, str) for n in row)):
        raise _refused(url, "a first row that does not name the fields")
    if len(row) > 32 or any(name not in row for name in _NEEDED):
        raise _refused(url, f"a first row without the fields {', '.join(_NEEDED)}")
    return row


def _split_resume(rows: list[object], url: str) -> tuple[list[object], str | None]:
    """The capture rows and the resume key: ``[]`` then ``["key"]`` end a page."""
    if len(rows) >= 2 and rows[-2] == []:
        key = rows[-1]
        if not (isinstance(key, list) and len(key) == 1 and isinstance(key[0], str)):
            raise _refused(url, "a resume key that is not one string")
        if not key[0] or len(key[0]) > _MAX_URL or _CONTROL.search(key[0]):
            raise _refused(url, "an empty, overlong or unprintable resume key")
        return rows[:-2], key[0]
    return rows, None


def _fields(row: object, width: int, number: int, url: str) -> list[str]:
    if not (isinstance(row, list) and len(row) == width and all(isinstance(v, str) for v in row)):
        raise _refused(url, f"row {number}, which is not {width} strings as the first row names")
    return row


def _row(values: dict[str, str], number: int, url: str) -> CdxRow:
    stamp, original, digest = values["timestamp"], values["original"], values["digest"]
    if not _TIMESTAMP.fullmatch(stamp) or not _valid_time(stamp):
        raise _refused(url, f"row {number}, whose timestamp {stamp[:40]!r} is no 14-digit time")
    if not _DIGEST.fullmatch(digest):
        raise _refused(url, f"row {number}, whose digest {digest[:40]!r} is no base32 SHA-1")
    if (
        len(original) > _MAX_URL
        or _UNSAFE.search(original)
        or not original.lower().startswith(("http://", "https://"))
    ):
        raise _refused(url, f"row {number}, whose original url {original[:80]!r} is no http url")
    return CdxRow(stamp, original, digest, values.get("mimetype", "")[:200])


def _valid_time(stamp: str) -> bool:
    try:
        datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True
