"""Keeping a store honest: ``verify`` recomputes every hash, ``reparse`` rebuilds from raw.

``verify`` reports each problem with the file's path and the captures it belongs to, so a
damaged file can be traced to where it came from. A capture log whose last line was torn by a
crash is not damage (the next write cuts it), and neither is a raw body or a snapshot that no
log line names yet (a crash came before the log line, which is written last).

``reparse`` replays every logged capture, oldest first, through today's parsers into a new
generation of derived files, then switches the store to it in one atomic write. Raw bodies and
the log are not touched; the previous generation stays on disk.

``repair`` (``verify --repair``) is a reparse that loses nothing: a capture whose raw body is
damaged, or no longer parses, is rebuilt from its intact snapshot instead.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections import defaultdict
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from threadkeep.archive import merge
from threadkeep.archive.records import CaptureEntry, DocumentRecord, TweetRecord
from threadkeep.archive.storage import safe_path
from threadkeep.errors import ArchiveError, ParseError
from threadkeep.models import Article, Listing, Thread, Tweet, result_adapter
from threadkeep.parse import parse

if TYPE_CHECKING:
    from threadkeep.archive.store import Archive

__all__ = [
    "Problem",
    "RepairReport",
    "ReparseReport",
    "VerifyReport",
    "repair",
    "reparse",
    "verify",
]

Result = Thread | Listing | Article | Tweet


class Problem(BaseModel):
    """One damaged or missing file, and the captures it belongs to."""

    model_config = ConfigDict(frozen=True)

    path: str
    problem: str
    captures: tuple[str, ...] = ()


class VerifyReport(BaseModel):
    """What ``verify`` checked and what it found.

    ``problems`` is damage. ``ahead`` lists derived records that name a capture the log does
    not have: a capture cut short (a crash, a full disk) updated them before its log line,
    which is written last. That is not damage, the store is valid; ``verify --repair``
    rebuilds them from the log.
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    captures: int
    raw_files: int
    snapshots: int
    documents: int
    tweets: int
    problems: tuple[Problem, ...] = ()
    ahead: tuple[Problem, ...] = ()


def _describe(entry: CaptureEntry) -> str:
    return f"{entry.time.isoformat()} {entry.url or '(no url)'}"


def verify(archive: Archive) -> VerifyReport:
    """Recompute every hash and re-read every record; report damage precisely."""
    problems: list[Problem] = []
    entries = _readable_entries(archive, problems)
    by_sha: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.sha256:
            by_sha[entry.sha256].append(_describe(entry))
    raw_files = _verify_raw(archive, by_sha, problems)
    snapshots = _verify_snapshots(archive, by_sha, problems)
    ahead: list[Problem] = []
    documents = _verify_records(archive, "documents", DocumentRecord, problems, by_sha, ahead)
    tweets = _verify_records(archive, "tweets", TweetRecord, problems, by_sha, ahead)
    return VerifyReport(
        ok=not problems,
        captures=len(entries),
        raw_files=raw_files,
        snapshots=snapshots,
        documents=documents,
        tweets=tweets,
        problems=tuple(problems),
        ahead=tuple(ahead),
    )


def _verify_raw(archive: Archive, by_sha: dict[str, list[str]], problems: list[Problem]) -> int:
    seen = set()
    for path in archive.storage.list("raw"):
        name = path.rsplit("/", 1)[-1].removesuffix(".gz")
        seen.add(name)
        try:
            digest = hashlib.sha256(gzip.decompress(archive.storage.read(path))).hexdigest()
        except (OSError, EOFError, zlib.error) as exc:
            problems.append(
                Problem(
                    path=path,
                    problem=f"unreadable raw capture ({exc})",
                    captures=tuple(by_sha.get(name, ())),
                )
            )
            continue
        if digest != name:
            problems.append(
                Problem(
                    path=path,
                    problem=f"raw capture does not match its hash (it hashes to {digest})",
                    captures=tuple(by_sha.get(name, ())),
                )
            )
    for sha, captures in by_sha.items():
        if sha not in seen:
            problems.append(
                Problem(
                    path=archive.raw_path(sha),
                    problem="raw capture missing",
                    captures=tuple(captures),
                )
            )
    return len(seen)


