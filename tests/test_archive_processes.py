"""Real crashes and real concurrency: SIGKILLed writers and four processes at once."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, read_log
from tests.kill import killed, killed_at_rename
from threadkeep.archive import Archive

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from threadkeep.archive import Archive

    store, page, first, count = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3]), int(sys.argv[4])
    archive = Archive(store)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for n in range(first, first + count):
        # Each capture changes one tweet, so each writes a snapshot and records.
        data = page.replace(b"Second point", b"Second point, take %d" % n)
        result = archive.add(data, url="https://threadreaderapp.com/thread/2031282835290730497.html",
                             captured_at=start + timedelta(minutes=n))
        print(result.sha256, flush=True)
    """
)


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    page = FIXTURES / "constructed" / "tra_numbering_styles.html"
    chance = random.Random(20261122)
    done: list[str] = []
    for round_number in range(5):  # 5 rounds of up to 40 writes: 200 writes in all
        child = spawn(WRITER, str(store), str(page), str(round_number * 40), "40")
        assert child.stdout is not None
        done.append(child.stdout.readline().strip())  # writing has begun: now kill it mid-way
        time.sleep(chance.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        done += out.split()
        archive = Archive(store)
        report = archive.verify()
        assert report.ok, report.problems
        logged = {entry.sha256 for entry in archive.captures()}
        assert set(done) <= logged  # every capture the writer finished is in the log
        for sha in done:
            assert archive.raw(sha)  # and its body is kept, readable
    merged = Archive(store).thread("2031282835290730497")
    assert merged is not None and len(merged.tweets) == 6


KILLED_AT_RENAME = killed_at_rename(
    """
    archive = Archive(store)
    archive.add(open(source, "rb").read(), url="https://threadreaderapp.com/thread/2031282835290730497.html",
                captured_at=datetime(2024, 1, 2, tzinfo=timezone.utc))
    """
)


def texts(store: Path) -> list[str]:
    merged = Archive(store).thread("2031282835290730497")
    assert merged is not None
    return [tweet.text for tweet in merged.tweets]


def test_sigkill_between_the_renames_of_a_batch_is_repaired(tmp_path: Path) -> None:
    """A capture's snapshot and records are written as one batch (every temporary file, then
    the renames, in order), then its document record: a writer killed before each of its
    renames in turn leaves a store that verifies, with the log as it was. Format 3 wrote the
    raw body and the capture object before (created, not renamed): the capture is kept,
    pending, and repair merges it."""
    page = FIXTURES / "constructed" / "tra_numbering_styles.html"
    changed = tmp_path / "changed.html"
    changed.write_bytes(page.read_bytes().replace(b"Second point", b"Second point, edited"))
    url = "https://threadreaderapp.com/thread/2031282835290730497.html"
    first = tmp_path / "first"
    # The edit is the newer capture (merged after the first: captures merge in time order).
    Archive(first).add(page.read_bytes(), url=url, captured_at=datetime(2024, 1, 1, tzinfo=UTC))
    whole = tmp_path / "whole"
    shutil.copytree(first, whole)
    Archive(whole).add(changed.read_bytes(), url=url, captured_at=datetime(2024, 1, 2, tzinfo=UTC))
    at = 1
    while True:
        store = tmp_path / f"killed-{at}"
        shutil.copytree(first, store)
        if not killed(KILLED_AT_RENAME, str(store), str(changed), str(at)):
            break  # past the last rename: the capture was made
        archive = Archive(store)
        report = archive.verify()
        assert report.ok, (at, report.problems)
        assert len(list(archive.captures())) == 1, at  # the killed capture is not logged
        assert len(report.pending) == 1 and not report.orphans, at  # but kept
        assert archive.repair().ok
        repaired = Archive(store).verify()
        assert repaired.ok and not repaired.ahead and not repaired.orphans, at
        assert not repaired.pending and texts(store) == texts(whole), at
        at += 1
    # three renames, each killed before: the snapshot, the one tweet record the edit changed
    # (format 2 rewrites no other), the document record
    assert at == 4


def test_temporary_files_of_a_batch_killed_are_counted_then_removed(tmp_path: Path) -> None:
    """A writer killed after writing every temporary file of its batch and before the first
    rename leaves them all behind (the snapshot and 104 tweet records): ``verify``
    counts them without calling them damage; ``verify --repair`` removes them, under the lock,
    and nothing else (a temporary file of another program in the store's folder stays)."""
    from click.testing import CliRunner

    from threadkeep.cli import cli

    page = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
    store = tmp_path / "store"
    Archive(store)
    foreign = store / ".export.jsonl.k2j3h4.tmp"  # not the store's own: left alone
    foreign.write_bytes(b"{}")
    child = spawn(KILLED_AT_RENAME, str(store), str(page), "1")
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    left = sorted(p for p in store.rglob(".*.tmp") if p != foreign)
    assert len(left) == 105 and {p.parent.parent.name for p in left} >= {"tweets"}
    report = Archive(store).verify()
    assert report.ok and not report.orphans and len(report.temporary) == 105
    run = CliRunner().invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 0, run.output
    assert "TEMPORARY 105 files in " in run.output and "--repair removes them" in run.output
    run = CliRunner().invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 0 and "REMOVED TEMPORARY 105 files" in run.output, run.output
    assert sorted(store.rglob(".*.tmp")) == [foreign]
    # format 3: the killed capture was kept (its capture object), and repair merged it
    assert len(report.pending) == 1 and "MERGED 1 pending capture" in run.output
    after = Archive(store).verify()
    assert after.ok and not after.temporary and not after.pending and after.captures == 1
    # (the kept capture's document is there: this copy, from no url, changes its source only)
    assert Archive(store).add(page.read_bytes()).outcome == "changed"


CONCURRENT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from threadkeep.archive import Archive

    archive = Archive(sys.argv[1], lock_timeout=60)
    for source in sys.argv[2:]:
        archive.add(Path(source).read_bytes(), url="file://" + source)
    """
)


def test_four_processes_at_once_lose_no_capture(tmp_path: Path) -> None:
    store = tmp_path / "store"
    sources = [
        FIXTURES / "threadreader" / "quinnypig_2020_full.html",
        FIXTURES / "constructed" / "tra_2020_quoted_media.html",
        FIXTURES / "constructed" / "tra_numbering_gap.html",
        FIXTURES / "embeds" / "basicthinking_de_2018_erfolgreiche-tweets.html",
        FIXTURES / "answers" / "oembed_452481183213813760.input.json",
    ]
    Archive(store)  # created once, so the four race on content, not on creation
    children = [spawn(CONCURRENT, str(store), *map(str, sources)) for _ in range(4)]
    for child in children:
        child.communicate(timeout=120)
        assert child.returncode == 0
    archive = Archive(store)
    assert archive.verify().ok
    entries = list(archive.captures())
    assert len(entries) == 20
    by_document: dict[str | None, list[str]] = {}
    for entry in entries:
        by_document.setdefault(entry.document, []).append(entry.outcome)
    assert len(by_document) == 5
    for outcomes in by_document.values():
        assert sorted(outcomes) == ["new", "unchanged", "unchanged", "unchanged"]
    for key in by_document:
        document = archive.document(str(key))
        assert document is not None and document.captures == 4
    thread = archive.thread("1215710451343904768")
    assert thread is not None and len(thread.tweets) == 102
    assert all(t.sightings for t in thread.tweets)
    lines = read_log(store).decode().splitlines()
    assert all(json.loads(line) for line in lines)
