"""Where an export keeps its tweets: the three layouts, and reading their files one at a time.

==========  ============================================  ======================================
layout      tweets                                        the account
==========  ============================================  ======================================
manifest    ``data/tweets.js`` (+ ``tweets-partN.js``),   ``data/manifest.js`` ``userInfo``,
            2022 on; deleted-tweets.js, note-tweet.js     else ``data/account.js``
tweet-js    ``data/tweet.js`` (+ ``tweet-partN.js``),     the same
            2019–2022
grailbird   ``data/js/tweets/YYYY_MM.js``, before 2019;   ``data/js/user_details.js``
            ``tweets.csv`` when those are absent
==========  ============================================  ======================================

File names come from the manifest when it has them (they changed between eras: ``tweet`` →
``tweets``, ``tweet_media`` → ``tweets_media``), then from the names the exports are known to
use. Each data file is read, turned into tweets and let go before the next is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from threadkeep.account.container import ExportFiles, read_assignment
from threadkeep.account.tweets import export_time
from threadkeep.models import Author
from threadkeep.urls import profile_url

__all__ = ["Layout", "author", "find_layout", "iter_headers", "read_entries"]

LayoutName = Literal["manifest", "tweet-js", "grailbird"]

_PART_RE = re.compile(r"data/(tweets?|deleted-tweets|note-tweet)(?:-part(\d+))?\.js\Z")
_MONTH_RE = re.compile(r"data/js/tweets/\d{4}_\d{2}\.js\Z")
_DEFAULT_MEDIA = ("data/tweets_media", "data/tweet_media", "data/deleted_tweets_media")


@dataclass
class Layout:
    """What one export holds, and where: decided once, before any tweet is read."""

    name: LayoutName
    tweet_files: list[str]
    deleted_files: list[str] = field(default_factory=list)
    deleted_header_files: list[str] = field(default_factory=list)
    note_files: list[str] = field(default_factory=list)
    csv_file: str | None = None
    media_folders: tuple[str, ...] = _DEFAULT_MEDIA
    account: Author | None = None
    generated_at: datetime | None = None


def read_entries(files: ExportFiles, name: str) -> list[Any]:
    """The entries (a JSON array) of the data file ``name``; an error names the file."""
    value = read_assignment(files.read(name), name=name, source=files.name)
    if not isinstance(value, list):
        raise files.refuse(name, f"the data is a JSON {type(value).__name__}, not an array")
    return value


def _parts(names: list[str], stem: str) -> list[str]:
    """``data/<stem>.js`` and its ``-partN`` files present in the export, in part order."""
    found = []
    for name in names:
        match = _PART_RE.match(name)
        if match and match[1] == stem:
            found.append((int(match[2] or 0), name))
    return [name for _, name in sorted(found)]


def _listed(manifest: dict[str, Any], kind: str) -> tuple[list[str], str | None]:
    """The files the manifest lists for a data type, and its media folder."""
    entry = manifest.get("dataTypes", {}).get(kind) if isinstance(manifest, dict) else None
    if not isinstance(entry, dict):
        return [], None
    names = [
        item["fileName"]
        for item in entry.get("files", [])
        if isinstance(item, dict) and isinstance(item.get("fileName"), str)
    ]
    folder = entry.get("mediaDirectory")
    return names, folder if isinstance(folder, str) else None


def _files_of(files: ExportFiles, manifest: dict[str, Any], kind: str, stem: str) -> list[str]:
    listed, _ = _listed(manifest, kind)
    found = _parts(files.names(), stem)
    missing = [name for name in listed if not files.has(name)]
    if missing and kind in ("tweets", "tweet"):  # an export cut short: say so, never skip
        raise files.refuse(missing[0], "listed in data/manifest.js but not in the export")
    return [name for name in listed if files.has(name)] + [n for n in found if n not in listed]


def author(handle: object, name: object, account_id: object) -> Author | None:
    """The account, from the fields naming it (None when neither a handle nor an id)."""
    handle = handle if isinstance(handle, str) and handle else None
    name = name if isinstance(name, str) and name else None
    account_id = str(account_id) if isinstance(account_id, (str, int)) and account_id else None
    if not (handle or account_id):
        return None
    return Author(handle=handle, name=name, url=profile_url(handle), id=account_id)


def _account_file(files: ExportFiles) -> Author | None:
    if not files.has("data/account.js"):
        return None
    for entry in read_entries(files, "data/account.js"):
        account = entry.get("account") if isinstance(entry, dict) else None
        if isinstance(account, dict):
            return author(
                account.get("username"), account.get("accountDisplayName"), account.get("accountId")
            )
    return None


def _modern(files: ExportFiles) -> Layout | None:
    manifest: dict[str, Any] = {}
    if files.has("data/manifest.js"):
        value = read_assignment(files.read("data/manifest.js"), name="data/manifest.js",
                                source=files.name)  # fmt: skip
        manifest = value if isinstance(value, dict) else {}
    tweets = _files_of(files, manifest, "tweets", "tweets")
    name: LayoutName = "manifest"
    if not tweets:
        tweets, name = _files_of(files, manifest, "tweet", "tweet"), "tweet-js"
    if not tweets and not manifest:
        return None
    folders = [
        folder
        for kind in ("tweets", "tweet", "deletedTweets")
        if (folder := _listed(manifest, kind)[1])
    ]
    user = manifest.get("userInfo")
    account = (
        author(user.get("userName"), user.get("displayName"), user.get("accountId"))
        if isinstance(user, dict)
        else None
    )
    archive = manifest.get("archiveInfo")
    headers, _ = _listed(manifest, "deletedTweetHeaders")
    return Layout(
        name=name,
        tweet_files=tweets,
        deleted_files=_files_of(files, manifest, "deletedTweets", "deleted-tweets"),
        deleted_header_files=[
            n for n in headers or ["data/deleted-tweet-headers.js"] if files.has(n)
        ],
        note_files=_files_of(files, manifest, "noteTweet", "note-tweet"),
        media_folders=tuple(dict.fromkeys([*folders, *_DEFAULT_MEDIA])),
        account=account or _account_file(files),
        generated_at=export_time(archive.get("generationDate"))
        if isinstance(archive, dict)
        else None,
    )


def _grailbird(files: ExportFiles) -> Layout:
    months = sorted((n for n in files.names() if _MONTH_RE.match(n)), reverse=True)
    account = None
    if files.has("data/js/user_details.js"):
        details = read_assignment(files.read("data/js/user_details.js"),
                                  name="data/js/user_details.js", source=files.name)  # fmt: skip
        if isinstance(details, dict):
            account = author(
                details.get("screen_name"), details.get("full_name"), details.get("id")
            )
    csv_file = next((n for n in ("tweets.csv", "data/tweets.csv") if files.has(n)), None)
    return Layout(
        name="grailbird",
        tweet_files=months,
        csv_file=None if months else csv_file,
        media_folders=("data/js/tweets", *_DEFAULT_MEDIA),
        account=account,
    )


def find_layout(files: ExportFiles) -> Layout:
    """The layout of ``files``: a manifest or ``tweet(s).js`` first, else Grailbird."""
    return _modern(files) or _grailbird(files)


def iter_headers(files: ExportFiles, layout: Layout) -> Iterator[tuple[str, datetime]]:
    """``(tweet id, deleted_at)`` from ``deleted-tweet-headers.js``."""
    for name in layout.deleted_header_files:
        for entry in read_entries(files, name):
            tweet = entry.get("tweet") if isinstance(entry, dict) else None
            if isinstance(tweet, dict) and isinstance(tweet.get("tweet_id"), str):
                when = export_time(tweet.get("deleted_at"))
                if when is not None:
                    yield tweet["tweet_id"], when
