"""The end of the capture log: a last line without its newline, a torn line, lost bytes.

A whole last line without its newline is kept (the next append ends it first); a torn last
line of any length is cut by the next append; a capture whose log line was lost while its raw
body survives (an orphaned raw capture) is reported by ``verify`` and recovered by
``verify --repair``.

Format 3 writes the log in packs, each once and whole: only the frozen ``captures.jsonl``
of a store made by format 2 can end so. The stores here are such stores (:func:`make_store`:
their log frozen, no capture objects); the first pack after the frozen log is what "the
next append" was.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, read_log, rewrite_log
from threadkeep.archive import Archive, LocalStorage
from threadkeep.archive.storage import _storage_error
from threadkeep.cli import cli
from threadkeep.errors import ArchiveError

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
PAGES = [  # (fixture, thread id): a small real store, the last capture a thread of 6 tweets
    ("threadreader/quinnypig_2020_full.html", "1215710451343904768"),
    ("constructed/tra_2020_quoted_media.html", None),
    ("constructed/tra_numbering_gap.html", None),
    ("constructed/tra_numbering_styles.html", "2031282835290730497"),
]
LAST_ID = "2031282835290730497"


def url_of(fixture: str) -> str:
    return f"https://threadreaderapp.com/thread/{Path(fixture).stem}.html"


def make_store(store: Path, pages: int = len(PAGES)) -> Archive:
    """A store whose log is a format 2 store's, frozen by its upgrade (no capture objects)."""
    archive = Archive(store)
    for n, (fixture, _) in enumerate(PAGES[:pages]):
        data = (FIXTURES / fixture).read_bytes()
        archive.add(data, url=url_of(fixture), captured_at=T0 + timedelta(hours=n), status=200)
    lines = [json.loads(line) for line in read_log(store).splitlines()]
    for line in lines:
        del line["capture"]
    rewrite_log(
        store, b"".join(json.dumps(x, separators=(",", ":")).encode() + b"\n" for x in lines)
    )
    shutil.rmtree(store / "captures")
    return Archive(store)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def exported(store: Path) -> int:
    code, out, err = run("export", "--store", str(store))
    assert code == 0, err
    return len(out.splitlines())


def log_lines(store: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in read_log(store).decode().splitlines()]


def test_a_whole_last_line_without_its_newline_is_kept(tmp_path: Path) -> None:
    store = tmp_path / "store"
    make_store(store, pages=3)
    log = store / "captures.jsonl"
    log.write_bytes(log.read_bytes().removesuffix(b"\n"))  # only the final newline is gone
    assert len(list(Archive(store).captures())) == 3  # readers keep the whole line
    fixture, _ = PAGES[3]
    Archive(store).add((FIXTURES / fixture).read_bytes(), url=url_of(fixture))
    assert len(log_lines(store)) == 4  # the next add ended that line: none lost
    assert Archive(store).reparse().replayed == 4
    assert Archive(store).verify().ok
    assert Archive(store).thread(PAGES[0][1] or "") is not None


def test_a_torn_line_of_70_kib_is_cut_by_the_next_append(tmp_path: Path) -> None:
    store = tmp_path / "store"
    make_store(store, pages=1)
    torn = b'{"time":"2024-01-02T00:00:00Z","url":"https://example.org/' + b"a" * 70 * 1024
    with open(store / "captures.jsonl", "ab") as log:
        log.write(torn)  # a crash tore a long line: no closing brace, no newline
    assert Archive(store).verify().ok  # a torn last line is not damage
    fixture, _ = PAGES[3]
    Archive(store).add((FIXTURES / fixture).read_bytes(), url=url_of(fixture))
    lines = log_lines(store)  # every line is an entry: the torn one was cut, whole
    assert [line["url"] for line in lines] == [url_of(PAGES[0][0]), url_of(fixture)]
    code, _, err = run("reparse", "--store", str(store))
    assert code == 0, err  # no damaged line is left for reparse to refuse
    assert Archive(store).verify().ok


def cut_log(store: Path, count: int) -> None:
    log = store / "captures.jsonl"
    log.write_bytes(log.read_bytes()[:-count])


