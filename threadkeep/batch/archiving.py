"""Archive many sources, one at a time: urls fetched, saved files read, failures kept.

:func:`sources` turns arguments (urls, files, folders) and a ``--from`` list into the
sources to capture; :func:`archive_sources` captures each into an
:class:`~threadkeep.archive.Archive` and yields an :class:`Archived` for it as soon as it is
done. A failed fetch is logged in the archive; a page that does not parse keeps its raw bytes.
A page that parses into a result with no tweets (an article that embeds none, a web-archive
copy of one) is captured (raw bytes kept, logged ``empty``) but makes no document: it is
counted apart (:attr:`Report.empty <threadkeep.batch.report.Report.empty>`) and is no failure.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from threadkeep.batch.inputs import inputs
from threadkeep.batch.report import Report
from threadkeep.errors import ArchiveError, FetchError, ParseError, UnsupportedPage
from threadkeep.fetch.endpoints import threadreader_url
from threadkeep.fetch.redirects import is_http
from threadkeep.files import os_problem
from threadkeep.urls import status_parts

if TYPE_CHECKING:
    from threadkeep.archive import AddResult, Archive
    from threadkeep.archive.export import ExportArchived
    from threadkeep.fetch import Client

__all__ = [
    "Archived",
    "all_missing",
    "archive_sources",
    "capture_url",
    "is_export",
    "is_warc",
    "sources",
    "still_to_capture",
]


def sources(arguments: Sequence[str], listed: Iterable[str] = ()) -> list[str]:
    """Urls and files to capture: a folder gives its page files (as ``convert`` reads them).

    ``listed`` are the lines of a ``--from`` file: blank lines and ``#`` comments are skipped.
    """
    found: list[str] = []
    for source in arguments:
        if not is_http(source) and Path(source).is_dir() and not is_export(source):
            for item in inputs([source]):  # a web-archive file once, not once per record
                label = item.label if item.record is None else str(item.path)
                if not found or found[-1] != label:
                    found.append(label)
        else:
            found.append(source)
    found += [s.strip() for s in listed if s.strip() and not s.startswith("#")]
    return found


def is_export(source: str) -> bool:
    """True when ``source`` is an account export: a folder or zip file that
    :func:`~threadkeep.account.container.open_export` takes, or refuses as unsafe (a broken
    export is an export: archiving it says what is wrong with it)."""
    from threadkeep.account.container import is_zip, open_export
    from threadkeep.errors import MalformedExport

    if is_http(source):
        return False
    path = Path(source)
    try:
        if path.is_file():
            with path.open("rb") as stream:
                if not is_zip(stream.read(4)):
                    return False
        opened = open_export(path)
    except MalformedExport:
        return True
    except OSError:
        return False
    if opened is None:
        return False
    opened.close()
    return True


def is_warc(source: str) -> bool:
    """True when ``source`` is a web-archive file (``.warc``, ``.warc.gz``, ``.wacz``, or a
    file that starts like a WARC)."""
    from threadkeep.batch.inputs import WARC, named_kind

    return not is_http(source) and Path(source).is_file() and named_kind(Path(source)) is WARC


def _warc(archive: Archive, source: str) -> Iterator[Archived]:
    """Each page record of a web-archive file, added with its url, date, status, digest and
    origin (the file and the record's offset, kept in its log line); a record with no tweets
    is kept and logged ``empty``; a damaged one is named and skipped."""
    from threadkeep.batch.inputs import inputs
    from threadkeep.warc.read import NO_PAGE_RECORD, read_page

    # A record is its capture (url, time, bytes): one already logged is not captured again,
    # so that archiving a WARC twice changes nothing.
    logged = {(c.url, c.time, c.sha256) for c in archive.captures()}
    for item in inputs([source]):
        assert item.record is not None
        warc, ref = item.record
        if ref.unresolved or ref.nothing:
            yield Archived(item.label, passed=NO_PAGE_RECORD if ref.nothing else _REVISIT)
            continue
        try:
            page = read_page(warc, ref)
            key = (page.url, page.date, hashlib.sha256(page.body).hexdigest())
            if page.date is not None and key in logged:
                yield Archived(item.label, skipped=True, passed=_LOGGED)
                continue
            added = archive.add(page.body, url=page.url, captured_at=page.date,
                                status=page.status, digest=page.digest,
                                origin=page.origin)  # fmt: skip
        except UnsupportedPage as exc:
            yield Archived(item.label, passed=f"{exc.reason} (the raw capture is kept)")
            continue
        except ParseError as exc:
            yield Archived(item.label, error=str(exc.reason))
            continue
        if added.outcome == "failed":  # logged so by an earlier run of the same file
            yield Archived(item.label, passed="nothing threadkeep reads (the raw capture is kept)")
            continue
        yield Archived(item.label, result=added)


def capture_url(source: str, threadreader_base: str) -> str:
    """What is fetched for a url: a tweet's status url on twitter.com or x.com is archived
    through its Thread Reader unroll; any other url (an article, a mirror) as given.

    >>> capture_url("https://x.com/QuinnyPig/status/1215710451343904768", "https://tr.example")
    'https://tr.example/thread/1215710451343904768.html'
    >>> capture_url("https://fox.com/news/status/12345", "https://tr.example")
    'https://fox.com/news/status/12345'
    """
    parts = status_parts(source)
    return threadreader_url(threadreader_base, parts[1]) if parts else source


_ALREADY = "already captured; --refresh to capture again"
_LOGGED = "this record is in the archive already (same url, time and bytes)"
_REVISIT = "a WARC revisit record whose original is not in this file"


@dataclass(frozen=True)
class Archived:
    """What became of one source: the archive's ``result``, or ``error`` (one line), or
    ``skipped`` (a url already captured, left alone without ``refresh``)."""

    source: str
    result: AddResult | None = None
    error: str | None = None
    skipped: bool = False
    export: ExportArchived | None = None
    """An account export's whole capture: its threads, media, and whether anything was new."""
    passed: str | None = None
    """Why a WARC record made no capture worth a document (a revisit whose original is not
    in its file; a payload threadkeep does not read): counted as empty, no failure."""

    def summary(self) -> str:
        """``page.html: changed thread-1 (1 edited, 1 removed)``, or the failure."""
        if self.skipped or self.passed:
            return f"{self.source}: skipped ({self.passed or _ALREADY})"
        if self.result is None:
            return f"{self.source}: {self.error}"
        if self.export is not None:
            return self.export.summary(self.source)
        if self.result.outcome == "pending":
            return f"{self.source}: pending (written and kept, merged by the next merge)"
        if self.result.outcome == "empty":
            kind = self.result.kind
            return f"{self.source}: empty {kind} (no tweets: raw capture kept, no document)"
        counts = [
            f"{len(values)} {name}"
            for name, values in (
                ("new", self.result.new),
                ("edited", self.result.changed),
                ("removed", self.result.removed),
                ("back", self.result.reappeared),
            )
            if values
        ]
        said = f"{self.result.outcome} {self.result.document}"
        return f"{self.source}: {said}" + (f" ({', '.join(counts)})" if counts else "")

    def json_line(self) -> str:
        """One JSON object: ``source`` and the result's fields, or ``outcome: failed`` (with
        ``error``) or ``outcome: skipped`` (with ``reason``)."""
        if self.skipped or self.passed:
            why = self.passed or _ALREADY
            return json.dumps({"source": self.source, "outcome": "skipped", "reason": why})
        if self.result is None:
            return json.dumps({"source": self.source, "outcome": "failed", "error": self.error})
        said = {"source": self.source, **self.result.model_dump(mode="json")}
        if self.export is not None:
            said["export"] = self.export.counts()
        return json.dumps(said)


class _Unreadable(Exception):
    """A saved file that could not be read: that source fails, and the run goes on."""


def _capture(archive: Archive, client: Client, source: str, base: str) -> AddResult:
    if is_http(source):
        return archive.add_capture(client.fetch(capture_url(source, base)))
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise _Unreadable(os_problem(exc)) from exc
    return archive.add(data)


def _export(archive: Archive, source: str) -> Archived:
    """An account export: every tweet, thread and media file in it (see
    :meth:`Archive.export`); what it did on stderr as it goes (a big one takes minutes)."""

    def progress(line: str) -> None:
        print(f"threadkeep: {source}: {line}", file=sys.stderr, flush=True)

    try:
        done = archive.export(Path(source), name=source, progress=progress)
    except ParseError as exc:  # nothing was written: no raw capture is kept of a broken one
        return Archived(source, error=f"{exc.reason} (nothing was archived)")
    except OSError as exc:
        return Archived(source, error=os_problem(exc))
    return Archived(source, result=done.result, export=done)


def _one(archive: Archive, client: Client, source: str, base: str) -> Archived:
    if is_export(source):
        return _export(archive, source)
    try:
        return Archived(source, result=_capture(archive, client, source, base))
    except _Unreadable as exc:
        return Archived(source, error=str(exc))
    except FetchError as exc:
        archive.record_failure(url=source, error=str(exc), status=getattr(exc, "status", None))
        return Archived(source, error=str(exc))
    except ParseError as exc:
        return Archived(source, error=f"{exc.reason} (the raw capture is kept)")
    except OSError as exc:  # the store's, not the source's: every other source would fail too
        where = str(exc.filename or archive.location)
        said = f"{where}: {os_problem(exc)} (in the archive at {archive.location})"
        raise ArchiveError(said, path=where) from exc
    except ValueError as exc:
        return Archived(source, error=str(exc))


def archive_sources(
    archive: Archive,
    client: Client,
    todo: Iterable[str],
    *,
    report: Report,
    threadreader_base: str = "https://threadreaderapp.com",
) -> Iterator[Archived]:
    """Capture each source in order, yielding what became of it; failures go in ``report``.

    Example::

        with Client() as client:
            for done in archive_sources(Archive("store"), client, ["page.html"],
                                        report=Report(1, "source", "archived")):
                print(done.summary())
    """
    for source in todo:
        if is_warc(source):
            report.total -= 1  # one source per record instead
            for done in _warc(archive, source):
                report.total += 1
                _count(done, report)
                yield done
            continue
        done = _one(archive, client, source, threadreader_base)
        _count(done, report)
        yield done


def _count(done: Archived, report: Report) -> None:
    if done.skipped:
        report.success(done.source, "already archived")
    elif done.passed:
        report.nothing(done.source, done.passed)
    elif done.result is None:
        report.failure(done.summary())
    elif done.result.outcome == "empty":
        report.nothing(done.source, f"empty {done.result.kind}")
    else:
        report.success(done.source, f"{done.result.outcome} {done.result.document}")


def all_missing(todo: Sequence[str]) -> Report | None:
    """When every source is a file that does not exist, the report saying so (so that no
    store is made for a mistyped name); else None."""
    missing = [s for s in todo if not is_http(s) and not Path(s).exists()]
    if not missing or len(missing) != len(todo):
        return None
    report = Report(len(todo), "source", "archived")
    for source in missing:
        report.failure(f"{source}: no such file")
    return report


def still_to_capture(
    archive: Archive, todo: Sequence[str], *, refresh: bool = False
) -> tuple[list[str], list[str]]:
    """``todo`` split into what to capture and the urls already captured (kept unless
    ``refresh``), so that an interrupted run resumes where it stopped."""
    done = set() if refresh else archive.captured_urls()
    skipped = [s for s in todo if is_http(s) and s in done]
    again = set(skipped)
    return [s for s in todo if s not in again], skipped
