"""Keeping a store honest: ``verify`` recomputes every hash, ``reparse`` rebuilds from raw.

``verify`` reports each problem with the file's path and the captures it belongs to, so a
damaged file can be traced to where it came from. A capture log whose last line was torn by a
crash is not damage (the next write cuts it), and neither is a raw body or a snapshot that no
log line names yet (a crash came before the log line, which is written last, or the line was
lost): ``verify`` lists such a raw body as orphaned, and ``repair`` records it again
(:mod:`~threadkeep.archive.recover`). Every snapshot and record is also checked against the
log, by replaying it (:mod:`~threadkeep.archive.checks`).

``reparse`` replays every logged capture, oldest first, through today's parsers into a new
generation of derived files, then switches the store to it in one atomic write. Raw bodies and
the log are not touched; the previous generation stays on disk. Before the switch, every
rebuild writes into its generation what it read of the log (``rebuild.json``: how far, and
the lines it read otherwise than they say), which readers of the generation follow.

``repair`` (``verify --repair``) is a reparse that loses nothing: a capture whose raw body is
damaged, or no longer parses, is rebuilt from its intact snapshot instead; an orphaned raw
body is recorded again. It also removes the temporary files writers killed in the middle of
a write left (``verify`` counts them): under the store lock, which every writer holds while
it writes, so none of them is a live writer's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from threadkeep.archive import checks, layout, merge, recover
from threadkeep.archive.apply import apply, parse
from threadkeep.archive.files import DamagedFile, Result, StoreFiles
from threadkeep.archive.log import CaptureLog, DamagedLine, Reading, lines, read_up_to
from threadkeep.archive.media import MediaStore
from threadkeep.archive.media_repair import MediaSetAside, set_aside_damage
from threadkeep.archive.records import (
    FORMAT,
    FORMAT_1,
    CaptureEntry,
    DocumentRecord,
    Outcome,
    PendingCapture,
    ReadOtherwise,
    RebuildRecord,
    StoredDocument,
)
from threadkeep.archive.replay import describe as _describe
from threadkeep.archive.replay import parsed
from threadkeep.errors import ArchiveError, CorruptStore, ParseError

__all__ = [
    "Problem",
    "RepairReport",
    "ReparseReport",
    "VerifyReport",
    "repair",
    "reparse",
    "upgrade",
    "verify",
]


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
    rebuilds them from the log. ``orphans`` lists raw captures that no log line names (see
    :mod:`~threadkeep.archive.recover`): not damage either, ``verify --repair`` records them.
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
    orphans: tuple[Problem, ...] = ()
    format: int = FORMAT
    """The store's format: 1 for a store threadkeep 0.1.0 wrote, whose records are not compared
    with the log until it is upgraded (the first command that writes does it)."""
    media_files: int = 0
    """Media files checked against their hash (:mod:`~threadkeep.archive.media`)."""
    unindexed: tuple[str, ...] = ()
    """Media files no line of the media index names (a copy cut short): not damage;
    ``verify --repair`` indexes them, the next archive of their export names them."""
    set_aside: tuple[str, ...] = ()
    """Media files the index names that ``verify --repair`` set aside as damaged (their bytes
    kept in ``media/damaged/``): not damage any more; ``threadkeep media`` fetches them."""
    temporary: tuple[str, ...] = ()
    """Temporary files (``.<name>.<random>.tmp``) a writer killed in the middle of a write left
    in the store's folders: not damage (no reader opens them), but space; ``verify --repair``
    removes them under the lock."""
    pending: tuple[str, ...] = ()
    """Format 3: captures written (their capture object exists: durable) and not merged yet
    (no log line names them), by key: not damage; the next merge (any capture, ``verify
    --repair``) merges them."""
    unrecorded: tuple[str, ...] = ()
    """Format 3: raw bodies no capture names, of captures their writers never recorded (see
    :func:`~threadkeep.archive.recover.unrecorded`): kept, not damage, never recorded."""
    dead_pointers: tuple[str, ...] = ()
    """Format 3: inbox pointers with no capture object, older than ten minutes (a writer
    killed between the two): not damage; ``verify --repair`` and any merge remove them."""
    added_order: bool = False
    """The records are those the captures make merged in the order they were added, as
    threadkeep did before it merged them in capture-time order (issue 17), and some were added
    out of time order: not damage; ``verify --repair`` merges them again in time order."""


def verify(
    files: StoreFiles,
    log: CaptureLog,
    generation: int,
    *,
    format: int = FORMAT,
    media: MediaStore | None = None,
) -> VerifyReport:
    """Recompute every hash, and check every record of ``generation`` against the log.

    A format 1 store's records (threadkeep 0.1.0's) are not compared: the replay builds
    format 2 ones. Its hashes and snapshots are checked, and the report says ``format`` 1:
    the first command that writes upgrades it, and then its records are checked too.
    """
    problems: list[Problem] = []
    log.journal.forget()  # every file read from the storage, as it is now
    if media is not None:
        media.journal.forget()
    read = _read_log(files, log, generation, problems, check=format != FORMAT_1)
    entries = read.entries()
    by_sha: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.sha256:
            by_sha[entry.sha256].append(_describe(entry))
    pending: list[str] = []
    dead: list[str] = []
    if format >= FORMAT:
        written = [line for _, line, _ in read.lines]  # as the log says (not as read)
        pending, dead = _verify_captures(files, log, written, by_sha, problems)
    raw = _verify_raw(files, by_sha, problems)
    derived = checks.check_derived(
        files, entries, generation, compare=format != FORMAT_1, rebuilt=read.rebuilt()
    )
    added_order = False
    if derived.problems and _out_of_order(entries):  # merged in the order added, before?
        as_added = checks.check_derived(
            files, entries, generation, rebuilt=read.rebuilt(), in_time_order=False
        )
        if not as_added.problems:
            derived, added_order = as_added, True
    problems += [Problem(**finding._asdict()) for finding in derived.problems]
    media = media or MediaStore(files.storage, location=files.location)
    media_check = media.check()
    problems += [Problem(path=path, problem=problem) for path, problem in media_check.problems]
    orphans = sorted(raw - by_sha.keys())
    unrecorded = set(recover.unrecorded(files, log, orphans, generation)) if format >= 3 else set()
    return VerifyReport(
        ok=not problems,
        captures=len(entries),
        raw_files=len(raw),
        snapshots=derived.snapshots,
        documents=derived.documents,
        tweets=derived.tweets,
        format=format,
        problems=tuple(problems),
        ahead=tuple(Problem(**finding._asdict()) for finding in derived.ahead),
        orphans=tuple(  # raw captures no readable log line names
            Problem(path=layout.raw_path(sha), problem=recover.ORPHANED)
            for sha in orphans
            if sha not in unrecorded
        ),
        unrecorded=tuple(layout.raw_path(sha) for sha in orphans if sha in unrecorded),
        pending=tuple(pending),
        dead_pointers=tuple(dead),
        media_files=media_check.files,
        unindexed=tuple(media_check.unindexed),
        set_aside=tuple(media_check.set_aside),
        temporary=tuple(files.temporaries()),
        added_order=added_order,
    )


def _out_of_order(entries: list[CaptureEntry]) -> bool:
    """True when a capture in the log is older than one logged before it."""
    newest = None
    for entry in entries:
        if newest is not None and entry.time < newest:
            return True
        newest = entry.time if newest is None else max(newest, entry.time)
    return False


def _verify_captures(
    files: StoreFiles,
    log: CaptureLog,
    entries: list[CaptureEntry],
    by_sha: dict[str, list[str]],
    problems: list[Problem],
) -> tuple[list[str], list[str]]:
    """Format 3: every capture object against the log lines, as ``entries`` says them (each
    line that names one: it exists, unless the line says an unchanged capture, which may have
    been logged at once without one, and says the same capture; each other one: pending).
    The pending captures (their raw bodies are added to ``by_sha``: not orphans) and the dead
    pointers."""
    from threadkeep.archive import merger

    named = {entry.capture: entry for entry in entries if entry.capture is not None}
    objects = set(merger.capture_objects(files))
    pending = []
    for key in sorted(objects):
        path = layout.capture_path(key)
        try:
            capture = PendingCapture.model_validate_json(files.storage.read(path))
        except (ValidationError, FileNotFoundError) as exc:
            problems.append(Problem(path=path, problem=f"capture object unreadable ({exc})"))
            continue
        line = named.get(key)
        if line is None:
            pending.append(key)
            if capture.sha256 is not None:
                by_sha[capture.sha256].append(f"pending capture {key}")
        elif (line.time, line.sha256, line.url) != (capture.time, capture.sha256, capture.url):
            problems.append(
                Problem(
                    path=path,
                    problem="the log line that names this capture object says another capture",
                    captures=(_describe(line),),
                )
            )
    for key, line in named.items():
        # An unchanged capture logged at once (the lock free, nothing pending) has no capture
        # object: its line holds all one would (docs/format.md); any other line names one.
        if key not in objects and line.outcome != "unchanged":
            problems.append(
                Problem(
                    path=layout.capture_path(key),
                    problem="capture object missing (a log line names it)",
                    captures=(_describe(line),),
                )
            )
    inbox = merger.pending(files, log.read())
    return pending, list(inbox.dead)


def _verify_raw(
    files: StoreFiles, by_sha: dict[str, list[str]], problems: list[Problem]
) -> set[str]:
    """Check every raw capture's hash; the hashes of those on disk."""
    seen = set()
    for path in files.raw_paths():
        name = layout.raw_sha(path)
        seen.add(name)
        try:
            files.raw_at(path)
        except DamagedFile as exc:
            problems.append(
                Problem(path=path, problem=exc.problem, captures=tuple(by_sha.get(name, ())))
            )
    for sha, captures in by_sha.items():
        if sha not in seen:
            problems.append(
                Problem(
                    path=layout.raw_path(sha),
                    problem="raw capture missing",
                    captures=tuple(captures),
                )
            )
    return seen


