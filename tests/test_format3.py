"""Format 3 on the folder (issue 19): the capture log as a journal of packs written once,
captures written without the lock and merged by the lock holder, many writers at once.

The store made by the last format 2 threadkeep (``fixtures/stores/format2``: real Thread
Reader pages, an unchanged copy, an edited copy with removals, one added out of time order,
a failure, a media file) is upgraded in place: every offset and record stays. Four spawned
processes write 25 captures each (new, unchanged, edited and removal variants of the real
2020 @QuinnyPig page and of a constructed thread, at out-of-order capture times) into one
store, merging as they go or not at all (then one ``verify --repair`` merges them); the
records are those one process makes adding the same captures in the final log's order.
Mergers are SIGKILLed between their records and their pack; a compaction between its pack
and the removal of the packs it holds.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.test_archive_order import URL, edited, first_tweets, records, without
from threadkeep.archive import Archive, LocalStorage, layout
from threadkeep.archive.log import Journal, JournalConflict, lines
from threadkeep.archive.records import FORMAT
from threadkeep.errors import CorruptStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")

SMALL = first_tweets(12)
OTHER = (FIXTURES / "constructed" / "tra_numbering_styles.html").read_bytes()
OTHER_URL = "https://threadreaderapp.com/thread/2031282835290730497.html"
START = datetime(2024, 1, 1, tzinfo=UTC)


# -- the storage contract on the folder -----------------------------------------------------


def test_create_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    assert storage.create("a/b/c.json", b"first") is True
    assert storage.create("a/b/c.json", b"second") is False
    assert storage.read("a/b/c.json") == b"first"
    assert list(storage.temporaries()) == []  # the temporary file is gone either way
    for name in ("a/b/a.json", "a/b/d.json", "a/e.json"):
        storage.create(name, b"x")
    assert list(storage.list_after("a", None)) == list(storage.list("a"))
    assert list(storage.list_after("a", "a/b/c.json")) == ["a/b/d.json", "a/e.json"]
    with pytest.raises(FileNotFoundError):
        storage.read("a/missing")


def _create_race(args: tuple[str, int]) -> bool:
    folder, n = args
    return LocalStorage(folder).create("race/one.json", b"%d" % n)


def test_create_from_eight_processes_makes_one_file(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        made = pool.map(_create_race, [(str(tmp_path), n) for n in range(8)])
    assert made.count(True) == 1
    assert (tmp_path / "race" / "one.json").read_bytes() == b"%d" % made.index(True)


# -- the journal ----------------------------------------------------------------------------


def _line(n: int) -> bytes:
    return json.dumps({"n": n}).encode() + b"\n"


def test_a_journal_reads_the_same_bytes_with_and_without_compaction(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.write_atomic("frozen.jsonl", _line(0) + b'{"torn": "li')  # a torn tail: cut
    journal = Journal(storage, "frozen.jsonl", "packs")
    assert journal.torn() == b'{"torn": "li'
    for n in range(1, 151):
        journal.append(_line(n) + (_line(-n) if n % 7 == 0 else b""))
    expected = journal.read()
    assert expected.startswith(_line(0) + _line(1))
    assert journal.torn() is None  # the first pack cut it off, as an append did
    made = journal.compact(at=64)
    assert made == layout.pack_path("packs", 150, 1)
    assert Journal(storage, "frozen.jsonl", "packs").read() == expected
    assert list(storage.list("packs")) == [made]  # the packs it holds removed
    for n in range(151, 217):  # more packs, then a compaction of those past the first
        journal.append(_line(n))
    expected = journal.read()
    journal.compact(at=64)
    assert len(list(storage.list("packs"))) == 2
    assert Journal(storage, "frozen.jsonl", "packs").read() == expected
    journal.append(_line(999))
    assert Journal(storage, "frozen.jsonl", "packs").read() == expected + _line(999)


def test_a_compaction_killed_before_it_removed_the_packs_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    storage = LocalStorage(tmp_path)
    journal = Journal(storage, "captures.jsonl", "journal")
    for n in range(1, 71):
        journal.append(_line(n))
    expected = journal.read()
    script = textwrap.dedent(
        """
        import os, signal, sys
        from threadkeep.archive import LocalStorage
        from threadkeep.archive.log import Journal
        storage = LocalStorage(sys.argv[1])
        storage.remove = lambda path: os.kill(os.getpid(), signal.SIGKILL)  # after its pack
        Journal(storage, "captures.jsonl", "journal").compact(at=64)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert child.returncode == -signal.SIGKILL
    packs = list(storage.list("journal"))
    assert layout.pack_path("journal", 70, 1) in packs and len(packs) == 71  # both kept
    fresh = Journal(storage, "captures.jsonl", "journal")
    assert fresh.read() == expected  # read once: the compacted pack, not the others
    assert [n for n, _ in enumerate(lines(fresh.read()))] == list(range(70))
    fresh.append(_line(71))  # the next pack after the last, compacted or not
    assert fresh.read() == expected + _line(71)
    assert fresh.compact() is None  # nothing to compact: the leftovers are swept
    assert sorted(storage.list("journal")) == [
        layout.pack_path("journal", 70, 1),
        layout.pack_path("journal", 71),
    ]