def test_cutting_150_bytes_off_the_log_loses_no_record_after_repair(tmp_path: Path) -> None:
    store = tmp_path / "store"
    make_store(store)
    before = exported(store)
    last = log_lines(store)[-1]
    cut_log(store, 150)
    code, out, err = run("verify", "--store", str(store))
    assert f"ORPHANED raw/{str(last['sha256'])[:2]}/{last['sha256']}.gz" in err
    code, out, err = run("verify", "--repair", "--store", str(store))
    assert code == 0, err
    assert f"RECOVERED raw/{str(last['sha256'])[:2]}/{last['sha256']}.gz" in out
    assert exported(store) == before  # no record dropped
    recovered = log_lines(store)[-1]
    for field in ("time", "url", "sha256", "status", "outcome", "document"):
        assert recovered[field] == last[field], field  # the torn line still held these
    assert "recovered" in str(recovered["recovered"])
    code, out, err = run("verify", "--store", str(store))
    assert code == 0 and "ORPHANED" not in err, err
    thread = Archive(store).thread(LAST_ID)
    assert thread is not None and thread.captures == 1


def test_a_lost_line_cut_by_a_later_append_is_recovered_from_its_snapshot(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    make_store(store)
    before = exported(store)
    last = log_lines(store)[-1]
    cut_log(store, 150)
    Archive(store).record_failure(url="https://example.org/down", error="HTTP 503")
    assert len(log_lines(store)) == len(PAGES)  # the torn line is cut: its text is gone
    code, _, err = run("verify", "--repair", "--store", str(store))
    assert code == 0, err
    assert exported(store) == before
    recovered = log_lines(store)[-1]
    for field in ("time", "url", "sha256", "outcome", "document"):  # from its snapshot
        assert recovered[field] == last[field], field
    assert recovered["status"] is None  # no snapshot keeps the status: unknown, and said so
    assert "status" in str(recovered["recovered"])


def test_a_body_whose_writer_was_killed_before_its_capture_object_is_kept_not_recorded(
    tmp_path: Path,
) -> None:
    """Format 3: the raw body is written first, the capture object next: a kill in between
    leaves a body no capture names, of a capture its writer never recorded (and said so).
    Recording it at a repair would make up a capture at the repair's time (or log a live
    writer's capture twice): it is kept, listed as unrecorded (not damage), never logged."""
    store = tmp_path / "store"
    archive = make_store(store, pages=1)
    fixture, thread = PAGES[3]
    body = (FIXTURES / fixture).read_bytes()
    sha = hashlib.sha256(body).hexdigest()
    archive.files.keep_raw(sha, body)  # then the kill
    before = list(archive.captures())
    report = archive.verify()
    assert report.ok and not report.orphans
    assert [Path(path).name for path in report.unrecorded] == [f"{sha}.gz"]
    repaired = archive.repair()
    assert repaired.ok and not repaired.recovered
    assert list(archive.captures()) == before  # nothing made up
    assert archive.thread(str(thread)) is None
    assert archive.files.raw(sha) == body  # kept
    shown = CliRunner().invoke(cli, ["verify", "--store", str(store)])
    assert shown.exit_code == 0 and f"UNRECORDED raw/{sha[:2]}/{sha}.gz" in shown.output


def test_a_capture_that_fails_at_its_log_line_is_kept_and_merged_by_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk at the log line (format 3: the pack): the capture object was written, so
    the capture is kept (its user is told so), pending: no orphan; repair merges it."""
    store = tmp_path / "store"
    make_store(store, pages=1)
    fixture, _ = PAGES[3]
    real = LocalStorage.create

    def disk_full(self: LocalStorage, path: str, data: bytes) -> bool:
        if path.startswith("journal/"):
            raise _storage_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), path)
        return real(self, path, data)

    monkeypatch.setattr(LocalStorage, "create", disk_full)
    with pytest.raises(ArchiveError, match=r"is kept .* but not merged yet"):
        Archive(store).add((FIXTURES / fixture).read_bytes(), url=url_of(fixture))
    monkeypatch.undo()
    report = Archive(store).verify()
    assert report.ok and not report.orphans and len(report.pending) == 1
    assert Archive(store).repair().merged == 1
    assert len(list(Archive(store).captures())) == 2 and Archive(store).verify().ok
