"""The derived files checked against what they come from: the capture log and the snapshots.

A hash shows that a file is whole; it cannot show that a whole record is wrong: a tweet's text
edited, a document's tweet list cut, a record deleted, a snapshot's provenance rewritten, a
capture counted that the log does not have. The records of a generation are a function of the
log and of the snapshots, so :func:`check_derived` replays the log, oldest first, through the
merge code that ``add`` and ``reparse`` use (:func:`~threadkeep.archive.apply.apply`) into
memory, never into the store, and compares each record on disk with what it must be.

Each capture's content comes from the snapshot it wrote, else from its raw body (see
:mod:`~threadkeep.archive.replay`), so a generation that ``add``, ``reparse`` or ``repair``
built verifies, whichever parser made its snapshots.

A snapshot's provenance is checked against the log: the raw hash and time in its ``source``
must be a logged capture, and its url the url that capture came from (a capture of a saved
file has none: then the page's own url; threadkeep JSON keeps the source it holds, which a
parse of the raw body confirms). The snapshot of a thread unrolled from an account export (a
*part* of the export's capture) names that capture; the export's own snapshot is the content
the replay reads, and makes the part again.

A record that differs because a capture was cut short (a crash, a full disk) before its log
line, which is written last, is *ahead of the log*, not damage: it names a capture the log
does not have (a document its snapshots' captures, a tweet the captures that changed it).
An unchanged capture cut short wrote nothing but, at most, its raw body: nothing is ahead.

Cost: one read of each snapshot (plus one per capture replayed from it) and of each record, and
one replay of the log without parsing, except for the captures above: linear in the store. The
replayed records are kept in memory compressed (about a third of their size on disk).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from threadkeep.archive import layout, merge
from threadkeep.archive.files import DamagedFile, Result, StoreFiles
from threadkeep.archive.records import CaptureEntry, SnapshotRef, StoredDocument, StoredTweet
from threadkeep.archive.replay import Capture, Replay, describe, parsed
from threadkeep.urls import unarchive
from threadkeep.words import plural

__all__ = ["Checked", "Finding", "check_derived"]

SHOWN = 6
"""At most this many captures are named on a finding's line (the first and last ones)."""


class Finding(NamedTuple):
    """One problem (or capture cut short), as ``verify`` reports it."""

    path: str
    problem: str
    captures: tuple[str, ...] = ()


@dataclass
class Checked:
    """What :func:`check_derived` counted and found."""

    snapshots: int = 0
    documents: int = 0
    tweets: int = 0
    problems: list[Finding] = field(default_factory=list)
    ahead: list[Finding] = field(default_factory=list)


class _Log:
    """The readable log entries, looked up by capture and by raw hash."""

    def __init__(self, entries: list[CaptureEntry]) -> None:
        self.entries = entries
        self.at: dict[Capture, CaptureEntry] = {}
        self.by_sha: dict[str, list[str]] = {}
        self.known: set[Capture] = set()  # each capture, and each time alone (hash "")
        for entry in entries:
            self.known.add((entry.sha256 or "", entry.time))
            self.known.add(("", entry.time))
            if entry.sha256:
                self.at.setdefault((entry.sha256, entry.time), entry)
                self.by_sha.setdefault(entry.sha256, []).append(describe(entry))

    def captures(self, shas: Iterable[str | None]) -> tuple[str, ...]:
        """The logged captures of these raw hashes, oldest first, a few at most."""
        return _few(sorted({c for sha in shas if sha for c in self.by_sha.get(sha, ())}))


def _few(captures: list[str]) -> tuple[str, ...]:
    """The first and last few of many captures, and how many are left out between them."""
    if len(captures) <= SHOWN:
        return tuple(captures)
    half = SHOWN // 2
    return (*captures[:half], f"… {len(captures) - SHOWN} more …", *captures[-half:])


def check_derived(
    files: StoreFiles,
    entries: list[CaptureEntry],
    generation: int,
    *,
    compare: bool = True,
    rebuilt: int = 0,
    in_time_order: bool = True,
) -> Checked:
    """Check every snapshot and record of ``generation`` against the log ``entries`` (as the
    generation reads them: its rebuild file applied).

    ``compare=False`` (a format 1 store, whose records the replay cannot build) checks the
    snapshots and only counts the records. The first ``rebuilt`` entries are those the
    rebuild that made the generation read: one its captures make into another document than
    the rebuild file says is damage to that file. ``in_time_order=False`` replays the log in
    the order of its lines, as threadkeep merged captures before issue 17.
    """
    log = _Log(entries)
    checked = Checked()
    index, unlogged = _snapshots(files, generation, log, checked)
    if not compare:
        checked.documents = sum(1 for _ in files.document_paths(generation))
        checked.tweets = sum(1 for _ in files.tweet_paths(generation))
        return checked
    replay = Replay(files, index, generation, in_time_order=in_time_order)
    replay.run(log.entries, rebuilt=rebuilt)
    for entry, made in replay.misread:
        problem = (
            f"reads the capture as {entry.outcome} of {entry.document or 'no document'}; "
            f"it makes {made or 'no document'}"
        )
        path = layout.rebuild_path(generation)
        checked.problems.append(Finding(path, problem, (describe(entry),)))
    referenced = _compare(files, replay, log, generation, checked)
    for path, result in unlogged:  # no logged capture wrote them: a capture cut short, unless
        ref = referenced.get(path)  # their document lists them as another capture's
        if ref is not None and _named_capture(result) != (ref.raw_sha256, ref.captured_at):
            checked.problems.append(_forged(path, result, ref, log))
    return checked


