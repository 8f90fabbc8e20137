"""Issue 15 target 3 on format 3: an unchanged re-capture of stored bytes, the lock free and
nothing pending, is logged at once: one pack holding its line, and nothing else (no inbox
pointer, no capture object). Otherwise it is written as any capture and merged.

Its line names its key, as a merged capture's does, so the same capture added again (the same
time, url, bytes, status and origin) is still one capture, whichever way each copy went.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from threadkeep.archive import Archive, layout
from threadkeep.archive.log import MAKING, CaptureLog, naming
from threadkeep.archive.records import CaptureEntry

PAGE = (FIXTURES / "threadreader" / "quinnypig_2020_full.html").read_bytes()
URL = "https://threadreaderapp.com/thread/1215710451343904768.html"
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def files_under(store: Path, folder: str) -> list[str]:
    return sorted(p.relative_to(store).as_posix() for p in (store / folder).rglob("*.json"))


def stored(tmp_path: Path) -> tuple[Path, Archive]:
    store = tmp_path / "store"
    archive = Archive(store)
    assert archive.add(PAGE, url=URL, captured_at=T0).outcome == "new"
    return store, archive


def test_the_same_unchanged_capture_added_twice_is_one_capture(tmp_path: Path) -> None:
    store, archive = stored(tmp_path)
    at = T0 + timedelta(days=1)
    first = archive.add(PAGE, url=URL, captured_at=at, status=200)
    assert (first.outcome, first.document) == ("unchanged", "thread-1215710451343904768")
    objects = files_under(store, layout.CAPTURES)
    again = archive.add(PAGE, url=URL, captured_at=at, status=200)
    assert (again.outcome, again.document) == ("unchanged", "thread-1215710451343904768")
    assert [e.time for e in archive.captures()] == [T0, at]  # one line for the two
    assert files_under(store, layout.CAPTURES) == objects  # logged at once: no object
    # another status is another capture (as a capture object's key would say)
    assert archive.add(PAGE, url=URL, captured_at=at, status=203).outcome == "unchanged"
    assert len(list(archive.captures())) == 3
    document = archive.document("thread-1215710451343904768")
    assert document is not None and document.captures == 3
    assert archive.verify().ok


def test_a_pending_capture_is_merged_first_in_time_order(tmp_path: Path) -> None:
    store, archive = stored(tmp_path)
    start = PAGE.index(b'id="tweet_1"')
    text = PAGE.index(b">", start) + 1
    edited = PAGE[:text] + b"Edited. " + PAGE[text:]  # the first tweet's text changed
    pending = archive.add(edited, url=URL, captured_at=T0 + timedelta(days=1), merge=False)
    assert pending.outcome == "pending"
    # stored bytes again, but a capture is pending: not logged at once; both are merged in
    # time order, so the first page's bytes are a change back, not the same content again
    again = archive.add(PAGE, url=URL, captured_at=T0 + timedelta(days=2))
    assert again.outcome == "changed"
    assert [e.outcome for e in archive.captures()] == ["new", "changed", "changed"]
    assert not list(archive.storage.list(layout.INBOX))
    assert len(files_under(store, layout.CAPTURES)) == 3  # each written, then merged
    assert archive.verify().ok


def test_with_the_lock_held_elsewhere_it_is_written_then_merged(tmp_path: Path) -> None:
    store, archive = stored(tmp_path)
    # another holder (its own descriptor: flock tells them apart in one process) lets the
    # lock go after a moment; the capture does not wait for it to be durable
    held = os.open(store / "lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    seen: list[list[str]] = []

    def release() -> None:
        seen.append(files_under(store, layout.CAPTURES))
        os.close(held)

    timer = threading.Timer(0.5, release)
    timer.start()
    result = archive.add(PAGE, url=URL, captured_at=T0 + timedelta(days=1))
    timer.join()
    assert result.outcome == "unchanged"
    assert len(seen[0]) == 2  # its capture object was written while the lock was held
    (entry,) = [e for e in archive.captures() if e.time > T0]
    assert f"{layout.CAPTURES}/{entry.capture}.json" in seen[0]
    assert archive.verify().ok


def test_a_pointer_for_a_capture_logged_at_once_merges_to_nothing(tmp_path: Path) -> None:
    _, archive = stored(tmp_path)
    at = T0 + timedelta(days=1)
    assert archive.add(PAGE, url=URL, captured_at=at).outcome == "unchanged"
    # the same capture written again without merging (a pointer and a capture object)
    assert archive.add(PAGE, url=URL, captured_at=at, merge=False).outcome == "pending"
    assert archive.merge() == 0  # its key is logged already: its pointer is removed
    assert [e.time for e in archive.captures()] == [T0, at]
    report = archive.verify()
    assert report.ok and not report.pending  # its object is named by the line
    assert not list(archive.storage.list(layout.INBOX))


def test_verify_still_finds_a_missing_capture_object_of_a_merged_change(tmp_path: Path) -> None:
    store, archive = stored(tmp_path)
    assert archive.add(PAGE, url=URL, captured_at=T0 + timedelta(days=1)).outcome == "unchanged"
    assert archive.verify().ok  # the unchanged line has no object, by design
    (new,) = [e for e in archive.captures() if e.outcome == "new"]
    assert new.capture is not None
    (store / layout.capture_path(new.capture)).unlink()
    report = archive.verify()
    assert not report.ok
    assert [(p.path, p.problem) for p in report.problems] == [
        (layout.capture_path(new.capture), "capture object missing (a log line names it)")
    ]


def _line(at: int, outcome: str, sha: str) -> CaptureEntry:
    return CaptureEntry(
        time=T0 + timedelta(minutes=at),
        url=URL,
        sha256=sha,
        parser_version="0.1.0",
        outcome=outcome,  # type: ignore[arg-type]
        document="thread-1" if outcome != "failed" else None,
    )


def test_making_remembers_what_it_read_and_never_a_staged_line(tmp_path: Path) -> None:
    """``CaptureLog.making`` finds what ``naming`` finds as the log grows (read once, the
    lines added since read each time), and forgets lines staged by a merge that failed."""
    archive = Archive(tmp_path / "store")
    log = CaptureLog(archive.storage)
    sha, other = "ab" * 32, "cd" * 32
    outcomes = ["new", "unchanged", "changed", "failed", "unchanged", "new"]

    def expected() -> list[tuple[int, datetime]]:
        data = log.read()
        found = naming(data, "sha256", sha, strict=False)
        return [
            (at, e.time) for at, e in found if e.outcome in MAKING and e.parser_version == "0.1.0"
        ]

    def making() -> list[tuple[int, datetime]]:
        return [(at, entry.time) for at, entry in log.making(log.read(), sha, "0.1.0")]

    for n in range(30):
        log.append(_line(n, outcomes[n % len(outcomes)], sha if n % 4 else other))
        assert making() == expected()
    logged = expected()
    log.stage(_line(100, "new", sha))  # a merge in progress: read after the log
    with_staged = making()
    assert with_staged == expected() and with_staged[:-1] == logged
    log.discard()  # the merge failed: the staged line is gone, never remembered, even
    log.append(_line(101, "changed", sha))  # once a longer line is written in its place
    assert making() == expected() and making()[:-1] == logged
    assert making()[-1][1] == T0 + timedelta(minutes=101)


def _newest_each(data: bytes) -> datetime | None:
    """The reference: every line's time read, those that cannot be passed over."""
    newest = None
    for line in data.splitlines():
        text = line.split(b'"time":"', 1)[1].split(b'"', 1)[0].decode()
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            continue
        if at.tzinfo is not None and (newest is None or at > newest):
            newest = at
    return newest