class ReparseReport(BaseModel):
    """What ``reparse`` replayed, into which generation, and what still fails to parse."""

    model_config = ConfigDict(frozen=True)

    generation: int
    replayed: int
    failed: tuple[str, ...] = ()
    documents: int = 0
    emptied: tuple[str, ...] = ()
    """Captures that made a document before and now parse to a result with no tweets: their
    raw capture stays, but the rebuilt generation has no document for them."""


def reparse(files: StoreFiles, log: CaptureLog) -> ReparseReport:
    """Rebuild every derived record from the raw captures with today's parsers.

    The records go into the generation after the one in use, which the store then switches
    to; the report names it, for the caller to read from. The generation in use is read
    under the lock, and the lock is held from reading the log to the switch, so no capture
    can be logged in between: a capture waiting for the lock then writes into the new
    generation. The store is format 2 afterwards, whatever it was.
    """
    failed: list[str] = []
    emptied: list[str] = []
    documents: set[str] = set()
    replayed = 0
    with files.lock():
        generation = files.generation()  # under the lock: another process may have switched it
        read = _read_log(files, log, generation, None)
        new = _start_generation(files, generation)
        for at, line, entry in read.in_time_order():
            if entry.sha256 is None:
                continue
            try:
                result = parse(files.raw(entry.sha256), url=entry.url, source=entry.url)
            except ParseError as exc:
                failed.append(f"{_describe(entry)}: {exc.reason}")
                read.made[at] = ("failed", None, entry.kind)
                continue
            applied = apply(files, result, sha=entry.sha256, at=entry.time, generation=new)
            read.made[at] = (applied.outcome, applied.document, applied.kind)
            if applied.document is not None:
                documents.add(applied.document)
            elif line.document is not None:  # its line says it made one, it makes none
                emptied.append(_describe(entry))
            replayed += 1
        read.save(files, new)
        files.switch_generation(new)
    return ReparseReport(
        generation=new,
        replayed=replayed,
        failed=tuple(failed),
        documents=len(documents),
        emptied=tuple(emptied),
    )


