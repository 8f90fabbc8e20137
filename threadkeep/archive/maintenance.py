"""Keeping a store honest: ``verify`` recomputes every hash, ``reparse`` rebuilds from raw.

``verify`` reports each problem with the file's path and the captures it belongs to, so a
damaged file can be traced to where it came from. A capture log whose last line was torn by a
crash is not damage (the next write cuts it), and neither is a raw body or a snapshot that no
log line names yet (a crash came before the log line, which is written last).

``reparse`` replays every logged capture, oldest first, through today's parsers into a new
generation of derived files, then switches the store to it in one atomic write. Raw bodies and
the log are not touched; the previous generation stays on disk.
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
from threadkeep.errors import CorruptStore, ParseError
from threadkeep.models import result_adapter
from threadkeep.parse import parse

if TYPE_CHECKING:
    from threadkeep.archive.store import Archive

__all__ = ["Problem", "ReparseReport", "VerifyReport", "reparse", "verify"]


class Problem(BaseModel):
    """One damaged or missing file, and the captures it belongs to."""

    model_config = ConfigDict(frozen=True)

    path: str
    problem: str
    captures: tuple[str, ...] = ()


class VerifyReport(BaseModel):
    """What ``verify`` checked and what it found."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    captures: int
    raw_files: int
    snapshots: int
    documents: int
    tweets: int
    problems: tuple[Problem, ...] = ()


def _describe(entry: CaptureEntry) -> str:
    return f"{entry.time.isoformat()} {entry.url or '(no url)'}"


def _log_entries(archive: Archive, problems: list[Problem]) -> list[CaptureEntry]:
    try:
        return list(archive.captures())
    except CorruptStore as exc:
        problems.append(Problem(path=exc.path or "captures.jsonl", problem=str(exc)))
        return []


def verify(archive: Archive) -> VerifyReport:
    """Recompute every hash and re-read every record; report damage precisely."""
    problems: list[Problem] = []
    entries = _log_entries(archive, problems)
    by_sha: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.sha256:
            by_sha[entry.sha256].append(_describe(entry))
    raw_files = _verify_raw(archive, by_sha, problems)
    snapshots = _verify_snapshots(archive, by_sha, problems)
    documents = _verify_records(archive, "documents", DocumentRecord, problems)
    tweets = _verify_records(archive, "tweets", TweetRecord, problems)
    return VerifyReport(
        ok=not problems,
        captures=len(entries),
        raw_files=raw_files,
        snapshots=snapshots,
        documents=documents,
        tweets=tweets,
        problems=tuple(problems),
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
    archive: Archive, folder: str, model: type[BaseModel], problems: list[Problem]
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
