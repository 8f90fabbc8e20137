"""Captures and maintenance at the same time: every logged capture stays in view.

``archive URL1 URL2`` running while ``reparse`` or ``verify --repair`` switches the store to a
new generation must write URL2 into the generation in use, not the one it opened: a capture
reads the generation under the store lock, every time, and so do reparse and repair.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import FIXTURES, ROOT
from threadkeep.archive import Archive, LocalStorage

FIRST = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
FIRST_ID = "1215710451343904768"
SECOND = FIXTURES / "constructed" / "tra_numbering_styles.html"
SECOND_ID = "2031282835290730497"


def threadkeep_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def every_capture_in_view(store: Path) -> None:
    """What a user checks: ``show`` finds each thread, ``verify`` is ok, and the document
    records count every logged capture."""
    for thread in (FIRST_ID, SECOND_ID):
        shown = threadkeep_cli("show", thread, "--store", str(store))
        assert shown.returncode == 0, shown.stderr
    verified = threadkeep_cli("verify", "--store", str(store))
    assert verified.returncode == 0, verified.stderr
    archive = Archive(store)
    logged: dict[str, int] = {}
    for entry in archive.captures():
        logged[str(entry.document)] = logged.get(str(entry.document), 0) + 1
    for key, count in logged.items():
        document = archive.document(key)
        assert document is not None and document.captures == count, key


@pytest.mark.parametrize("maintenance", ["reparse", "repair"])
def test_a_batch_and_maintenance_interleaved_by_the_lock(
    tmp_path: Path, server: HTTPServer, maintenance: str
) -> None:
    """``archive URL1 URL2`` fetches URL2 only once ``reparse`` (or ``verify --repair``) has
    switched the store, in another process, after URL1 was captured."""
    store = tmp_path / "store"
    fetching, go = threading.Event(), threading.Event()

    def slow_second(request: Request) -> Response:
        fetching.set()
        go.wait(60)
        return Response(SECOND.read_bytes(), content_type="text/html; charset=utf-8")

    server.expect_request(f"/thread/{FIRST_ID}.html").respond_with_data(
        FIRST.read_bytes(), content_type="text/html; charset=utf-8"
    )
    server.expect_request(f"/thread/{SECOND_ID}.html").respond_with_handler(slow_second)
    urls = [server.url_for(f"/thread/{key}.html") for key in (FIRST_ID, SECOND_ID)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = ["archive", *urls, "--store", str(store), "--min-interval", "0"]
    batch = subprocess.Popen(
        [sys.executable, "-m", "threadkeep", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert fetching.wait(60)  # URL1 is captured; the batch waits for URL2's answer
        if maintenance == "repair":  # damage a derived file, so that repair rebuilds
            (store / "gen-1" / "documents" / f"thread-{FIRST_ID}.json").write_text("{")
            done = threadkeep_cli("verify", "--repair", "--store", str(store))
        else:
            done = threadkeep_cli("reparse", "--store", str(store))
        assert done.returncode == 0, done.stderr
        assert Archive(store).generation == 2
    finally:
        go.set()
        _, err = batch.communicate(timeout=120)
    assert batch.returncode == 0, err
    every_capture_in_view(store)


class PausingStorage(LocalStorage):
    """A store whose first write into generation 2 waits until the test says go."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.started, self.go = threading.Event(), threading.Event()

    def write_atomic(self, path: str, data: bytes) -> None:
        if path.startswith("gen-2/") and not self.started.is_set():
            self.started.set()
            assert self.go.wait(60)
        super().write_atomic(path, data)


class SignallingStorage(LocalStorage):
    """A store that says when it asks for the lock."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.asking = threading.Event()

    def lock(self, timeout: float) -> contextlib.AbstractContextManager[None]:
        self.asking.set()
        return super().lock(timeout)


@pytest.mark.parametrize("maintenance", ["reparse", "repair"])
def test_a_capture_between_the_start_of_a_rebuild_and_its_switch(
    tmp_path: Path, maintenance: str
) -> None:
    """A writer opened before the rebuild asks for the lock while the rebuild holds it: it
    waits, then writes into the generation the rebuild switched to."""
    store = tmp_path / "store"
    Archive(store).add(FIRST.read_bytes(), url=f"https://threadreaderapp.com/thread/{FIRST_ID}")
    if maintenance == "repair":
        (store / "gen-1" / "documents" / f"thread-{FIRST_ID}.json").write_text("{")
    writer_storage = SignallingStorage(store)
    writer = Archive(store, storage=writer_storage)  # opened now: generation 1
    rebuild_storage = PausingStorage(store)
    rebuilder = Archive(store, storage=rebuild_storage)
    rebuild = threading.Thread(target=getattr(rebuilder, maintenance))
    rebuild.start()
    assert rebuild_storage.started.wait(60)  # the rebuild holds the lock, mid-way
    writer_storage.asking.clear()
    capture = threading.Thread(target=writer.add, args=(SECOND.read_bytes(),))
    capture.start()
    assert writer_storage.asking.wait(60)  # the capture asks for the lock now
    rebuild_storage.go.set()
    rebuild.join(60)
    capture.join(60)
    assert not rebuild.is_alive() and not capture.is_alive()
    assert Archive(store).generation == 2
    assert Archive(store).thread(SECOND_ID) is not None  # in the generation in use
    assert writer.thread(SECOND_ID) is not None  # and the writer reads what it wrote
    assert Archive(store).verify().ok


def test_verify_checks_the_generation_in_use_not_the_one_opened(tmp_path: Path) -> None:
    # An Archive kept open (a library user) while another process reparses and captures:
    # verify checked the generation it opened against the whole log, and called every record
    # of the new capture missing ("DAMAGED"), while repair said there was nothing to repair.
    store = tmp_path / "store"
    archive = Archive(store)
    archive.add(FIRST.read_bytes())
    assert threadkeep_cli("reparse", "--store", str(store)).returncode == 0
    assert threadkeep_cli("archive", str(SECOND), "--store", str(store)).returncode == 0
    report = archive.verify()
    assert report.ok, report.problems[:3]
    assert report.captures == 2 and report.documents == 2
    assert archive.thread(SECOND_ID) is not None


def test_an_archive_kept_open_reads_what_others_captured_after_a_reparse(tmp_path: Path) -> None:
    # Every read of an Archive kept open reads the generation in use now: after another
    # process reparsed (generation 2) and captured into it, the capture was "no thread" here.
    store = tmp_path / "store"
    archive = Archive(store)
    archive.add(FIRST.read_bytes())
    assert threadkeep_cli("reparse", "--store", str(store)).returncode == 0
    assert threadkeep_cli("archive", str(SECOND), "--store", str(store)).returncode == 0
    thread = archive.thread(SECOND_ID)
    assert thread is not None and thread.tweets
    assert archive.find(SECOND_ID) is not None
    assert archive.document(thread.document) is not None
    assert {record.key for record in archive.records()} >= {t.id for t in thread.tweets}
    assert archive.generation == 2