def upgrade(files: StoreFiles, log: CaptureLog) -> int | None:
    """Upgrade an older store to format 3; the generation it is in then, or None when it was
    format 3 already.

    Format 1: the raw captures and the log are the same in every format: every logged
    capture is replayed into a new generation of records, as ``repair`` does (a capture
    whose raw body is damaged or no longer parses is rebuilt from its format 1 snapshot),
    and the store file is switched to it in one atomic write, under the lock. The format 1
    generation stays on disk. Orphaned raw captures are left to ``verify --repair``.

    Format 2: nothing is copied. ``captures.jsonl`` and ``media.jsonl`` are frozen (never
    written again: the journals continue them, every offset stays valid) and the store file
    says format 3, in one atomic write under the lock: the commit point.
    """
    if files.format() >= FORMAT:
        return None
    with files.lock():
        format, generation = files.info()
        if format >= FORMAT:  # another process upgraded it meanwhile
            return None
        if format != FORMAT_1:
            files.switch_generation(generation)
            return generation
        read = _read_log(files, log, generation, [])  # verify reports damaged lines
        new = _start_generation(files, generation)
        _rebuild(files, read, old=generation, new=new)
        read.save(files, new)
        files.switch_generation(new)
    return new


def _start_generation(files: StoreFiles, generation: int) -> int:
    """The generation after ``generation``, emptied of an interrupted rebuild's leftovers."""
    files.clear_generation(generation + 1)
    return generation + 1


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
    recovered: tuple[str, ...] = ()
    """Orphaned raw captures recorded again, each described (:mod:`~threadkeep.archive.recover`)."""
    temporary: tuple[str, ...] = ()
    """Temporary files killed writers left, removed (under the lock: no live writer's)."""
    media_indexed: tuple[str, ...] = ()
    """Media files a copy cut short left unindexed, indexed (origin ``recovered``)."""
    media_set_aside: tuple[tuple[str, str], ...] = ()
    """Damaged media files moved aside: ``(path, where its bytes are kept)``; ``threadkeep
    media`` fetches them again (:mod:`~threadkeep.archive.media_repair`)."""
    media_lines_set_aside: tuple[str, ...] = ()
    """Damaged lines of the media index (``<file> line <n>``), kept in ``media.jsonl.damaged``
    and passed over from then on; the files they may have named are indexed again
    (``media_indexed``)."""
    merged: int = 0
    """Format 3: pending captures merged (before anything else was looked at)."""


