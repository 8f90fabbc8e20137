"""The archive under faults: a full disk mid-capture, damaged files, and ``verify --repair``.

Nothing once captured is lost: a write that fails leaves the store valid and says so, and
``repair`` rebuilds every derived file from the raw captures and the log without touching
either.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import threadkeep
from tests.conftest import fixture_bytes, read_log, rewrite_log
from threadkeep.archive import Archive
from threadkeep.cli import cli

# A small thread (6 tweets), so that a full disk can be tried at every write of a capture.
URL = "https://threadreaderapp.com/thread/2031282835290730497.html"
ROOT_TWEET = "2031282835290730497"
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def first_page() -> bytes:
    return fixture_bytes("constructed/tra_numbering_styles.html")


def later_page() -> bytes:
    """The same thread a day later: the third tweet gone, the second edited."""
    page = re.sub(rb'<div id="tweet_3".*?</div>', b"", first_page(), count=1, flags=re.S)
    return page.replace(b"Second point: links rot", b"Second point: links die")


def view(store: Path) -> Any:
    merged = Archive(store).thread(ROOT_TWEET)
    assert merged is not None
    return merged.model_dump()


def sources(store: Path) -> dict[str, bytes]:
    """The source of truth, byte for byte: every raw capture and the log."""
    found = {p.relative_to(store).as_posix(): p.read_bytes() for p in store.glob("raw/*/*")}
    found["captures.jsonl"] = read_log(store)  # format 3: the frozen log, then the journal
    return found


def content(store: Path) -> list[tuple[object, ...]]:
    """The thread as it stands: each tweet's id, text and whether it is removed."""
    merged = Archive(store).thread(ROOT_TWEET)
    assert merged is not None
    return [(tweet.id, tweet.text, tweet.removed) for tweet in merged.tweets]