class _Racing(LocalStorage):
    """A folder where another lock holder writes each pack just before this one does."""

    def create(self, path: str, data: bytes) -> bool:
        if path.startswith("journal/"):
            super().create(path, b'{"other": 1}\n')
        return super().create(path, data)


def test_a_pack_written_by_another_lock_holder_is_never_overwritten(tmp_path: Path) -> None:
    Archive(tmp_path).add(SMALL, url=URL, captured_at=START)
    archive = Archive(tmp_path, storage=_Racing(tmp_path))
    with pytest.raises(JournalConflict, match="another process"):
        archive.add(edited(SMALL), url=URL, captured_at=START + timedelta(hours=1))
    assert archive.storage.read(layout.pack_path(layout.JOURNAL, 2)) == b'{"other": 1}\n'
    assert len(list(archive.storage.list(layout.INBOX))) == 1  # still pending, not lost


def test_a_damaged_line_in_a_pack_is_named_by_its_pack(tmp_path: Path) -> None:
    store = _format2(tmp_path)
    archive = Archive(store)
    archive.add(OTHER, url=OTHER_URL, captured_at=START)
    archive.add(edited(SMALL), url=URL, captured_at=START + timedelta(hours=1))
    pack = store / "journal" / "0000000002.jsonl"
    pack.write_bytes(b"{damaged\n")
    # a reader that opens the store now (a pack is read once a process: the writer holds
    # what it wrote, and its verify reads every pack again)
    with pytest.raises(CorruptStore, match=r"journal/0000000002\.jsonl line 1 is damaged"):
        list(Archive(store).captures())
    report = archive.verify()
    assert [p.path for p in report.problems] == ["journal/0000000002.jsonl"]


def test_a_store_a_newer_threadkeep_raised_is_refused_before_any_write(tmp_path: Path) -> None:
    """A process that has written a store goes on reading its format at every capture: once a
    newer threadkeep has raised it, a capture raises CorruptStore and writes nothing (found by
    review: the format, read once and kept, let captures into a newer store)."""
    store = tmp_path / "store"
    archive = Archive(store)
    archive.add(SMALL, url=URL, captured_at=START)
    info = json.loads((store / "threadkeep-store.json").read_text())
    info["format"] = FORMAT + 1
    (store / "threadkeep-store.json").write_text(json.dumps(info))
    files = sorted(path for path in store.rglob("*") if path.is_file())
    for merge in (False, True):
        with pytest.raises(CorruptStore, match="upgrade threadkeep"):
            archive.add(edited(SMALL), url=URL, captured_at=START + timedelta(hours=1), merge=merge)
    assert sorted(path for path in store.rglob("*") if path.is_file()) == files


# -- migration ------------------------------------------------------------------------------


def _format2(tmp_path: Path) -> Path:
    store = tmp_path / "format2"
    shutil.copytree(FIXTURES / "stores" / "format2", store)
    return store


