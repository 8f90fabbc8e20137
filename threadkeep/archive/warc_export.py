"""The store's raw captures as a WARC file: :meth:`Archive.export_warc` and
``threadkeep export --format warc -o FILE``.

Each logged capture with a raw body becomes one record (:mod:`threadkeep.warc.write`), in log
order, after a leading ``warcinfo`` record:

* the first capture of some bytes is a ``response`` record: ``WARC-Target-URI`` its url,
  ``WARC-Date`` its capture time, an HTTP head made from the log (its status, ``200`` when
  the log has none; ``Content-Type`` told from the bytes; ``Content-Length``) and the body
  as stored (decoded: never a ``Content-Encoding``);
* a later capture of the same bytes is a ``revisit`` record (*identical-payload-digest*)
  pointing at that response: the file holds each body once, and replay tools resolve it;
* a capture with no url (a file archived from disk, an account export's bundle) is a
  ``resource`` record named ``urn:sha256:<hex>``;
* a capture with no raw body (a fetch that failed) is left out and counted (``failed``); a
  raw body the store cannot read back (damaged, or missing) is left out and named
  (``damaged``): ``threadkeep verify`` says more.

Record ids are made from what the records hold and the ``warcinfo`` record is dated by the
newest capture written, so exporting the same store again gives the same bytes. One raw body
is in memory at a time and the log is read as a stream (twice: the first pass finds the
newest time), so a large store, on a folder or in a bucket, is exported without being loaded;
what is kept as it goes is small (a record's id, url and digest for each distinct body, 16
bytes for each capture). The file is written beside its name and renamed
into place at the end: a failed export leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from threadkeep.errors import CorruptStore, SiteError
from threadkeep.words import plural

if TYPE_CHECKING:
    from threadkeep.archive.records import CaptureEntry, DocumentRecord
    from threadkeep.warc.write import Response, WarcWriter

__all__ = ["WarcExported", "export_warc"]


class Archive(Protocol):
    """What an export reads of :class:`~threadkeep.archive.Archive` (which calls it)."""

    def find(self, identifier: str) -> DocumentRecord | None: ...
    def captures(self) -> Iterator[CaptureEntry]: ...
    def raw(self, sha256: str) -> bytes: ...


@dataclass
class WarcExported:
    """What an export to WARC wrote: ``responses``, ``revisits`` and ``resources`` records
    (one a capture with a raw body), ``failed`` captures left out (no raw body), and the
    raw bodies left out as ``damaged`` (``<sha256>: why``)."""

    path: Path
    responses: int = 0
    revisits: int = 0
    resources: int = 0
    failed: int = 0
    damaged: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        """Records written after the ``warcinfo`` one: one a capture."""
        return self.responses + self.revisits + self.resources

    def summary(self) -> str:
        """``captures.warc.gz: 3 captures (2 responses, 1 revisit), 1 failed capture left out``."""
        parts = [plural(self.responses, "response"), plural(self.revisits, "revisit")]
        if self.resources:
            parts.append(plural(self.resources, "resource"))
        said = f"{self.path}: {plural(self.records, 'capture')} ({', '.join(parts)})"
        if self.failed:
            said += f", {plural(self.failed, 'failed capture')} left out (no raw body)"
        if self.damaged:
            said += f", {plural(len(self.damaged), 'damaged raw capture')} left out"
        return said


def _documents(archive: Archive, identifiers: Sequence[str]) -> set[str] | None:
    """The document keys the ids name (None: every capture); :class:`SiteError` for an id
    naming nothing, before anything is written."""
    if not identifiers:
        return None
    keys: set[str] = set()
    for identifier in identifiers:
        document = archive.find(identifier)
        if document is None:
            raise SiteError(f"no thread, tweet or document {identifier!r} in the archive")
        keys.add(document.key)
    return keys


def _selected(archive: Archive, keys: set[str] | None) -> Iterator[CaptureEntry]:
    for entry in archive.captures():
        if keys is None or entry.document in keys:
            yield entry


def export_warc(
    archive: Archive, path: str | os.PathLike[str], identifiers: Sequence[str] = ()
) -> WarcExported:
    """Write the raw captures of ``archive`` (those of the documents ``identifiers`` name,
    else all) into the WARC file ``path`` (gzipped record by record when it ends in ``.gz``).

    :class:`SiteError` when an id names no document, or ``path`` cannot be written.
    """
    from threadkeep.warc.write import WarcWriter

    target = Path(path)
    keys = _documents(archive, identifiers)
    newest = max((e.time for e in _selected(archive, keys) if e.sha256), default=None)
    date = newest or datetime.now(UTC)
    done = WarcExported(target)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as out:
            writer = WarcWriter(
                out,
                filename=target.name,
                date=date,
                info={"description": "raw captures exported from a threadkeep archive"},
                gzip=target.name.endswith(".gz"),
            )
            _write(archive, writer, _selected(archive, keys), done)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        where = exc.filename or target
        raise SiteError(f"{where}: {exc.strerror or exc}", path=str(target)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return done


def _write(
    archive: Archive, writer: WarcWriter, entries: Iterator[CaptureEntry], done: WarcExported
) -> None:
    first: dict[str, Response] = {}  # sha256 → the response record of its bytes
    written: set[bytes] = set()  # each capture written, as 16 bytes (a few MB a million)
    for entry in entries:
        sha = entry.sha256
        if sha is None:
            done.failed += 1
            continue
        key = hashlib.blake2b(f"{entry.url}\n{entry.time.isoformat()}\n{sha}".encode(),
                              digest_size=16).digest()  # fmt: skip
        if key in written:  # the same capture logged twice: its record once
            continue
        written.add(key)
        if entry.url is not None and sha in first:  # its bytes are in the file already
            writer.revisit(entry.url, entry.time, first[sha], status=entry.status)
            done.revisits += 1
            continue
        try:
            body = archive.raw(sha)
        except FileNotFoundError:
            done.damaged.append(f"{sha}: no raw body stored")
            continue
        except CorruptStore as exc:
            done.damaged.append(f"{sha}: {exc}")
            continue
        if entry.url is None:
            writer.resource(f"urn:sha256:{sha}", entry.time, body)
            done.resources += 1
        else:
            first[sha] = writer.response(entry.url, entry.time, body, status=entry.status)
            done.responses += 1
