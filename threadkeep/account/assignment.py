"""The JSON value of an export's data file: a JavaScript assignment, read, never evaluated.

Every data file of an account export is one assignment whose right-hand side is JSON::

    window.YTD.tweets.part0 = [ … ]          data/tweets.js, data/tweet.js, … (2019 on)
    window.__THAR_CONFIG = { … }             data/manifest.js
    Grailbird.data.tweets_2009_02 = [ … ]    data/js/tweets/2009_02.js (before 2019)
    var user_details = { … }                 data/js/user_details.js
    var tweet_index = [ … ]                  data/js/tweet_index.js

A byte-order mark, whitespace around the value and a closing ``;`` are allowed; anything else
(another statement, a function call, text after the value) is refused with a
:class:`~threadkeep.MalformedExport` naming the file. The value is read with the JSON limits
for export files (:data:`~threadkeep.limits.MAX_EXPORT_JSON_OBJECTS`,
:data:`~threadkeep.limits.MAX_EXPORT_JSON_VALUES`, and the depth limit of every JSON input).
"""

from __future__ import annotations

import re
from typing import Any

from threadkeep.account.export_files import too_large
from threadkeep.errors import MalformedExport, MalformedPage
from threadkeep.limits import (
    MAX_EXPORT_FILE_BYTES,
    MAX_EXPORT_JSON_OBJECTS,
    MAX_EXPORT_JSON_VALUES,
)
from threadkeep.parsing.json_input import decode_json_at

__all__ = ["read_assignment"]

# The left-hand sides seen in real exports (docs: FORMAT.md of the samples in fixtures/export).
# A name is plain ASCII: the whole prefix is matched in the first bytes, before decoding.
_ASSIGNMENT_RE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*"
    rb"(?:window\.YTD\.[A-Za-z0-9_]{1,100}\.part[0-9]{1,6}"
    rb"|window\.__THAR_CONFIG"
    rb"|Grailbird\.data\.[A-Za-z0-9_]{1,100}"
    rb"|var[ \t]+(?:user_details|tweet_index))"
    rb"[ \t\r\n]*=[ \t\r\n]*"
)
_TRAILER_RE = re.compile(r"[ \t\r\n]*;?[ \t\r\n]*\Z")


def read_assignment(data: bytes, *, name: str, source: str | None = None) -> Any:
    """The JSON value assigned in an export data file (``name`` is its path in the export).

    Examples:
        >>> read_assignment(b'window.YTD.tweets.part0 = [ {"tweet": {"id_str": "1"}} ]',
        ...                 name="data/tweets.js")
        [{'tweet': {'id_str': '1'}}]
        >>> read_assignment(b"var tweet_index =  [ ];\\n", name="data/js/tweet_index.js")
        []
        >>> read_assignment(b"alert(1)", name="data/tweets.js")
        Traceback (most recent call last):
        ...
        threadkeep.errors.MalformedExport: data/tweets.js: not a data file of an account \
export: no window.YTD, window.__THAR_CONFIG, Grailbird.data or var assignment at its start
    """

    def refuse(reason: str) -> MalformedExport:
        return MalformedExport(reason, source=source, member=name)

    if len(data) > MAX_EXPORT_FILE_BYTES:
        raise refuse(too_large(len(data)))
    head = _ASSIGNMENT_RE.match(data[:1024])
    if head is None:
        raise refuse(
            "not a data file of an account export: no window.YTD, window.__THAR_CONFIG,"
            " Grailbird.data or var assignment at its start"
        )
    if data.count(b"{") > MAX_EXPORT_JSON_OBJECTS:
        raise refuse(
            f"more than {MAX_EXPORT_JSON_OBJECTS:,} JSON objects in one data file"
            " (threadkeep.limits.MAX_EXPORT_JSON_OBJECTS)"
        )
    if data.count(b",") >= MAX_EXPORT_JSON_VALUES:
        raise refuse(
            f"more than {MAX_EXPORT_JSON_VALUES:,} JSON values in one data file"
            " (threadkeep.limits.MAX_EXPORT_JSON_VALUES)"
        )
    # The prefix is ASCII but for the byte-order mark, which utf-8-sig drops: the value starts
    # at the same index in the text as in the bytes, less the mark's three bytes.
    text = data.decode("utf-8-sig", errors="replace")
    start = head.end() - (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    try:
        value, end = decode_json_at(text, start)
    except MalformedPage as exc:
        raise refuse(f"after the assignment: {exc.reason}") from exc
    if not _TRAILER_RE.match(text, end):
        where = text[end : end + 40]
        raise refuse(f"text after the assigned JSON value, at character {end:,}: {where!r}")
    return value
