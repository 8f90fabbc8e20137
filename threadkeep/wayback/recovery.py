"""``recover``: find a tweet's copies in the web archive, fetch them, archive them.

For each target: the index is asked for every url its copies live under
(:mod:`~threadkeep.wayback.lookup`, :mod:`~threadkeep.wayback.cdx`); the captures it lists
are kept one a digest, and those whose digest the archive's log already holds are left (so an
interrupted run resumes where it stopped). The rest are fetched oldest first, each as the
bytes the archive captured (``BASE/web/{timestamp}id_/{original}``), through the fetch
client (its politeness: one request a second to the archive by default, Retry-After, its
limits and address rules). A copy whose SHA-1 is not the digest the index lists is reported
as failed and not stored. The others go to :meth:`Archive.add` with the web archive's url of
the copy, its capture time as the sighting time and the digest, so the sighting kind is the
copy's own (a Thread Reader unroll, a syndication answer, …).

When the target's handle is not known, the handle read from the first copy archived (or
from a url the index lists) adds the urls that carry it, and those are looked up in turn; so
does the thread a copy shows the tweet in, when another tweet starts it (its unroll is kept
under the first tweet's id).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from threadkeep.errors import FetchError, HTTPStatusError, ParseError, ResponseTooLarge
from threadkeep.wayback.cdx import CdxRow, cdx_url, read_page
from threadkeep.wayback.lookup import (
    Query,
    handle_in,
    handle_queries,
    names_target,
    queries,
    thread_query,
)
from threadkeep.wayback.report import CameBack, LookedUp, RecoverReport
from threadkeep.wayback.targets import Target, target
from threadkeep.words import plural

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.archive.records import AddResult
    from threadkeep.fetch import Client

__all__ = ["MAX_PAGES", "WAYBACK", "Recovery", "payload_digest", "recover"]

WAYBACK = "https://web.archive.org"
"""The web archive asked when no other is given."""

ARCHIVE_URL = "https://web.archive.org/web/{timestamp}/{original}"
"""The url a recovered copy is logged under: the web archive's own address of the capture
(a mirror or test server given as ``wayback`` stands in for it)."""

MAX_PAGES = 100
"""The most pages of one lookup's answer followed (each of up to 5,000 rows)."""

_log = logging.getLogger("threadkeep.wayback")


