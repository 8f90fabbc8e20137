"""Orphaned raw captures: a raw body that no log line names, found and recovered.

A capture writes its raw body first and its log line last, so a raw body can outlive its
line: the line was torn by a crash while it was written, bytes were cut off the end of the
log, or the process was killed between the two writes. (A capture that fails with an error,
a full disk say, removes the raw body it had just stored: it was not recorded, and its user
was told so.) The body is whole and is the source of truth, so nothing it held is lost:
``verify`` reports it (:func:`orphaned`) and ``verify --repair`` records it again
(:func:`recover`): it is parsed again, merged into the rebuilt generation, and a log line is
appended for it.

What the lost line held that the raw body does not comes from, in this order:

* ``sha256``: the raw file's name;
* ``time``, ``url``, ``status``, ``parser_version``: the torn last line of the log, while it is
  still there and names this body (each field whose value it holds whole);
* else ``time`` and ``url``: the snapshot this capture wrote, found through a document record
  of the current generation (its ``source`` keeps both);
* else unknown: ``url`` null, ``status`` null, ``parser_version`` this threadkeep's, and
  ``time`` the moment of the repair;
* ``outcome``, ``document``, ``kind``, ``snapshot``: made again by merging it, as a capture does.

The appended line says so in its ``recovered`` field: where each field came from, and which
are unknown. Recovered captures are appended after every logged one, oldest first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from threadkeep._version import __version__
from threadkeep.archive import layout
from threadkeep.archive.apply import apply, parse
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.log import CaptureLog
from threadkeep.archive.records import CaptureEntry
from threadkeep.errors import ArchiveError, ParseError

__all__ = ["ORPHANED", "UNRECORDED", "describe", "orphaned", "recover", "unrecorded"]

ORPHANED = (
    "no log line names this raw capture (its line was lost or torn, or a process was killed "
    "before writing it); --repair recovers it"
)
UNRECORDED = (
    "no capture names this raw body: its writer stopped before recording the capture (or is "
    "recording it now); kept, never recorded as a capture"
)
FIELDS = ("time", "url", "status", "parser_version")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# One field of a JSON object whose value is whole: a string, a number or null, then , or }.
_FIELD = re.compile(rb'"(\w+)":("(?:[^"\\]|\\.)*"|-?\d+|null)(?=[,}])')


def orphaned(files: StoreFiles, logged: Iterable[str]) -> list[str]:
    """The hashes of the raw captures that no readable log line names."""
    named = set(logged)
    return [sha for path in files.raw_paths() if (sha := layout.raw_sha(path)) not in named]


def describe(entry: CaptureEntry) -> str:
    """One recovered capture, as ``verify --repair`` reports it."""
    made = entry.document or entry.kind or entry.error or ""
    return (
        f"{layout.raw_path(str(entry.sha256))}: {entry.time.isoformat()} "
        f"{entry.url or '(no url)'}: {entry.outcome} {made} ({entry.recovered})"
    )


def unrecorded(
    files: StoreFiles, log: CaptureLog, shas: Iterable[str], generation: int
) -> list[str]:
    """Of the orphaned raw bodies ``shas`` of a format 3 store, those no capture ever named:
    neither the frozen log's torn line nor a snapshot tells their time and url. Their writer
    stopped before its capture object (it said the capture was not recorded), or is writing
    it now, without the lock: recording them would make up a capture at the time of the
    repair, or log a live writer's capture twice. They are kept, never recorded."""
    torn = _torn_fields(log.torn())
    return [
        sha
        for sha in shas
        if torn.get("sha256") != sha and next(_from_snapshots(files, sha, generation), None) is None
    ]