def _verify_snapshots(
    archive: Archive, by_sha: dict[str, list[str]], problems: list[Problem]
) -> int:
    count = 0
    for path in archive.storage.list(safe_path(f"gen-{archive.generation}", "snapshots")):
        count += 1
        expected = path.rsplit("/", 1)[-1].split("-", 1)[-1].removesuffix(".json")
        try:
            result = result_adapter.validate_json(archive.storage.read(path))
        except ValidationError as exc:
            problems.append(
                Problem(
                    path=path,
                    problem=f"snapshot is not valid JSON of a result ({exc.errors()[0]['msg']})",
                )
            )
            continue
        if not merge.content_hash(result).startswith(expected):
            raw = result.source.sha256 if result.source else None
            problems.append(
                Problem(
                    path=path,
                    problem="snapshot content does not match its hash",
                    captures=tuple(by_sha.get(raw or "", ())),
                )
            )
    return count


def _verify_records(
    archive: Archive,
    folder: str,
    model: type[BaseModel],
    problems: list[Problem],
    logged: dict[str, list[str]],
    ahead: list[Problem],
) -> int:
    count = 0
    for path in archive.storage.list(safe_path(f"gen-{archive.generation}", folder)):
        count += 1
        try:
            record = model.model_validate_json(archive.storage.read(path))
        except ValidationError as exc:
            problems.append(
                Problem(path=path, problem=f"damaged record ({exc.errors()[0]['msg']})")
            )
            continue
        if isinstance(record, DocumentRecord):
            for ref in record.snapshots:
                if not archive.storage.exists(ref.path):
                    problems.append(
                        Problem(path=ref.path, problem=f"snapshot of {record.key} missing")
                    )
            shas = {ref.raw_sha256 for ref in record.snapshots}
        else:
            shas = {s.sha256 for s in getattr(record, "sightings", ())}
        unlogged = sorted(sha for sha in shas if sha and sha not in logged)
        if unlogged:
            ahead.append(
                Problem(
                    path=path,
                    problem=f"names {len(unlogged)} capture(s) the log does not have "
                    f"(raw {', '.join(s[:12] for s in unlogged)}): a capture cut short",
                )
            )
    return count


class ReparseReport(BaseModel):
    """What ``reparse`` replayed, into which generation, and what still fails to parse."""

    model_config = ConfigDict(frozen=True)

    generation: int
    replayed: int
    failed: tuple[str, ...] = ()
    documents: int = 0


def reparse(archive: Archive) -> ReparseReport:
    """Rebuild every derived record from the raw captures with today's parsers."""
    with archive.storage.lock(archive.lock_timeout):
        entries = list(archive.captures())
        generation = archive.generation + 1
        for path in list(archive.storage.list(f"gen-{generation}")):
            archive.storage.remove(path)  # the leftovers of an interrupted reparse
        failed: list[str] = []
        documents: set[str] = set()
        replayed = 0
        for entry in entries:
            if entry.sha256 is None:
                continue
            try:
                result = parse(archive.raw(entry.sha256), url=entry.url, source=entry.url)
            except ParseError as exc:
                failed.append(f"{_describe(entry)}: {exc.reason}")
                continue
            applied = archive._apply(result, sha=entry.sha256, at=entry.time, generation=generation)
            documents.add(applied.document or "")
            replayed += 1
        archive._write_store_file(generation)
        archive.generation = generation
    return ReparseReport(
        generation=generation, replayed=replayed, failed=tuple(failed), documents=len(documents)
    )