def repair(
    files: StoreFiles, log: CaptureLog, generation: int, *, media: MediaStore | None = None
) -> RepairReport:
    """Rebuild the derived files from the raw captures and the log; never rewrite either.

    Like :func:`reparse`, into a new generation (the damaged one stays on disk). A capture
    whose raw body is damaged or missing, or no longer parses, is rebuilt from its snapshot
    in the current generation when that snapshot is intact, so that nothing is lost.
    """
    media = media or MediaStore(files.storage, location=files.location)
    before = verify(files, log, generation, media=media)
    merged = 0
    if before.pending or before.dead_pointers:
        merged = merge_pending(files, log)
        generation = files.generation()
        before = verify(files, log, generation, media=media)
    aside = MediaSetAside()
    if any(_is_media(problem.path) for problem in before.problems):
        with files.lock():
            aside = set_aside_damage(media)
        before = verify(files, log, generation, media=media)
    indexed: list[str] = []
    if before.unindexed:
        with files.lock():
            unindexed = media.check().unindexed  # under the lock: no copy is under way
            indexed = media.index_unindexed(unindexed, at=datetime.now(UTC))
    said = RepairReport(
        ok=True,
        media_indexed=tuple(indexed),
        media_set_aside=tuple(aside.files),
        media_lines_set_aside=tuple(aside.lines),
        merged=merged,
    )
    if before.ok and not before.ahead and not before.orphans and not before.added_order:
        with files.lock():
            return said.model_copy(update={"temporary": tuple(files.drop_temporaries())})
    with files.lock():
        generation = files.generation()  # under the lock: another process may have switched it
        read = _read_log(files, log, generation, [])  # verify reports damaged lines
        new = _start_generation(files, generation)
        lost, from_snapshots = _rebuild(files, read, old=generation, new=new)
        logged = [entry.sha256 for entry in read.entries() if entry.sha256]
        recovered = recover.recover(
            files, log, logged, old=generation, new=new, only_named=files.format() >= FORMAT
        )
        if recovered:  # they may be older than other captures: all merged again, in time order
            read = _read_log(files, log, generation, [])
            new = _start_generation(files, generation)
            lost, from_snapshots = _rebuild(files, read, old=generation, new=new)
        read.save(files, new)
        files.switch_generation(new)
        temporary = files.drop_temporaries()
    after = verify(files, log, new, media=media)
    damage = (*before.problems, *before.ahead)
    return said.model_copy(
        update={
            "ok": after.ok and not lost,
            "generation": new,
            "repaired": tuple(p for p in damage if not layout.is_source(p.path)),
            "unrepaired": (*after.problems, *lost),
            "from_snapshots": tuple(from_snapshots),
            "recovered": tuple(map(recover.describe, recovered)),
            "temporary": tuple(temporary),
        }
    )


