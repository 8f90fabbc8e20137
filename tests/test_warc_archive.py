"""A WARC record's origin kept in the archive: ``threadkeep archive crawl.warc.gz`` logs each
capture with the file and the record's offset (and id) its bytes were read from.

The origin is in the capture's own log line (and its capture object, which the merge carries
into the line); an unchanged re-capture of the same bytes from another WARC keeps its own;
``history`` shows it; ``reparse`` and ``verify --repair`` keep it; a capture with no origin
(a saved page) writes no ``origin`` field at all. On a folder and on the loopback S3 bucket.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.s3_server import fixtures
from tests.warcs import NO_TWEETS, TWEET_PAGE, TWEET_URL, Rec, plain_records, warc_bytes
from threadkeep import batch
from threadkeep.archive import layout
from threadkeep.archive.records import CaptureEntry
from threadkeep.models import Origin

ROOT = Path(__file__).resolve().parent.parent

s3_server, s3_store = fixtures()


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store location: a folder, or a fresh bucket of the loopback S3 server."""
    if request.param == "folder":
        return str(tmp_path / "store")
    location: str = request.getfixturevalue("s3_store")
    return location


def tk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=300,
    )  # fmt: skip


def offsets(path: Path) -> dict[str | None, tuple[int, str | None]]:
    """Each page record's url → (its offset, its WARC-Record-ID), as the reader finds them."""
    from threadkeep.warc.read import read_page

    found = {}
    for item in batch.inputs([str(path)]):
        assert item.record is not None
        page = read_page(*item.record)
        found[page.url] = (page.offset, page.record_id)
    return found


def log_lines(location: str) -> list[dict[str, Any]]:
    import threadkeep

    data = threadkeep.Archive(location).log.read()
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def origins(location: str) -> dict[str | None, list[Origin | None]]:
    import threadkeep

    found: dict[str | None, list[Origin | None]] = {}
    for entry in threadkeep.Archive(location).captures():
        found.setdefault(entry.url, []).append(entry.origin)
    return found