def test_a_format_2_store_is_read_as_it_is_and_upgraded_by_the_first_write(
    tmp_path: Path,
) -> None:
    store = _format2(tmp_path)
    before = {p: (store / p).read_bytes() for p in ("captures.jsonl", "media.jsonl")}
    archive = Archive(store)
    entries = list(archive.captures())
    old_records = records(archive)
    report = archive.verify()
    assert report.ok and report.format == 2, report.problems
    assert json.loads((store / "threadkeep-store.json").read_text())["format"] == 2  # read only
    offsets = [at for at, _ in archive.log.entries_at()]
    archive.add(OTHER.replace(b"Second point", b"Second point, again"), url=OTHER_URL,
                captured_at=START)  # fmt: skip
    assert archive.files.format() == FORMAT
    for name, data in before.items():
        assert (store / name).read_bytes() == data  # frozen, never written again
    after = [at for at, _ in archive.log.entries_at()]
    assert after[: len(offsets)] == offsets and len(after) == len(offsets) + 1
    assert list(archive.captures())[: len(entries)] == entries
    assert list(storage_packs(store)) == ["journal/0000000001.jsonl"]
    assert (
        records(archive)["documents"]["thread-1215710451343904768"]
        == (old_records["documents"]["thread-1215710451343904768"])
    )
    report = archive.verify()
    assert report.ok and report.format == FORMAT and not report.ahead, report.problems
    assert archive.media(url="https://pbs.twimg.com/media/A.jpg") is not None
    assert archive.reparse().generation == 2 and archive.verify().ok


def storage_packs(store: Path) -> list[str]:
    return sorted(f"journal/{p.name}" for p in (store / "journal").iterdir())


def test_a_torn_tail_of_the_frozen_log_is_recovered_into_the_journal(tmp_path: Path) -> None:
    store = _format2(tmp_path)
    archive = Archive(store)
    page = OTHER.replace(b"Second point", b"Second point, torn")
    sha = hashlib.sha256(page).hexdigest()
    archive.files.keep_raw(sha, page)  # a format 2 capture killed while writing its line
    at = START + timedelta(days=1)
    fields = {"time": at.isoformat(), "url": OTHER_URL, "sha256": sha, "status": 200}
    line = json.dumps(fields, separators=(",", ":"))
    with open(store / "captures.jsonl", "ab") as log:
        log.write(line.encode()[:-3])  # torn in its status: no closing brace, no newline
    assert archive.verify().orphans  # read as format 2, nothing written
    assert json.loads((store / "threadkeep-store.json").read_text())["format"] == 2
    archive.upgrade()
    assert archive.log.torn() == line.encode()[:-3]  # frozen: still there, cut by the reader
    repaired = archive.repair()
    assert repaired.ok and len(repaired.recovered) == 1
    recovered = list(archive.captures())[-1]
    assert (recovered.sha256, recovered.time, recovered.url) == (sha, at, OTHER_URL)
    assert storage_packs(store) == ["journal/0000000001.jsonl"]
    assert archive.log.torn() is None
    report = archive.verify()
    assert report.ok and not report.orphans, report.problems


def test_upgrade_of_a_format_1_store_goes_to_format_3(tmp_path: Path) -> None:
    store = tmp_path / "old"
    shutil.copytree(FIXTURES / "stores" / "0.1.0", store)
    archive = Archive(store)
    assert archive.upgrade() == 2
    assert archive.files.format() == FORMAT
    assert archive.verify().ok
    archive.add(SMALL, url=URL, captured_at=START)
    assert archive.verify().ok


# -- capture without the lock, merge under it -----------------------------------------------