def _is_media(path: str) -> bool:
    return path == layout.MEDIA_INDEX or path.startswith(
        (f"{layout.MEDIA}/", f"{layout.MEDIA_JOURNAL}/")
    )


def merge_pending(files: StoreFiles, log: CaptureLog) -> int:
    """Format 3: merge every pending capture, under the lock (a capture object whose pointer
    a merge removed, its writer paused past :data:`~threadkeep.archive.merger.DEAD_POINTER`,
    is pointed at again first); how many were merged."""
    from threadkeep.archive import merger, order

    with files.lock():
        named = merger.logged_keys(log.read())
        for key in merger.capture_objects(files):
            if key not in named and not files.storage.exists(layout.inbox_path(key)):
                files.storage.create(layout.inbox_path(key), b"1970-01-01T00:00:00+00:00")
        merged = merger.merge(
            files, log, order.place, locked=True, parse=lambda d, url: parse(d, url=url, source=url)
        )
        return merged.count


def _rebuild(
    files: StoreFiles, read: _LogRead, *, old: int, new: int
) -> tuple[list[Problem], list[str]]:
    """Replay the log into generation ``new``: the captures lost, those from snapshots."""
    lost: list[Problem] = []
    from_snapshots: list[str] = []
    for at, _, entry in read.in_time_order():
        if entry.sha256 is None:
            continue
        result = parsed(files, entry)
        if result is None and entry.outcome not in ("failed", "empty"):  # those made nothing
            result = _from_snapshot(files, entry, old)
            if result is None:
                lost.append(
                    Problem(
                        path=layout.raw_path(entry.sha256),
                        problem="capture not rebuilt: its raw body is unreadable and no "
                        "intact snapshot of it is left",
                        captures=(_describe(entry),),
                    )
                )
                continue
            from_snapshots.append(_describe(entry))
        if result is not None:
            applied = apply(files, result, sha=entry.sha256, at=entry.time, generation=new)
            read.made[at] = (applied.outcome, applied.document, applied.kind)
    return lost, from_snapshots


Made = tuple[Outcome, str | None, str | None]
"""What a rebuild made of a log line: its outcome, document and kind."""


@dataclass
class _LogRead:
    """The log as a rebuild reads it: each readable line with its offset, as the line says
    and as the generation in use reads it; where the lines it read end; what it made of each."""

    end: int
    lines: list[tuple[int, CaptureEntry, CaptureEntry]]
    made: dict[int, Made] = field(default_factory=dict)

    def in_time_order(self) -> list[tuple[int, CaptureEntry, CaptureEntry]]:
        """The readable lines in the order their captures are merged: by capture time, ties
        in the order of the log (:mod:`~threadkeep.archive.order`)."""
        return sorted(self.lines, key=lambda line: (line[2].time, line[0]))

    def entries(self) -> list[CaptureEntry]:
        """Every readable line, as the generation in use reads it."""
        return [entry for _, _, entry in self.lines]

    def rebuilt(self) -> int:
        """How many of the readable lines the rebuild that made the generation read."""
        return sum(1 for at, _, _ in self.lines if at < self.end)

    def save(self, files: StoreFiles, generation: int) -> None:
        """Write into ``generation`` (before the store switches to it) how far the rebuild read
        the log, and each line it read otherwise than the line says."""
        otherwise = []
        for at, line, entry in self.lines:
            outcome, document, kind = self.made.get(at, (entry.outcome, entry.document, entry.kind))
            if (outcome, document) != (line.outcome, line.document):
                read = ReadOtherwise(offset=at, outcome=outcome, document=document, kind=kind)
                otherwise.append(read)
        record = RebuildRecord(log_offset=self.end, read=otherwise)
        files.save_rebuild(record, generation)