NOT_RECORDED = "was not recorded and the store is still valid"
KEPT = "is kept"  # format 3: the capture object was written: the capture is durable


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stores made without faults: the first capture alone, and both captures."""
    first = tmp_path_factory.mktemp("first")
    Archive(first).add(first_page(), url=URL, captured_at=T0)
    both = tmp_path_factory.mktemp("both")
    shutil.copytree(first, both, dirs_exist_ok=True)
    Archive(both).add(later_page(), url=URL, captured_at=T1)
    return {"first": first, "both": both}


@contextmanager
def disk_full_at(write: int) -> Iterator[Callable[[], int]]:
    """Make the ``write``-th file write of the storage fail with ENOSPC (rename, append, or a
    ``create``'s link)."""
    real_replace, real_write, real_link = os.replace, os.write, os.link
    count = 0

    def failing(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal count
            count += 1
            if count == write:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)

        return call

    os.replace, os.write = failing(real_replace), failing(real_write)  # type: ignore[assignment]
    os.link = failing(real_link)
    try:
        yield lambda: count
    finally:
        os.replace, os.write = real_replace, real_write  # type: ignore[assignment]
        os.link = real_link


def writes_of_second_capture(reference: dict[str, Path], tmp_path: Path) -> int:
    store = tmp_path / "count"
    shutil.copytree(reference["first"], store)
    with disk_full_at(10**9) as count:
        Archive(store).add(later_page(), url=URL, captured_at=T1)
        return count()


def test_disk_full_at_every_write_of_a_capture_loses_nothing(
    reference: dict[str, Path], tmp_path: Path
) -> None:
    total = writes_of_second_capture(reference, tmp_path)
    # raw body, inbox pointer, capture object, snapshot, tweet records, document, log pack
    assert total >= 7
    for write in range(1, total + 1):
        store = tmp_path / f"full-{write}"
        shutil.copytree(reference["first"], store)
        before = sources(store)
        with disk_full_at(write), pytest.raises(threadkeep.ArchiveError) as caught:
            Archive(store).add(later_page(), url=URL, captured_at=T1)
        message = str(caught.value)
        assert "disk full while writing" in message
        kept = KEPT in message  # the capture object was written: pending, merged by repair
        assert kept or f"the capture of {URL} {NOT_RECORDED}" in message, message
        assert write > 3 if kept else write <= 3, (write, message)
        assert "\n" not in message

        archive = Archive(store)
        report = archive.verify()
        assert report.ok, (write, report.problems)  # valid, as the message says
        assert [c.time for c in archive.captures()] == [T0]  # the log has the first capture
        assert len(report.pending) == kept
        for path, data in before.items():  # and everything the first capture stored
            if path != "captures.jsonl":
                assert (store / path).read_bytes() == data

        repaired = archive.repair()  # records the cut-short capture touched: rebuilt
        assert repaired.ok, (write, repaired.unrepaired)
        if kept:
            assert view(store) == view(reference["both"]), write
        elif not report.orphans:  # (a body left behind is recorded, format 3 removes none)
            assert view(store) == view(reference["first"]), write
        assert not Archive(store).verify().ahead

        Archive(store).add(later_page(), url=URL, captured_at=T1)  # space again: capture
        assert content(store) == content(reference["both"]), write
        assert Archive(store).verify().ok, write


@contextmanager
def io_error_at_sync(sync: int) -> Iterator[Callable[[], int]]:
    """Make the ``sync``-th ``fsync`` fail with EIO. A batch syncs from a few threads at once:
    they are counted under a lock."""
    real_fsync, count, guard = os.fsync, 0, threading.Lock()

    def fsync(descriptor: int) -> None:
        nonlocal count
        with guard:
            count += 1
            failing = count == sync
        if failing:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(descriptor)

    os.fsync = fsync
    try:
        yield lambda: count
    finally:
        os.fsync = real_fsync


def test_an_io_error_at_every_sync_of_a_capture_loses_nothing(
    reference: dict[str, Path], tmp_path: Path
) -> None:
    """Every sync of a capture fails in turn (the raw body's, each file and folder of the batch
    of its snapshot and records, the document record's): the capture is not recorded, no
    half-written or temporary file is left, the store verifies, and repair then a capture
    again give what a capture that never failed gives."""
    store = tmp_path / "count"
    shutil.copytree(reference["first"], store)
    with io_error_at_sync(10**9) as count:
        Archive(store).add(later_page(), url=URL, captured_at=T1)
        total = count()
    assert total >= 10  # the raw body and its folder, the batch, the log line
    for sync in range(1, total):  # the last one is the log line's: see test_archive_log_tail
        store = tmp_path / f"eio-{sync}"
        shutil.copytree(reference["first"], store)
        try:
            with io_error_at_sync(sync):
                Archive(store).add(later_page(), url=URL, captured_at=T1)
        except threadkeep.ArchiveError as exc:
            message = str(exc)
        else:  # the sync of a folder after its capture object was linked: kept, merged
            assert store.joinpath("captures").is_dir() and Archive(store).verify().ok, sync
            assert view(store) == view(reference["both"]), sync
            continue
        assert "could not write" in message and "Input/output error" in message, message
        kept = KEPT in message
        assert kept or f"the capture of {URL} {NOT_RECORDED}" in message, message
        assert not list(store.rglob(".*.tmp")), sync  # no temporary file left behind
        archive = Archive(store)
        report = archive.verify()
        assert report.ok and len(report.pending) == kept, sync
        assert [c.time for c in archive.captures()] == [T0]
        assert archive.repair().ok
        if kept:
            assert view(store) == view(reference["both"]), sync
        Archive(store).add(later_page(), url=URL, captured_at=T1)
        assert content(store) == content(reference["both"]), sync
        assert Archive(store).verify().ok, sync


def test_disk_full_writing_the_raw_body_says_so(tmp_path: Path) -> None:
    with disk_full_at(1), pytest.raises(threadkeep.ArchiveError, match="disk full"):
        Archive(tmp_path).add(first_page(), url=URL, captured_at=T0)
    archive = Archive(tmp_path)
    assert archive.verify().ok
    assert list(archive.captures()) == []
    assert not list(tmp_path.glob("raw/*/*"))  # no half-written body left behind
    assert not list(tmp_path.rglob(".*.tmp"))


def test_archive_command_on_a_full_disk_prints_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(first_page())
    with disk_full_at(3):
        run = CliRunner().invoke(cli, ["archive", str(page), "--store", str(tmp_path / "s")])
    assert run.exit_code == 1
    assert "Traceback" not in run.output + run.stderr
    assert "disk full while writing" in run.stderr
    assert NOT_RECORDED in run.stderr or KEPT in run.stderr


# -- verify --repair -------------------------------------------------------------------------


def damaged_store(reference: dict[str, Path], tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(reference["both"], store)
    return store


def test_repair_rebuilds_damaged_derived_files_and_touches_no_source(
    reference: dict[str, Path], tmp_path: Path
) -> None:
    store = damaged_store(reference, tmp_path)
    before = sources(store)
    snapshot = sorted(store.glob("gen-1/snapshots/*/*.json"))[0]
    snapshot.write_text(snapshot.read_text().replace("Why archives matter", "Why not"))
    record = next(store.glob(f"gen-1/tweets/*/{ROOT_TWEET}.json"))
    record.write_text("{ not json")
    document = next(store.glob("gen-1/documents/*.json"))
    document.unlink()
    assert not Archive(store).verify().ok

    report = Archive(store).repair()
    assert report.ok and report.generation == 2
    repaired = {p.path for p in report.repaired}
    assert snapshot.relative_to(store).as_posix() in repaired
    assert record.relative_to(store).as_posix() in repaired
    assert report.unrepaired == ()
    assert Archive(store).verify().ok
    assert view(store) == view(reference["both"])
    assert sources(store) == before  # raw captures and the log, byte for byte
    assert snapshot.exists() and record.exists()  # the damaged generation stays on disk


def test_repair_rebuilds_from_snapshots_when_a_raw_capture_is_damaged(
    reference: dict[str, Path], tmp_path: Path
) -> None:
    store = damaged_store(reference, tmp_path)
    raw = sorted(store.glob("raw/*/*.gz"))[0]
    raw.write_bytes(b"not gzip at all")
    report = Archive(store).repair()
    assert not report.ok  # the raw capture stays damaged: repair never rewrites one
    (left,) = report.unrepaired
    assert left.path == raw.relative_to(store).as_posix()
    assert "unreadable raw capture" in left.problem and left.captures
    assert report.from_snapshots == left.captures
    assert raw.read_bytes() == b"not gzip at all"
    assert view(store) == view(reference["both"])  # nothing lost: its content came back


def test_repair_names_what_it_cannot_rebuild(reference: dict[str, Path], tmp_path: Path) -> None:
    store = damaged_store(reference, tmp_path)
    for path in store.glob("raw/*/*.gz"):
        path.write_bytes(b"damaged")
    for path in store.glob("gen-1/snapshots/*/*.json"):
        path.write_text("{}")
    log = read_log(store).decode().splitlines()
    rewrite_log(store, ("\n".join([log[0], "{damaged", log[1]]) + "\n").encode())
    report = Archive(store).repair()
    assert not report.ok
    lost = [p for p in report.unrepaired if p.problem.startswith("capture not rebuilt")]
    assert len(lost) == 2 and all(p.captures for p in lost)
    (line,) = [p for p in report.unrepaired if p.path == "captures.jsonl"]
    assert line.problem.startswith("line 2 is damaged") and "cannot be replayed" in line.problem
    assert (store / "captures.jsonl").read_text().splitlines()[1] == "{damaged"  # untouched


def test_repair_of_a_sound_store_does_nothing(reference: dict[str, Path], tmp_path: Path) -> None:
    store = damaged_store(reference, tmp_path)
    report = Archive(store).repair()
    assert (report.ok, report.generation, report.repaired) == (True, None, ())
    assert not (store / "gen-2").exists()


def test_verify_repair_command(reference: dict[str, Path], tmp_path: Path) -> None:
    store = damaged_store(reference, tmp_path)
    record = next(store.glob(f"gen-1/tweets/*/{ROOT_TWEET}.json"))
    record.write_text("{ not json")
    runner = CliRunner()
    run = runner.invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 1 and "DAMAGED" in run.stderr
    run = runner.invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 0, run.output
    assert f"REPAIRED {record.relative_to(store).as_posix()}" in run.stdout
    assert "rebuilt into generation 2" in run.stdout
    run = runner.invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 0 and "ok: every file matches its hash" in run.stdout
    run = runner.invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 0 and "nothing to repair" in run.stdout
    raw = sorted(store.glob("raw/*/*.gz"))[0]
    raw.write_bytes(b"damaged")
    run = runner.invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 1
    assert f"NOT REPAIRED {raw.relative_to(store).as_posix()}" in run.stderr
    assert "REBUILT FROM SNAPSHOT" in run.stdout
    assert "Traceback" not in run.output + run.stderr


def test_ids_from_threadkeep_json_never_become_paths(tmp_path: Path) -> None:
    # threadkeep's own JSON is read back as it is: its ids are whatever it says.
    seen = threadkeep.Sighting(kind="syndication", url="https://example.org/t")
    for odd in ("\u00b2\u00b3", "../../x", "9" * 30):
        tweet = threadkeep.Tweet(id=odd, text=f"id {odd[:5]}", source=seen)
        Archive(tmp_path / "s").add(tweet.model_dump_json().encode(), url="https://example.org/t")
    bare = threadkeep.Tweet(id="1", text="no source").model_dump_json().encode()
    with pytest.raises(threadkeep.UnsupportedPage, match="no source"):
        Archive(tmp_path / "s").add(bare)
    archive = Archive(tmp_path / "s")
    assert [c.outcome for c in archive.captures()] == ["new", "new", "new", "failed"]
    assert archive.verify().ok
    assert sorted(os.listdir(tmp_path)) == ["s"]
