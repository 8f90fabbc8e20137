"""An account's own archive ("Download an archive of your data") → an :class:`~threadkeep.Export`.

:func:`parse_export` reads an export opened by :func:`~threadkeep.account.container.open_export`
(a zip, its bytes, or the unpacked folder): the account, every tweet (deleted ones marked, long
posts whole, t.co links expanded, media with their file in the export) and the threads unrolled
from the account's reply chains. The data files are read one at a time; see
:mod:`threadkeep.account.layouts` for the three layouts and :mod:`threadkeep.account.tweets`
for what each tweet field comes from. ``threadkeep.parse(path)`` calls it for an export.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import os
from collections.abc import Iterator

from threadkeep.account.container import ExportFiles, open_export, read_assignment
from threadkeep.account.layouts import Layout, author, find_layout, iter_headers, read_entries
from threadkeep.account.notes import Notes
from threadkeep.account.threads import threads_of
from threadkeep.account.tweets import (
    CSV_COLUMNS,
    BadEntry,
    MediaFiles,
    tweet_from_csv_row,
    tweet_from_entry,
    unwrap,
)
from threadkeep.limits import check_export_tweets
from threadkeep.models import Author, Export, Sighting, Tweet

__all__ = ["iter_tweets", "parse_export", "read_export"]


def iter_tweets(
    files: ExportFiles, layout: Layout, digest: hashlib._Hash | None = None
) -> Iterator[Tweet]:
    """Every tweet of the export, one data file at a time (kept ones, then deleted ones).

    ``digest``, when given, is fed the bytes of each data file tweets are read from.
    """
    media = MediaFiles(files.names(), layout.media_folders)
    notes = Notes(entry for name in layout.note_files for entry in read_entries(files, name))
    account = layout.account
    for name in layout.tweet_files:  # the tweets the account kept until the export was made
        yield from _from_file(files, name, account, media, notes, False, digest)
    if layout.csv_file is not None:
        yield from _from_csv(files, layout.csv_file, account, digest)
    headers = dict(iter_headers(files, layout))
    for name in layout.deleted_files:
        for tweet in _from_file(files, name, account, media, None, True, digest):
            when = tweet.deleted_at or headers.get(tweet.id or "")
            yield (
                tweet.model_copy(update={"deleted_at": when}) if when != tweet.deleted_at else tweet
            )


def _from_file(
    files: ExportFiles,
    name: str,
    account: Author | None,
    media: MediaFiles,
    notes: Notes | None,
    deleted: bool | None,
    digest: hashlib._Hash | None,
) -> Iterator[Tweet]:
    data = files.read(name)
    if digest is not None:
        digest.update(data)
    entries = read_assignment(data, name=name, source=files.name)
    del data
    if not isinstance(entries, list):
        raise files.refuse(name, f"the data is a JSON {type(entries).__name__}, not an array")
    join = notes.join if notes else None
    for index in range(len(entries)):
        entry, entries[index] = entries[index], None  # each entry let go once it is a model
        try:
            if account is None:
                account = _account_of(entry)
            yield tweet_from_entry(
                entry, account=account, files=media, full_text=join, deleted=deleted
            )
        except BadEntry as exc:
            raise files.refuse(name, f"entry {index + 1}: {exc}") from None


def _account_of(entry: object) -> Author | None:
    """The account, read off a Grailbird tweet's ``user`` when no other file names it."""
    try:
        user = unwrap(entry).get("user")
    except BadEntry:
        return None
    if not isinstance(user, dict):
        return None
    return author(user.get("screen_name"), user.get("name"), user.get("id_str"))


def _from_csv(
    files: ExportFiles, name: str, account: Author | None, digest: hashlib._Hash | None
) -> Iterator[Tweet]:
    data = files.read(name)
    if digest is not None:
        digest.update(data)
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        if reader.fieldnames is None or not set(CSV_COLUMNS) <= set(reader.fieldnames):
            raise files.refuse(name, "not a tweets.csv: its header lacks " + ", ".join(CSV_COLUMNS))
        for row in reader:
            try:
                yield tweet_from_csv_row(row, account=account)
            except BadEntry as exc:
                raise files.refuse(name, f"line {reader.line_num}: {exc}") from None
    except csv.Error as exc:
        raise files.refuse(name, f"line {reader.line_num}: not CSV: {exc}") from None


_FREEZE_EVERY = 10_000


@contextlib.contextmanager
def _long_lived() -> Iterator[bool]:
    """Tell the garbage collector that what is built here lives on (``gc.freeze``).

    An export's models and each part's JSON are acyclic and long-lived; with hundreds of
    thousands of them alive, every full collection walked them all again (most of the time
    of a 200,000-tweet export went there). Frozen objects are still freed by reference
    counting; the collector goes on collecting everything else, and they are handed back to it
    at the end. Yields False (and freezes nothing) when the collector is off or something
    else froze objects: theirs are not unfrozen here.
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield False
        return
    try:
        yield True
    finally:
        gc.unfreeze()


def read_export(files: ExportFiles, *, url: str | None = None) -> Export:
    """The :class:`Export` of an opened export (see :func:`parse_export`)."""
    with _long_lived() as freezing:
        return _read_export(files, url, freezing)


def _read_export(files: ExportFiles, url: str | None, freezing: bool) -> Export:
    layout = find_layout(files)
    digest = hashlib.sha256()
    tweets: list[Tweet] = []
    seen: set[str] = set()
    for tweet in iter_tweets(files, layout, digest):
        if tweet.id in seen:  # a tweet in two parts (or kept and deleted): the first wins
            continue
        seen.add(tweet.id or "")
        tweets.append(tweet)
        check_export_tweets(len(tweets), source=files.name)
        if freezing and len(tweets) % _FREEZE_EVERY == 0:
            gc.freeze()
    account = layout.account or (tweets[0].author if tweets else None)
    source = Sighting(
        kind="export", url=url, captured_at=layout.generated_at, sha256=digest.hexdigest()
    )
    threads = threads_of(tweets, account, source=source)
    if freezing:
        gc.freeze()
    return Export(
        url=url,
        account=account,
        generated_at=layout.generated_at,
        layout=layout.name,
        tweets=tuple(tweets),
        threads=tuple(threads),
        source=source,
    )


def parse_export(
    source: bytes | os.PathLike[str], *, url: str | None = None, name: str | None = None
) -> Export | None:
    """The :class:`Export` in ``source`` (a zip's bytes or path, or the unpacked folder), or
    None when ``source`` is no account export.

    Raises :class:`~threadkeep.MalformedExport` (naming the file inside the export) for one
    that cannot be read safely or whole.

    Examples:
        >>> from pathlib import Path
        >>> export = parse_export(Path("fixtures/export/modern-alrocar-2024"))
        >>> export.account.handle, export.layout, len(export.tweets), len(export.threads)
        ('alrocar', 'manifest', 14, 2)
    """
    files = open_export(source, name=name)
    if files is None:
        return None
    with files:
        return read_export(files, url=url)