# -- snapshots -------------------------------------------------------------------------------


def _snapshots(
    files: StoreFiles, generation: int, log: _Log, checked: Checked
) -> tuple[dict[Capture, str], list[tuple[str, Result]]]:
    """Check each snapshot; the intact ones by capture, and those no logged capture wrote."""
    index: dict[Capture, str] = {}
    unlogged: list[tuple[str, Result]] = []
    for path in files.snapshot_paths(generation):
        checked.snapshots += 1
        try:
            result = files.snapshot(path)
        except DamagedFile as exc:
            checked.problems.append(Finding(path, exc.problem))
            continue
        source = result.source
        raw = source.sha256 if source else None
        if not merge.content_hash(result).startswith(layout.snapshot_hash(path)):
            problem = "snapshot content does not match its hash"
            checked.problems.append(Finding(path, problem, log.captures([raw])))
            continue
        entry = _writer(result, log)
        if entry is None:  # a capture cut short wrote it, or its source was rewritten
            unlogged.append((path, result))
            continue
        if source is not None and source.kind == "export" and not _own(path, entry):
            continue  # a thread of an export, its part: the export's snapshot is its content
        wrong = _provenance(files, result, entry)
        if wrong is not None:
            checked.problems.append(Finding(path, wrong, (describe(entry),)))
            continue
        index[(entry.sha256 or "", entry.time)] = path
    return index, unlogged


def _own(path: str, entry: CaptureEntry) -> bool:
    """True when snapshot ``path`` is of the document its capture's log line names (not a
    part of an export's capture: one of its threads)."""
    return layout.snapshot_document(path) == entry.document


def _named_capture(result: Result) -> tuple[str | None, datetime | None]:
    """The capture a snapshot's source names: its raw hash and time."""
    source = result.source
    return (source.sha256, source.captured_at) if source else (None, None)


def _writer(result: Result, log: _Log) -> CaptureEntry | None:
    """The logged capture a snapshot's source names, or None."""
    sha, at = _named_capture(result)
    return log.at.get((sha, at)) if sha and at else None


def _provenance(files: StoreFiles, result: Result, entry: CaptureEntry) -> str | None:
    """Why the snapshot's source url is not its capture's, or None when it is."""
    source = result.source
    assert source is not None
    wanted = unarchive(entry.url) if entry.url else result.url
    if source.url == wanted:
        return None
    again = parsed(files, entry)  # threadkeep JSON keeps the source it holds: ask the body
    if again is not None and again.source is not None:
        if (again.source.url, again.source.kind) == (source.url, source.kind):
            return None
        wanted = again.source.url
    return f"snapshot's source url is not the url its capture came from ({wanted})"


def _forged(path: str, result: Result, ref: SnapshotRef, log: _Log) -> Finding:
    """A snapshot whose source names no logged capture, listed as another capture's."""
    problem = (
        f"snapshot's source names a capture the log does not have "
        f"({_capture_words(*_named_capture(result))}), yet its document lists it as the "
        f"snapshot of {_capture_words(ref.raw_sha256, ref.captured_at)}: its source was rewritten"
    )
    entry = log.at.get((ref.raw_sha256 or "", ref.captured_at))
    return Finding(path, problem, (describe(entry),) if entry else ())


def _capture_words(sha: str | None, at: datetime | None) -> str:
    """A capture the log may not have, in a report's words: raw hash (its start) and time."""
    short = sha[:12] if sha and sha[:12].isalnum() and sha.isascii() else ascii(sha)
    raw = f"raw {short}" if sha else "no raw capture"  # a damaged file's words, kept printable
    return f"{raw} at {at.isoformat()}" if at else raw


# -- the comparison --------------------------------------------------------------------------


def _compare(
    files: StoreFiles, replay: Replay, log: _Log, generation: int, checked: Checked
) -> dict[str, SnapshotRef]:
    """Compare every record on disk with the replay's; the snapshots documents list."""
    referenced: dict[str, SnapshotRef] = {}
    expected = set(replay.memory.storage.list(layout.generation_folder(generation)))
    for path in files.document_paths(generation):
        expected.discard(path)
        checked.documents += 1
        document = _check(files, replay, log, path, StoreFiles.document_at, checked)
        if isinstance(document, StoredDocument):
            referenced.update((ref.path, ref) for ref in document.snapshots)
            _snapshots_present(files, document, checked)
    for path in files.tweet_paths(generation):
        expected.discard(path)
        checked.tweets += 1
        _check(files, replay, log, path, StoreFiles.tweet_at, checked)
    for path in sorted(expected):
        want = _expected(replay, path)
        if want is not None and not _unknown(replay, want):
            problem = f"{_name(want)} missing: the log's captures make it"
            checked.problems.append(Finding(path, problem, _captures(replay, log, want)))
    return referenced