def test_a_capture_without_merge_is_durable_and_merged_by_the_next(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    pending = archive.add(SMALL, url=URL, captured_at=START, merge=False)
    assert pending.outcome == "pending"
    assert list(archive.captures()) == []
    report = archive.verify()
    assert report.ok and len(report.pending) == 1 and not report.orphans
    later = archive.add(edited(SMALL), url=URL, captured_at=START + timedelta(hours=1))
    assert later.outcome == "changed"  # the pending one was merged first, in time order
    assert [e.outcome for e in archive.captures()] == ["new", "changed"]
    assert not list(archive.storage.list(layout.INBOX))
    report = archive.verify()
    assert report.ok and not report.pending, report.problems
    assert all(e.capture for e in archive.captures())


def test_a_pointer_without_its_capture_object_is_removed_once_old(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.add(SMALL, url=URL, captured_at=START)
    young = layout.inbox_path("20240101T000000.000000Z/" + "a" * 64)
    old = layout.inbox_path("20240101T000000.000000Z/" + "b" * 64)
    archive.storage.create(young, datetime.now(UTC).isoformat().encode())
    archive.storage.create(old, b"2024-01-01T00:00:00+00:00")
    report = archive.verify()
    assert report.ok and report.dead_pointers == (old,)
    assert archive.repair().ok
    assert archive.storage.exists(young) and not archive.storage.exists(old)


# -- many writers ---------------------------------------------------------------------------


def _variants() -> list[tuple[bytes, str]]:
    small = [SMALL, edited(SMALL), without(SMALL, 5, 7), edited(without(SMALL, 2, 3)), SMALL]
    other = [OTHER.replace(b"Second point", b"Second point, take %d" % n) for n in range(3)]
    return [(page, URL) for page in small] + [(page, OTHER_URL) for page in [OTHER, *other]]


def workload(writer: int, count: int) -> list[tuple[int, int, int]]:
    """Writer ``writer``'s captures: (variant, minutes after START, writer), in the order it
    adds them; the times of the writers interleave and run backwards now and then."""
    variants = len(_variants())
    out = []
    for n in range(count):
        minutes = (n * 4 + writer) * 10 + (-605 if n % 6 == 5 else 0)  # now and then older
        out.append(((n * 3 + writer) % variants, minutes, writer))
    return out


def _write(args: tuple[str, int, int, bool]) -> int:
    store, writer, count, merge = args
    archive = Archive(store, lock_timeout=300)
    pages = _variants()
    for variant, minutes, _ in workload(writer, count):
        page, url = pages[variant]
        archive.add(page, url=url, captured_at=START + timedelta(minutes=minutes), merge=merge)
    return count


def _oracle(tmp_path: Path, archive: Archive) -> dict[str, Any]:
    """One process adding the same captures, in the order of ``archive``'s log."""
    alone = Archive(tmp_path / "alone")
    for entry in archive.captures():
        assert entry.sha256 is not None
        alone.add(archive.raw(entry.sha256), url=entry.url, captured_at=entry.time)
    return records(alone)


def _run_writers(store: Path, merge: bool, writers: int = 4, count: int = 25) -> None:
    with multiprocessing.get_context("spawn").Pool(writers) as pool:
        done = pool.map(_write, [(str(store), w, count, merge) for w in range(writers)])
    assert sum(done) == writers * count


def test_four_writers_at_once_lose_nothing_and_merge_as_one_would(tmp_path: Path) -> None:
    store = tmp_path / "store"
    Archive(store)
    _run_writers(store, merge=True)
    archive = Archive(store)
    report = archive.verify()
    assert report.ok and not report.pending and not report.ahead, report.problems
    entries = list(archive.captures())
    assert len(entries) == 100 and len({e.capture for e in entries}) == 100
    objects = {
        path.removeprefix(f"{layout.CAPTURES}/").removesuffix(".json")
        for path in archive.storage.list(layout.CAPTURES)
    }
    assert objects <= {e.capture for e in entries}  # every capture object merged, once
    # a line with no capture object is an unchanged capture logged at once (the lock free)
    assert {e.outcome for e in entries if e.capture not in objects} <= {"unchanged"}
    assert not list(archive.storage.list(layout.INBOX))
    assert not list((store / "inbox").iterdir())  # its empty folders pruned too
    assert records(archive) == _oracle(tmp_path, archive)
    thread = archive.thread("1215710451343904768")
    assert thread is not None and any(tweet.removed for tweet in thread.tweets)


def test_writers_that_do_not_merge_are_merged_by_one_repair(tmp_path: Path) -> None:
    store = tmp_path / "store"
    Archive(store)
    _run_writers(store, merge=False, count=12)
    archive = Archive(store)
    report = archive.verify()
    assert report.ok and len(report.pending) == 48 and not report.orphans
    assert list(archive.captures()) == []
    repaired = archive.repair()
    assert repaired.merged == 48 and repaired.ok
    report = archive.verify()
    assert report.ok and not report.pending and not report.ahead, report.problems
    assert len(list(archive.captures())) == 48
    assert records(archive) == _oracle(tmp_path, archive)
    assert len(list(archive.storage.list(layout.JOURNAL))) == 1  # one batch, one pack


# -- a merger killed between its records and its pack ---------------------------------------

KILLED_AT_PACK = textwrap.dedent(
    """
    import os, signal, sys
    from threadkeep.archive import Archive, LocalStorage

    store, at = sys.argv[1], int(sys.argv[2])
    real_create, packs = LocalStorage.create, 0

    def create(self, path, data):
        global packs
        if path.startswith("journal/"):
            packs += 1
            if packs == at:  # killed after every record of the batch, before its pack
                os.kill(os.getpid(), signal.SIGKILL)
        return real_create(self, path, data)

    LocalStorage.create = create
    Archive(store).merge()
    """
)


@pytest.mark.parametrize("rename", [0, 1, 2, 3])
def test_a_merger_killed_between_records_and_pack_merges_again_exactly(
    tmp_path: Path, rename: int
) -> None:
    store = tmp_path / "store"
    archive = Archive(store)
    archive.add(SMALL, url=URL, captured_at=START)
    pages = _variants()
    for n, (page, url) in enumerate(pages[1:6]):  # pending, one of them older than the rest
        at = START + timedelta(hours=n + 1 if n != 3 else -1)
        archive.add(page, url=url, captured_at=at, merge=False)
    if rename:  # killed at a rename of its records instead (records partly written)
        script = KILLED_AT_PACK.replace("LocalStorage.create = create", "")
        script = script.replace(
            "Archive(store).merge()",
            textwrap.dedent(
                f"""
                real_replace, renames = os.replace, 0
                def replace(*args, **kwargs):
                    global renames
                    renames += 1
                    if renames == {rename * 3}:
                        os.kill(os.getpid(), signal.SIGKILL)
                    real_replace(*args, **kwargs)
                os.replace = replace
                Archive(store).merge()
                """
            ),
        )
    else:
        script = KILLED_AT_PACK
    child = subprocess.run(
        [sys.executable, "-c", script, str(store), "1"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert child.returncode == -signal.SIGKILL
    archive = Archive(store)
    report = archive.verify()
    assert report.ok and len(report.pending) == 5, report.problems  # ahead, not damage
    assert archive.merge() == 5
    report = archive.verify()
    assert report.ok and not report.pending and not report.ahead, report.problems
    assert records(archive) == _oracle(tmp_path, archive)


def test_a_long_inbox_is_merged_in_batches_of_a_pack_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadkeep.archive import merger

    archive = Archive(tmp_path / "store")
    pages = _variants()
    for n in range(12):
        page, url = pages[n % len(pages)]
        at = START + timedelta(hours=(n * 7) % 12)  # out of order
        archive.add(page, url=url, captured_at=at, merge=False)
    monkeypatch.setattr(merger, "BATCH", 5)
    assert archive.merge() == 12
    assert len(list(archive.storage.list(layout.JOURNAL))) == 3
    report = archive.verify()
    assert report.ok and not report.pending and not report.ahead, report.problems
    assert records(archive) == _oracle(tmp_path, archive)


def test_a_merge_twice_of_the_same_capture_logs_it_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    first = archive.add(SMALL, url=URL, captured_at=START, merge=False)
    again = archive.add(SMALL, url=URL, captured_at=START, merge=False)  # the same capture
    assert first.sha256 == again.sha256
    assert archive.merge() == 1
    assert archive.merge() == 0
    assert len(list(archive.captures())) == 1


def test_verify_reads_every_pack_from_the_disk_again(tmp_path: Path) -> None:
    """A process keeps the journal's packs it read (they are never rewritten); damage on
    disk since then must still be seen by ``verify`` in that same process."""
    archive = Archive(tmp_path / "store")
    page = (FIXTURES / "threadreader" / "quinnypig_2020_full.html").read_bytes()
    archive.add(page, url="https://threadreaderapp.com/thread/1215710451343904768.html")
    assert archive.verify().ok
    pack = next((tmp_path / "store" / "journal").iterdir())
    pack.write_bytes(pack.read_bytes().replace(b'"time"', b'"tim\x00"', 1))
    report = archive.verify()
    assert not report.ok
    assert any(p.path == f"journal/{pack.name}" for p in report.problems), report.problems


@pytest.mark.parametrize("fixture", ["format2", "0.1.0"])
def test_the_upgrade_command_upgrades_once_and_the_store_verifies(
    tmp_path: Path, fixture: str
) -> None:
    from click.testing import CliRunner

    from threadkeep.cli import cli

    store = tmp_path / "store"
    shutil.copytree(FIXTURES / "stores" / fixture, store)
    before = Archive(store).files.format()
    runner = CliRunner()
    first = runner.invoke(cli, ["upgrade", "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert f"upgraded from format {before} to 3" in first.output
    assert json.loads((store / "threadkeep-store.json").read_text())["format"] == 3
    again = runner.invoke(cli, ["upgrade", "--store", str(store)])
    assert again.exit_code == 0 and "format 3 already; nothing to upgrade" in again.output
    assert Archive(store).verify().ok
    missing = runner.invoke(cli, ["upgrade", "--store", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no threadkeep archive" in missing.output