def recover(
    files: StoreFiles,
    log: CaptureLog,
    logged: Iterable[str],
    *,
    old: int,
    new: int,
    only_named: bool = False,
) -> list[CaptureEntry]:
    """Record every readable orphaned raw capture again, into generation ``new`` and the log.

    ``old`` is the generation in use (where its snapshot may be found); the caller holds the
    lock. A damaged orphan is left alone (``verify`` reports the damage), and with
    ``only_named`` (a format 3 store) so is one no capture ever named (:func:`unrecorded`).
    Returns the entries appended to the log.
    """
    torn = _torn_fields(log.torn())
    found: list[tuple[str, bytes, dict[str, Any], list[str]]] = []
    orphans = orphaned(files, logged)
    skipped = set(unrecorded(files, log, orphans, old)) if only_named else set()
    for sha in orphans:
        if sha in skipped:  # format 3: a capture never recorded (:func:`unrecorded`)
            continue
        try:
            body = files.raw(sha)
        except (FileNotFoundError, ArchiveError):
            continue
        known, origins = _known(files, sha, torn, old)
        found.append((sha, body, known, origins))
    found.sort(key=lambda item: item[2]["time"])
    entries = [
        _record(files, sha, body, known, origins, new) for sha, body, known, origins in found
    ]
    for entry in entries:
        log.append(entry)
    return entries


def _torn_fields(torn: bytes | None) -> dict[str, Any]:
    """The fields a torn log line holds whole and valid (empty when there is no torn line)."""
    if torn is None:
        return {}
    fields = {m.group(1).decode(): json.loads(m.group(2)) for m in _FIELD.finditer(torn)}
    held = {key: fields[key] for key in ("sha256", *FIELDS) if key in fields}
    probe = {"time": _EPOCH, "url": None, "sha256": None, "parser_version": "", **held}
    try:
        entry = CaptureEntry.model_validate({**probe, "outcome": "failed"})
    except ValidationError:  # a field damaged, not only cut: trust none of them
        return {}
    return {key: getattr(entry, key) for key in held}


def _known(
    files: StoreFiles, sha: str, torn: dict[str, Any], generation: int
) -> tuple[dict[str, Any], list[str]]:
    """What can be known of the capture of ``sha`` besides its body, and where each came from."""
    known: dict[str, Any] = {}
    origins: list[str] = []
    if torn.get("sha256") == sha:
        held = [field for field in FIELDS if field in torn]
        known.update((field, torn[field]) for field in held)
        origins.append(f"{', '.join(held)} from the torn log line")
    wanted = [field for field in ("time", "url") if field not in known]
    for time, url in _from_snapshots(files, sha, generation) if wanted else ():
        known.update((field, {"time": time, "url": url}[field]) for field in wanted)
        origins.append(f"{' and '.join(wanted)} from its snapshot")
        break
    unknown = [field for field in FIELDS if field not in known]
    if unknown:
        origins.append(f"unknown: {', '.join(unknown)}")
    if "time" in unknown:
        origins.append("time set to when it was recovered")
    if "parser_version" in unknown:
        origins.append("parser_version set to this threadkeep's")
    defaults = {"time": datetime.now(UTC), "parser_version": __version__}
    return {field: known.get(field, defaults.get(field)) for field in FIELDS}, origins


def _from_snapshots(
    files: StoreFiles, sha: str, generation: int
) -> Iterator[tuple[datetime, str | None]]:
    """The capture time and url that the snapshots of ``sha`` in ``generation`` keep."""
    for path in files.document_paths(generation):
        try:
            document = files.document_at(path)
        except ArchiveError:
            continue
        for ref in document.snapshots:
            if ref.raw_sha256 != sha:
                continue
            try:
                source = files.snapshot(ref.path).source
            except ArchiveError:
                source = None
            yield ref.captured_at, source.url if source is not None else document.url


def _record(
    files: StoreFiles,
    sha: str,
    body: bytes,
    known: dict[str, Any],
    origins: list[str],
    generation: int,
) -> CaptureEntry:
    """Merge the orphan into ``generation`` as a capture would; the log line it gets."""
    note = f"recovered from its raw capture by verify --repair; {'; '.join(origins)}"
    entry = CaptureEntry(sha256=sha, outcome="failed", recovered=note, **known)
    try:
        result = parse(body, url=entry.url, source=entry.url)
    except ParseError as exc:
        return entry.model_copy(update={"error": exc.reason})
    if result.source is None:  # threadkeep JSON without one: a capture refuses it too
        return entry.model_copy(update={"error": "threadkeep JSON with no source"})
    applied = apply(files, result, sha=sha, at=entry.time, generation=generation)
    return entry.model_copy(
        update={
            "outcome": applied.outcome,
            "document": applied.document,
            "kind": applied.kind,
            "snapshot": applied.snapshot_path,
        }
    )