def payload_digest(data: bytes) -> str:
    """The web archive's digest of ``data``: the base32 SHA-1 its index lists.

    >>> payload_digest(b"")
    '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


@dataclass
class Recovery:
    """One run: the archive written to, the client fetched with, and what it found so far."""

    archive: Archive
    client: Client
    wayback: str = WAYBACK
    since: date | None = None
    until: date | None = None
    limit: int | None = None
    progress: Callable[[str], None] | None = None
    report: RecoverReport = field(default_factory=RecoverReport)
    _known: set[str] = field(default_factory=set)
    _added: list[AddResult] = field(default_factory=list)
    _settled: set[str] = field(default_factory=set)  # digests this run has dealt with
    _reached: bool = False  # whether the index has answered once

    def run(self, targets: Iterable[str | int]) -> RecoverReport:
        """Recover every target (checked first: a bad one stops the run before any request)."""
        wanted = [target(value) for value in targets]
        self._known = {e.digest for e in self.archive.captures() if e.digest is not None}
        for one in wanted:
            self.report.targets.append(one.id)
            self._target(one)
        self._came_back()
        return self.report

    def _say(self, line: str) -> None:
        _log.debug("%s", line)
        if self.progress is not None:
            self.progress(line)

    def _target(self, one: Target) -> None:
        todo, asked = queries(one), set[str]()
        while todo:
            captures: dict[str, list[CdxRow]] = {}  # a digest's captures, to try in turn
            handle = one.handle
            for query in todo:
                asked.add(query.url)
                for row in self._lookup(one, query):
                    handle = handle or handle_in(row.original, one.id)
                    if row.digest not in self._settled:
                        captures.setdefault(row.digest, []).append(row)
            self._fetch_all(captures)
            todo = []
            if one.handle is None and (handle := handle or self._handle_archived(one)):
                one = one.with_handle(handle)
                self._say(f"{one.id}: the author is @{handle}; looking up the urls with it")
                todo = [Query(u) for u in handle_queries(handle, one.id) if u not in asked]
            if one.thread is None and (thread := self._thread_archived(one)) is not None:
                one = one.with_thread(thread)
                self._say(f"{one.id}: in the thread of {thread}; looking up its unroll")
                todo += [q for q in [thread_query(thread)] if q.url not in asked]

    def _lookup(self, one: Target, query: Query) -> list[CdxRow]:
        """Every 200 row naming the tweet that the index lists under ``query`` (all pages)."""
        looked = LookedUp(target=one.id, url=query.url)
        self.report.looked_up.append(looked)
        rows: list[CdxRow] = []
        key: str | None = None
        try:
            for _ in range(MAX_PAGES):
                url = cdx_url(
                    self.wayback, query.url, prefix=True, since=self.since, until=self.until,
                    resume_key=key,
                )  # fmt: skip
                page = read_page(self._ask(url), url)
                rows.extend(r for r in page.rows if self._wanted(r, one))
                if page.resume_key is None:
                    break
                if page.resume_key == key:
                    raise FetchError(f"{url}: the index gave the same resume key again", url=url)
                key = page.resume_key
        except FetchError as exc:
            if not self._reached:  # the first request failed: every other lookup would too
                said = f"cannot reach the web archive at {self.wayback}: {exc}"
                raise FetchError(said, url=exc.url) from exc
            looked.error = str(exc)
            self.report.failures.append(f"lookup of {query.url}: {exc}")
            self._say(f"lookup of {query.url} failed: {exc}")
        looked.captures = len(rows)
        if rows:
            self._say(f"{query.url}: {plural(len(rows), 'capture')}")
        return rows

    def _ask(self, url: str) -> bytes:
        """The index's answer to ``url`` (the run has reached the archive once it answers,
        even with an error status or too much)."""
        try:
            answer = self.client.fetch(url).content
        except (HTTPStatusError, ResponseTooLarge):
            self._reached = True
            raise
        self._reached = True
        return answer

    def _wanted(self, row: CdxRow, one: Target) -> bool:
        day = row.time.date()
        in_dates = (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )
        return in_dates and names_target(row.original, one)

    def _fetch_all(self, captures: dict[str, list[CdxRow]]) -> None:
        """Fetch each digest's earliest capture, oldest first; when one fails, the next
        capture of the same bytes is tried. A digest the archive holds is not fetched."""
        rows = {digest: sorted(found, key=_when) for digest, found in captures.items()}
        order = sorted(rows, key=lambda digest: _when(rows[digest][0]))
        self.report.found += len(order)
        self._settled.update(order)
        for number, digest in enumerate(order, start=1):
            if digest in self._known:
                self.report.known += 1
            elif self.limit is not None and self.report.fetched >= self.limit:
                self.report.left += 1
            else:
                self.report.fetched += 1
                for row in rows[digest]:
                    self._say(f"fetching {number} of {len(order)}: {row.timestamp} {row.original}")
                    if self._fetch(row):
                        break
                else:
                    self.report.failed += 1

    def _fetch(self, row: CdxRow) -> bool:
        """Fetch and archive one capture: False when it failed (another may be tried)."""
        report = self.report
        replay = f"{self.wayback.rstrip('/')}/web/{row.timestamp}id_/{row.original}"
        logged = ARCHIVE_URL.format(timestamp=row.timestamp, original=row.original)
        try:
            copy = self.client.fetch(replay)
        except FetchError as exc:
            self._failed(row, str(exc))
            status = getattr(exc, "status", None)
            self.archive.record_failure(url=logged, error=str(exc), status=status)
            return False
        if (digest := payload_digest(copy.content)) != row.digest:
            self._failed(row, f"the bytes are not the capture the index lists (SHA-1 {digest}, "
                              f"the index says {row.digest}): not archived")  # fmt: skip
            return False
        try:
            added = self.archive.add(
                copy.content, url=logged, captured_at=row.time, status=200, digest=row.digest
            )
        except ParseError as exc:
            report.unreadable += 1
            self._say(f"{row.timestamp} {row.original}: unreadable: {exc.reason}")
            return True
        self._added.append(added)
        if added.outcome in ("new", "changed"):
            report.new += 1
        elif added.outcome == "unchanged":
            report.unchanged += 1
        else:  # empty: it parsed, into no tweet of its own
            report.unreadable += 1
        return True

    def _failed(self, row: CdxRow, why: str) -> None:
        self.report.failures.append(f"{row.timestamp} {row.original}: {why}")
        self._say(f"{row.timestamp} {row.original}: failed: {why}")

    def _thread_archived(self, one: Target) -> str | None:
        """The thread the archive has the target in, when another tweet starts it."""
        document = self.archive.find(one.id)
        if document is None or document.kind != "thread" or document.id in (None, one.id):
            return None
        return document.id

    def _handle_archived(self, one: Target) -> str | None:
        record = self.archive.tweet(one.id)
        author = record.author if record is not None else None
        return author.handle if author is not None else None

    def _came_back(self) -> None:
        """The tweets the copies archived now hold which the archive had as removed (and
        still has, or had until this copy), or had not seen."""
        shas = {added.sha256 for added in self._added}
        unseen = {key for added in self._added for key in added.new}
        returned = {key for added in self._added for key in added.reappeared}
        documents = dict.fromkeys(a.document for a in self._added if a.document is not None)
        listed: set[str] = set()
        for key in documents:
            thread = self.archive.thread(key)
            for tweet in thread.tweets if thread is not None else ():
                times = [s.first_seen for s in tweet.sightings if s.sha256 in shas]
                tweet_key = tweet.id or ""
                if not times or tweet_key in listed:
                    continue
                was: Literal["removed", "unseen"] | None = None
                if tweet_key in unseen:
                    was = "unseen"
                elif tweet.removed or tweet_key in returned:
                    was = "removed"
                if was is not None:
                    listed.add(tweet_key)
                    self.report.came_back.append(
                        CameBack(
                            id=tweet_key,
                            was=was,
                            copy_time=min(times),
                            removed_at=tweet.removed_at if tweet.removed else None,
                            text=tweet.text,
                        )
                    )


def _when(row: CdxRow) -> tuple[str, str]:
    return row.timestamp, row.original


def recover(
    targets: str | int | Iterable[str | int],
    *,
    archive: Archive | str | os.PathLike[str],
    wayback: str = WAYBACK,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    client: Client | None = None,
    min_interval: float = 1.0,
    contact: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecoverReport:
    """Find the web archive's copies of each target, fetch them and add them to ``archive``.

    A target is a tweet id, a status url or a Thread Reader url (:class:`~threadkeep.BadTarget`
    otherwise, before any request). ``archive`` is an :class:`~threadkeep.Archive` or the
    path of one (made if missing). ``wayback`` is the archive asked (any server speaking its
    CDX and replay interfaces); ``since`` and ``until`` keep the captures of those days;
    ``limit`` fetches at most that many copies (the rest are left for the next run). Without
    a ``client``, one is made with ``min_interval`` seconds between requests to the archive
    and ``contact`` in its User-Agent. ``progress`` is called with a line of news now and then.

    Each copy is added with the web archive's url of it and its capture time, so that the
    archive orders it among the copies it has by when it was captured. The report says what
    was looked up, found, fetched and added, what failed, and the tweets that came back.

    Example::

        report = threadkeep.recover("1215710451343904768", archive="threadkeep-archive")
        print(report.summary())
        for tweet in report.came_back:
            print(tweet.id, tweet.was, tweet.copy_time)
    """
    from threadkeep.archive import Archive
    from threadkeep.fetch import Client

    wanted = [targets] if isinstance(targets, (str, int)) else list(targets)
    checked = [target(value) for value in wanted]  # a bad TARGET before the store is made
    store = archive if isinstance(archive, Archive) else Archive(archive, create=True)
    own = client is None
    fetcher = client if client is not None else Client(min_interval=min_interval, contact=contact)
    try:
        run = Recovery(
            store, fetcher, wayback=wayback, since=since, until=until, limit=limit,
            progress=progress,
        )  # fmt: skip
        return run.run(one.given or one.id for one in checked)
    finally:
        if own:
            fetcher.close()