def logged_in_history(location: str) -> list[dict[str, Any]]:
    shown = tk("history", "20", "--store", location, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    captures: list[dict[str, Any]] = json.loads(shown.stdout)["captures"]
    return captures


def crawl(tmp_path: Path, name: str, records: list[Rec]) -> Path:
    path = tmp_path / name
    path.write_bytes(warc_bytes(records))
    return path


def test_each_capture_of_a_warc_logs_its_file_offset_and_record_id(
    tmp_path: Path, store: str
) -> None:
    first = crawl(tmp_path, "crawl.warc.gz", plain_records())
    done = tk("archive", str(first), "--store", store, "--format", "json")
    assert done.returncode == 0, done.stderr
    where = offsets(first)
    logged = origins(store)
    # thread 20, and the weather page kept as an empty capture: each with its record
    for url in (TWEET_URL, "https://example.org/weather"):
        offset, record_id = where[url]
        assert logged[url] == [Origin(file=str(first), offset=offset, record_id=record_id)]
        assert offset > 0 and record_id is not None and record_id.startswith("<urn:uuid:")
    line = next(line for line in log_lines(store) if line["url"] == TWEET_URL)
    assert line["origin"] == {"file": str(first), "offset": where[TWEET_URL][0],
                              "record_id": where[TWEET_URL][1]}  # fmt: skip
    assert next(iter(line)) == "time"  # the log is still read line by line from its "time"


def test_the_same_bytes_from_a_second_warc_keep_both_origins_in_history(
    tmp_path: Path, store: str
) -> None:
    first = crawl(tmp_path, "crawl.warc.gz", [Rec(TWEET_URL, TWEET_PAGE)])
    later = [Rec("https://example.org/weather", NO_TWEETS),
             Rec(TWEET_URL, TWEET_PAGE, date="2024-06-01T08:00:00Z")]  # fmt: skip
    second = crawl(tmp_path, "recrawl.warc.gz", later)
    for path in (first, second):
        done = tk("archive", str(path), "--store", store)
        assert done.returncode == 0, done.stderr
    at_first, at_second = offsets(first)[TWEET_URL][0], offsets(second)[TWEET_URL][0]
    assert at_first != at_second  # the second file has a record before it

    shown = tk("history", "20", "--store", store, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    captures = json.loads(shown.stdout)["captures"]
    assert [(c["outcome"], c["origin"]["file"], c["origin"]["offset"]) for c in captures] == [
        ("new", str(first), at_first),
        ("unchanged", str(second), at_second),
    ]
    assert sum(1 for line in log_lines(store) if line["url"] == TWEET_URL) == 2  # a line each

    text = tk("history", "20", "--store", store)
    assert text.returncode == 0, text.stderr
    rows = [row for row in text.stdout.splitlines() if row.lstrip().startswith("capture ")]
    assert rows[0].endswith(f"new       {TWEET_URL} from {first} @ {at_first}")
    assert rows[1].endswith(f"unchanged {TWEET_URL} from {second} @ {at_second}")


def test_a_saved_page_logs_no_origin_field_at_all(tmp_path: Path, store: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TWEET_PAGE)
    done = tk("archive", str(page), "--store", store)
    assert done.returncode == 0, done.stderr
    import threadkeep

    archive = threadkeep.Archive(store)
    data = archive.log.read()
    assert data.count(b"\n") == 1 and b"origin" not in data
    (entry,) = archive.captures()
    assert entry.origin is None
    assert data == entry.model_dump_json().encode("utf-8") + b"\n"  # the line, byte for byte
    objects = [p for p in archive.storage.list(layout.CAPTURES) if p.endswith(".json")]
    assert len(objects) == 1
    assert b"origin" not in archive.storage.read(objects[0])
    # the same line without the field, as format 3 wrote it before it had one
    fields = set(CaptureEntry.model_fields) - {"origin"}
    assert set(json.loads(data)) == fields


def test_a_capture_object_carries_its_origin_into_the_line_the_merge_writes(
    tmp_path: Path,
) -> None:
    import threadkeep

    archive = threadkeep.Archive(tmp_path / "store")
    origin = Origin(file="crawl.warc.gz", offset=1234, record_id="<urn:uuid:1>")
    at = datetime(2024, 5, 1, 10, tzinfo=UTC)
    added = archive.add(TWEET_PAGE, url=TWEET_URL, captured_at=at, origin=origin, merge=False)
    assert added.outcome == "pending"
    (path,) = [p for p in archive.storage.list(layout.CAPTURES) if p.endswith(".json")]
    assert json.loads(archive.storage.read(path))["origin"] == origin.model_dump()
    assert archive.merge() == 1
    (entry,) = archive.captures()
    assert (entry.outcome, entry.origin) == ("new", origin)


def test_reparse_and_verify_repair_keep_the_origins(tmp_path: Path, store: str) -> None:
    first = crawl(tmp_path, "crawl.warc.gz", plain_records())
    second = crawl(tmp_path, "recrawl.warc.gz",
                   [Rec(TWEET_URL, TWEET_PAGE, date="2024-06-01T08:00:00Z")])  # fmt: skip
    for path in (first, second):
        done = tk("archive", str(path), "--store", store)
        assert done.returncode == 0, done.stderr
    before = origins(store)
    assert [o.file if o else None for o in before[TWEET_URL]] == [str(first), str(second)]
    captures = logged_in_history(store)
    assert [c["origin"]["file"] for c in captures] == [str(first), str(second)]

    reparsed = tk("reparse", "--store", store)
    assert reparsed.returncode == 0, reparsed.stderr
    assert origins(store) == before
    assert logged_in_history(store) == captures  # the snapshots are of a new generation

    import threadkeep

    archive = threadkeep.Archive(store)
    archive.storage.remove(layout.tweet_path("20", archive.generation))  # a record lost
    assert tk("verify", "--store", store).returncode != 0
    repaired = tk("verify", "--repair", "--store", store)
    assert repaired.returncode == 0, repaired.stderr
    assert tk("verify", "--store", store).returncode == 0
    assert origins(store) == before
    assert logged_in_history(store) == captures  # the snapshots are of a new generation


def test_a_null_origin_is_left_out_with_whatever_else_the_caller_leaves_out() -> None:
    at = datetime(2024, 5, 1, 10, tzinfo=UTC)
    entry = CaptureEntry(time=at, url=None, sha256=None, parser_version="0", outcome="failed")
    for exclude in ({"error"}, {"error": True}):
        assert set(json.loads(entry.model_dump_json(exclude=exclude))) == (
            set(CaptureEntry.model_fields) - {"origin", "error"}
        )
    kept = entry.model_copy(update={"origin": Origin(file="a.warc", offset=0)})
    assert json.loads(kept.model_dump_json())["origin"] == {
        "file": "a.warc", "offset": 0, "record_id": None,
    }  # fmt: skip
    assert json.loads(kept.model_dump_json(exclude={"error"}))["origin"]["file"] == "a.warc"