def test_the_newest_time_is_the_latest_whatever_form_the_times_take(tmp_path: Path) -> None:
    """``CaptureLog.newest`` (the largest bytes when every time is UTC as threadkeep writes it)
    gives what reading every time gives: with and without fractions of a second in the same
    second, other offsets, and a time that is no date."""
    chance = random.Random(15)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for round_number in range(60):
        log = CaptureLog(Archive(tmp_path / f"s{round_number}").storage)
        for _ in range(chance.randint(1, 12)):
            at = base + timedelta(seconds=chance.randint(0, 3), microseconds=chance.choice([0, 5]))
            if chance.random() < 0.1:
                at = at.astimezone(timezone(timedelta(hours=chance.choice([-5, 2]))))
            log.append(_line(0, "unchanged", "ab" * 32).model_copy(update={"time": at}))
        data = log.read()
        if chance.random() < 0.1:  # digits that are no date
            data += data.splitlines()[0].replace(b"2026-01-01T", b"2026-13-01T") + b"\n"
        assert CaptureLog(log.storage).newest(data) == _newest_each(data), data


def _failing_once(real: Callable[..., Any], at: int) -> Callable[..., Any]:
    """``real``, but its ``at``-th call fails with an I/O error."""
    calls = 0

    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == at:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(*args, **kwargs)

    return call


@pytest.mark.parametrize(
    ("what", "at"),
    [("link", 1), ("fsync", 2)],
    ids=["its pack not written", "its pack written, the folder's sync failed"],
)
def test_a_failure_logging_at_once_is_left_to_the_written_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str, at: int
) -> None:
    """The pack's ``create`` fails (before its link, or in the folder's sync after it): the
    capture is then written and merged as any, and logged once either way."""
    store, archive = stored(tmp_path)
    monkeypatch.setattr(os, what, _failing_once(getattr(os, what), at))
    result = archive.add(PAGE, url=URL, captured_at=T0 + timedelta(days=1))
    monkeypatch.undo()
    assert (result.outcome, result.document) == ("unchanged", "thread-1215710451343904768")
    (line,) = [e for e in archive.captures() if e.time > T0]  # one line, not two
    assert line.outcome == "unchanged"
    assert f"{layout.CAPTURES}/{line.capture}.json" in files_under(store, layout.CAPTURES)
    report = archive.verify()
    assert report.ok and not report.pending and not list(archive.storage.list(layout.INBOX))