Read = Callable[[StoreFiles, str], "StoredDocument | StoredTweet"]


def _check(
    files: StoreFiles, replay: Replay, log: _Log, path: str, read: Read, checked: Checked
) -> StoredDocument | StoredTweet | None:
    """Compare one record with the replay's; the record (a tweet the same as its replay's, or
    one that cannot be read: None)."""
    with contextlib.suppress(OSError):  # the same bytes: the same record, read cheaply
        if replay.memory.storage.read(path) == files.storage.read(path):
            return read(replay.memory, path) if read is StoreFiles.document_at else None
    want = _expected(replay, path)
    try:
        record = read(files, path)
    except DamagedFile as exc:
        owners = _captures(replay, log, want) if want is not None else ()
        checked.problems.append(Finding(path, exc.problem, owners))
        return None
    except FileNotFoundError:  # removed since it was listed (a rebuild cleared it)
        return None
    if record != want and not _unknown(replay, record):
        _differs(record, want, replay, log, path, checked)
    return record


def _differs(
    record: StoredDocument | StoredTweet,
    want: StoredDocument | StoredTweet | None,
    replay: Replay,
    log: _Log,
    path: str,
    checked: Checked,
) -> None:
    """Report a record that differs from the replay's: ahead of the log, or damage."""
    ahead = _ahead(record, want, log)
    if ahead is not None:
        checked.ahead.append(Finding(path, ahead))
        return
    if want is None:  # its own words (its key) are not repeated: they may be anything
        problem = "record made by no capture in the log"
        checked.problems.append(Finding(path, problem, _captures(replay, log, record)))
        return
    changes = "; ".join(_change(name, record, want) for name in _fields(record, want))
    problem = f"{_name(want)} differs from what its captures make ({changes})"
    checked.problems.append(Finding(path, problem, _captures(replay, log, want)))


def _ahead(
    record: StoredDocument | StoredTweet, want: StoredDocument | StoredTweet | None, log: _Log
) -> str | None:
    """Why ``record`` is ahead of the log (a capture cut short), or None when it is not."""
    unlogged = sorted(_named(record) - log.known)
    if unlogged:
        names = ", ".join(
            _capture_words(sha, at) if sha else f"at {at.isoformat()}" for sha, at in unlogged
        )
        return (
            f"names {plural(len(unlogged), 'capture')} the log does not have ({names}): "
            "a capture cut short"
        )
    return None


def _named(record: StoredDocument | StoredTweet) -> set[tuple[str, datetime]]:
    """The captures a record names: raw hash and time, or a time alone ("" for the hash)."""
    if isinstance(record, StoredDocument):
        return {(r.raw_sha256 or "", r.captured_at) for r in record.snapshots}
    named = {(c.sha256 or "", c.time) for c in record.changes}
    return named | ({("", record.removed_at)} if record.removed_at is not None else set())


def _fields(record: StoredDocument | StoredTweet, want: StoredDocument | StoredTweet) -> list[str]:
    return [
        name for name in type(record).model_fields if getattr(record, name) != getattr(want, name)
    ]


def _change(name: str, record: object, want: object) -> str:
    """One difference, in a few printable words (never the stored text itself)."""
    found, wanted = getattr(record, name), getattr(want, name)
    if isinstance(found, (list, dict)) and isinstance(wanted, (list, dict)):
        if len(found) != len(wanted):
            return f"{name}: {len(found)} instead of {len(wanted)}"
    elif isinstance(found, (int, datetime)) and isinstance(wanted, (int, datetime)):
        return f"{name}: {found} instead of {wanted}"
    return f"{name} differs"


def _name(record: StoredDocument | StoredTweet) -> str:
    return f"document {record.key}" if isinstance(record, StoredDocument) else f"tweet {record.key}"


def _captures(replay: Replay, log: _Log, record: StoredDocument | StoredTweet) -> tuple[str, ...]:
    """The logged captures a record is made of."""
    if isinstance(record, StoredDocument):
        return _few(replay.made_by.get(record.key, []))
    return log.captures(c.sha256 for c in record.changes)


def _expected(replay: Replay, path: str) -> StoredDocument | StoredTweet | None:
    try:
        if path.startswith(layout.documents_folder(replay.generation) + "/"):
            return replay.memory.document_at(path)
        return replay.memory.tweet_at(path)
    except FileNotFoundError:
        return None


def _unknown(replay: Replay, record: StoredDocument | StoredTweet) -> bool:
    """True when a capture of the record's document could not be replayed: not compared."""
    if isinstance(record, StoredDocument):
        return record.key in replay.unknown
    return any(key in replay.unknown for key in record.documents)


def _snapshots_present(files: StoreFiles, record: StoredDocument, checked: Checked) -> None:
    for ref in record.snapshots:
        if not files.has(ref.path):
            checked.problems.append(Finding(ref.path, f"snapshot of {record.key} missing"))