def _read_log(
    files: StoreFiles,
    log: CaptureLog,
    generation: int,
    problems: list[Problem] | None,
    *,
    check: bool = False,
) -> _LogRead:
    """Every log line that can be read, as ``generation`` reads it (its rebuild file); each
    damaged one is reported in ``problems`` and skipped (None: raises :class:`CorruptStore`).
    ``check``: a damaged or missing rebuild file of the generation is reported too."""
    data = log.read()
    record = _rebuild_record(files, generation, problems if check else None)
    reading = Reading(record)
    read = _LogRead(end=read_up_to(data), lines=[])
    for at, item in lines(data):
        if isinstance(item, DamagedLine):
            path, number = log.journal.where(data, at)
            if problems is None:
                said = f"{path} line {number} is damaged ({item.detail})"
                raise CorruptStore(said, path=path)
            problems.append(
                Problem(
                    path=path,
                    problem=f"line {number} is damaged ({item.detail}): its "
                    "capture cannot be replayed",
                )
            )
        else:
            read.lines.append((at, item, reading.entry(at, item)))
    if check and record is not None and problems is not None:
        _check_offsets(record, read, generation, problems)
    return read


def _rebuild_record(
    files: StoreFiles, generation: int, problems: list[Problem] | None
) -> RebuildRecord | None:
    """The rebuild file of ``generation``: None when there is none or it is damaged (reported
    in ``problems`` when given, with one missing from a generation a rebuild made)."""
    path = layout.rebuild_path(generation)
    try:
        record = files.rebuild(generation)
    except DamagedFile as exc:
        if problems is not None:
            problems.append(Problem(path=path, problem=exc.problem))
        return None
    if record is None and generation > 1 and problems is not None:
        problem = "rebuild file missing: the rebuild that made this generation writes one"
        problems.append(Problem(path=path, problem=problem))
    return record


def _check_offsets(
    record: RebuildRecord, read: _LogRead, generation: int, problems: list[Problem]
) -> None:
    """Report a rebuild file naming a place in the log where no readable line starts."""
    starts = {at for at, _, _ in read.lines}
    wrong = [line.offset for line in record.read if line.offset not in starts]
    if record.log_offset > read.end or wrong:
        problem = (
            f"names lines the log does not have (offsets {', '.join(map(str, wrong))})"
            if wrong
            else f"says the rebuild read {record.log_offset} bytes of the log, which holds "
            f"{read.end}"
        )
        problems.append(Problem(path=layout.rebuild_path(generation), problem=problem))


def _from_snapshot(files: StoreFiles, entry: CaptureEntry, generation: int) -> Result | None:
    """The capture's content from an intact stored snapshot, or None.

    The log names the snapshot a capture wrote; an unchanged capture wrote none, and takes
    its document's latest snapshot at or before it.
    """
    candidates = [entry.snapshot] if entry.snapshot else []
    if entry.document:
        old = files.format() == FORMAT_1
        try:
            document: DocumentRecord | StoredDocument | None = (
                files.document_as(entry.document, generation, DocumentRecord)
                if old
                else files.document(entry.document, generation)
            )
        except ArchiveError:
            document = None
        if document is not None:
            earlier = [s for s in document.snapshots if s.captured_at <= entry.time]
            candidates += [s.path for s in reversed(earlier)]
    for path in candidates:
        try:
            result = files.snapshot(path)
        except ArchiveError:
            continue
        if merge.content_hash(result).startswith(layout.snapshot_hash(path)):
            return result
    return None