class RepairReport(BaseModel):
    """What ``verify --repair`` found, rebuilt, and could not rebuild.

    ``generation`` is the rebuilt generation of derived files (None when nothing needed
    repair). ``repaired`` lists the damaged derived files the rebuild replaced;
    ``unrepaired`` the damage that remains (raw captures and log lines are never rewritten)
    and the captures whose content could not be rebuilt at all. ``from_snapshots`` names the
    captures rebuilt from their stored snapshot because their raw body is damaged or no
    longer parses.
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    generation: int | None = None
    repaired: tuple[Problem, ...] = ()
    unrepaired: tuple[Problem, ...] = ()
    from_snapshots: tuple[str, ...] = ()


_SOURCES = ("raw/", "captures.jsonl")


def repair(archive: Archive) -> RepairReport:
    """Rebuild the derived files from the raw captures and the log; never touch either.

    Like :func:`reparse`, into a new generation (the damaged one stays on disk). A capture
    whose raw body is damaged or missing, or no longer parses, is rebuilt from its snapshot
    in the current generation when that snapshot is intact, so that nothing is lost.
    """
    before = verify(archive)
    if before.ok and not before.ahead:
        return RepairReport(ok=True)
    lost: list[Problem] = []
    from_snapshots: list[str] = []
    with archive.storage.lock(archive.lock_timeout):
        entries = _readable_entries(archive, [])  # verify reports damaged lines
        old, generation = archive.generation, archive.generation + 1
        for path in list(archive.storage.list(f"gen-{generation}")):
            archive.storage.remove(path)  # the leftovers of an interrupted rebuild
        for entry in entries:
            if entry.sha256 is None:
                continue
            result = _from_raw(archive, entry, entry.sha256)
            if result is None and entry.outcome != "failed":
                result = _from_snapshot(archive, entry, old)
                if result is None:
                    lost.append(
                        Problem(
                            path=archive.raw_path(entry.sha256),
                            problem="capture not rebuilt: its raw body is unreadable and no "
                            "intact snapshot of it is left",
                            captures=(_describe(entry),),
                        )
                    )
                    continue
                from_snapshots.append(_describe(entry))
            if result is not None:
                archive._apply(result, sha=entry.sha256, at=entry.time, generation=generation)
        archive._write_store_file(generation)
        archive.generation = generation
    after = verify(archive)
    return RepairReport(
        ok=after.ok and not lost,
        generation=generation,
        repaired=tuple(
            p for p in (*before.problems, *before.ahead) if not p.path.startswith(_SOURCES)
        ),
        unrepaired=(*after.problems, *lost),
        from_snapshots=tuple(from_snapshots),
    )


def _readable_entries(archive: Archive, problems: list[Problem]) -> list[CaptureEntry]:
    """Every log line that can be read; each damaged one is reported and skipped."""
    try:
        data = archive.storage.read("captures.jsonl")
    except FileNotFoundError:
        return []
    entries: list[CaptureEntry] = []
    lines = data.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(CaptureEntry.model_validate_json(line))
        except ValidationError as exc:
            if number == len(lines):
                continue  # no newline after it: torn by a crash, not damage
            problems.append(
                Problem(
                    path="captures.jsonl",
                    problem=f"line {number} is damaged ({exc.errors()[0]['msg']}): its "
                    "capture cannot be replayed",
                )
            )
    return entries


def _from_raw(archive: Archive, entry: CaptureEntry, sha: str) -> Result | None:
    """The capture parsed again from its raw body, or None (damaged, missing, unparseable)."""
    try:
        body = archive.raw(sha)
    except (OSError, EOFError, zlib.error):
        return None
    if hashlib.sha256(body).hexdigest() != sha:
        return None
    try:
        return parse(body, url=entry.url, source=entry.url)
    except ParseError:
        return None


def _from_snapshot(archive: Archive, entry: CaptureEntry, generation: int) -> Result | None:
    """The capture's content from an intact stored snapshot, or None.

    The log names the snapshot a capture wrote; an unchanged capture wrote none, and takes
    its document's latest snapshot at or before it.
    """
    candidates = [entry.snapshot] if entry.snapshot else []
    if entry.document:
        try:
            document = archive._load(
                archive.document_path(entry.document, generation), DocumentRecord
            )
        except ArchiveError:
            document = None
        if document is not None:
            earlier = [s for s in document.snapshots if s.captured_at <= entry.time]
            candidates += [s.path for s in reversed(earlier)]
    for path in candidates:
        expected = path.rsplit("/", 1)[-1].split("-", 1)[-1].removesuffix(".json")
        try:
            result = result_adapter.validate_json(archive.storage.read(path))
        except (OSError, ValidationError, ArchiveError):
            continue
        if merge.content_hash(result).startswith(expected):
            return result
    return None
