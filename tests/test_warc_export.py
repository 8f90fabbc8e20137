"""``threadkeep export --format warc``: the store's raw captures as a WARC file that replay
tools open, read back with warcio (digests checked) and indexed by pywb's ``cdxj-indexer``."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import threadkeep
from tests.s3_server import fixtures
from threadkeep.cli import cli

warcio = pytest.importorskip("warcio")
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

s3_server, s3_store = fixtures()

ROOT = Path(__file__).resolve().parent.parent
THREAD = ROOT / "fixtures/threadreader/quinnypig_2020_full.html"
THREAD_URL = "https://threadreaderapp.com/thread/1215710451343904768.html"
ANSWER = ROOT / "fixtures/answers/oembed_1679189879086018562.input.json"
ANSWER_URL = "https://publish.twitter.com/oembed?url=https://x.com/a/status/1679189879086018562"
ARTICLE = ROOT / "fixtures/text/seed000_article_no_embeds.txt"
MAY_1 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
MAY_2 = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
JUNE_1 = datetime(2024, 6, 1, 10, 0, 0, 500000, tzinfo=UTC)


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _fill(archive: threadkeep.Archive) -> None:
    """Three captures with bodies (the thread twice: a revisit), one failed fetch, a file."""
    archive.add(THREAD.read_bytes(), url=THREAD_URL, captured_at=MAY_1)
    archive.add(ANSWER.read_bytes(), url=ANSWER_URL, captured_at=MAY_2, status=200)
    archive.add(THREAD.read_bytes(), url=THREAD_URL, captured_at=JUNE_1)
    archive.record_failure(
        url="https://threadreaderapp.com/thread/9.html", error="gone", status=404
    )
    archive.add(ARTICLE.read_bytes(), captured_at=JUNE_1)


def _records(path: Path) -> list[tuple[str, dict[str, str], str | None, bytes]]:
    """(type, WARC headers, HTTP status, body) of every record, digests checked."""
    found = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            headers = dict(record.rec_headers.headers)
            status = record.http_headers.get_statuscode() if record.http_headers else None
            found.append((record.rec_type, headers, status, record.content_stream().read()))
    return found


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    _fill(threadkeep.Archive(folder))
    return folder


def test_export_holds_every_capture_with_its_url_time_and_digest(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "captures.warc.gz"
    done = threadkeep.Archive(store).export_warc(out)
    assert (done.responses, done.revisits, done.resources, done.failed) == (2, 1, 1, 1)
    records = _records(out)
    assert [kind for kind, *_ in records] == [
        "warcinfo",
        "response",
        "response",
        "revisit",
        "resource",
    ]
    _, thread, answer, revisit, article = records
    assert thread[1]["WARC-Target-URI"] == THREAD_URL
    assert thread[1]["WARC-Date"] == "2024-05-01T10:00:00Z"
    assert thread[1]["WARC-Payload-Digest"] == _sha1(THREAD.read_bytes())
    assert thread[2] == "200" and thread[3] == THREAD.read_bytes()
    assert answer[1]["WARC-Target-URI"] == ANSWER_URL and answer[3] == ANSWER.read_bytes()
    # the same bytes again: a revisit pointing at the first response, no second copy
    assert revisit[1]["WARC-Date"] == "2024-06-01T10:00:00.500000Z"
    assert revisit[1]["WARC-Refers-To"] == thread[1]["WARC-Record-ID"]
    assert revisit[1]["WARC-Refers-To-Target-URI"] == THREAD_URL
    assert revisit[1]["WARC-Payload-Digest"] == _sha1(THREAD.read_bytes())
    assert revisit[3] == b""
    # a file archived with no url: a resource named by its hash
    sha256 = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()
    assert article[1]["WARC-Target-URI"] == f"urn:sha256:{sha256}"
    assert article[3] == ARTICLE.read_bytes()
    assert out.stat().st_size < len(THREAD.read_bytes())  # gzipped, the thread once


def test_the_http_head_is_synthesised_from_the_log_and_the_bytes(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "captures.warc"
    threadkeep.Archive(store).export_warc(out)
    with out.open("rb") as stream:
        heads = [r.http_headers for r in ArchiveIterator(stream) if r.rec_type == "response"]
    assert out.read_bytes().startswith(b"WARC/1.1\r\n")  # not gzipped: the name says .warc
    assert [h.statusline for h in heads] == ["200 OK", "200 OK"]
    assert [h.get_header("Content-Type") for h in heads] == ["text/html", "application/json"]
    assert heads[0].get_header("Content-Length") == str(len(THREAD.read_bytes()))
    assert all(h.get_header("Content-Encoding") is None for h in heads)


def test_a_second_export_is_byte_identical(store: Path, tmp_path: Path) -> None:
    archive = threadkeep.Archive(store)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    archive.export_warc(first / "captures.warc.gz")
    archive.export_warc(second / "captures.warc.gz")
    one = (first / "captures.warc.gz").read_bytes()
    assert one == (second / "captures.warc.gz").read_bytes()
    _fill(archive)  # the same captures logged again: the same records, the same file
    archive.export_warc(second / "captures.warc.gz")
    assert (second / "captures.warc.gz").read_bytes() == one
    archive.add(THREAD.read_bytes(), url=THREAD_URL, captured_at=datetime(2025, 1, 1, tzinfo=UTC))
    archive.export_warc(second / "captures.warc.gz")
    assert (second / "captures.warc.gz").read_bytes() != one


def test_ids_select_the_captures_of_their_documents(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "thread.warc.gz"
    done = threadkeep.Archive(store).export_warc(out, ["1215711185045090305"])  # a tweet's id
    assert (done.responses, done.revisits, done.resources) == (1, 1, 0)
    urls = {h.get("WARC-Target-URI") for _, h, _, _ in _records(out)[1:]}
    assert urls == {THREAD_URL}


def test_cdxj_indexer_lists_each_capture_with_url_time_status_and_digest(
    store: Path, tmp_path: Path
) -> None:
    indexer = shutil.which("cdxj-indexer") or str(Path(sys.executable).parent / "cdxj-indexer")
    if not Path(indexer).exists():
        pytest.skip("cdxj-indexer is not installed (pip install cdxj-indexer==1.5.0)")
    out = tmp_path / "captures.warc.gz"
    threadkeep.Archive(store).export_warc(out)
    done = subprocess.run([indexer, str(out)], capture_output=True, text=True, check=True)
    lines = [line.split(" ", 2) for line in done.stdout.splitlines()]
    listed = [(stamp, json.loads(fields)) for _, stamp, fields in lines]
    thread_sha1 = _sha1(THREAD.read_bytes())
    web = [(stamp, f["url"], f["status"], f["digest"], f["mime"]) for stamp, f in listed
           if f["url"].startswith("https://")]  # fmt: skip
    assert web == [
        ("20240501100000", THREAD_URL, "200", thread_sha1, "text/html"),
        ("20240502100000", ANSWER_URL, "200", _sha1(ANSWER.read_bytes()), "application/json"),
        ("20240601100000", THREAD_URL, "200", thread_sha1, "warc/revisit"),
    ]
    assert len(listed) == 4  # and the file archived with no url, by its hash


def test_cli_exports_warc_to_a_file_and_says_what_it_left_out(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "captures.warc.gz"
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "--format", "warc", "-o", str(out), "--store", str(store)])
    assert done.exit_code == 0, done.output
    assert "4 captures (2 responses, 1 revisit, 1 resource)" in done.output
    assert "1 failed capture left out" in done.output
    assert len(_records(out)) == 5
    assert not (tmp_path / "captures.warc.gz.partial").exists()


def test_cli_refuses_a_folder_for_warc_a_missing_o_and_an_unknown_id(
    store: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["export", "--format", "warc", "--store", str(store)]
    folder = runner.invoke(cli, [*base, "-o", str(tmp_path)])
    assert folder.exit_code == 2 and "a folder; --format warc writes a file" in folder.output
    missing = runner.invoke(cli, base)
    assert missing.exit_code == 2 and "--format warc needs -o FILE" in missing.output
    unknown = runner.invoke(cli, [*base, "-o", str(tmp_path / "x.warc.gz"), "404404"])
    assert unknown.exit_code == 1 and "no thread, tweet or document '404404'" in unknown.output
    assert not (tmp_path / "x.warc.gz").exists()
    site_on_file = runner.invoke(
        cli, ["export", "--format", "html", "-o", str(THREAD), "--store", str(store)]
    )
    assert (
        site_on_file.exit_code == 2
        and "a file; --format html writes a folder" in site_on_file.output
    )


def test_a_damaged_raw_capture_is_left_out_and_named(store: Path, tmp_path: Path) -> None:
    sha256 = hashlib.sha256(ANSWER.read_bytes()).hexdigest()
    raw = next(p for p in (store / "raw").rglob("*") if p.name.startswith(sha256))
    raw.write_bytes(b"not gzip")
    out = tmp_path / "captures.warc.gz"
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "--format", "warc", "-o", str(out), "--store", str(store)])
    assert done.exit_code == 0, done.output
    assert f"raw capture {sha256}" in done.output and "threadkeep verify" in done.output
    assert [h.get("WARC-Target-URI") for k, h, _, _ in _records(out) if k == "response"] == [
        THREAD_URL
    ]


def test_an_export_of_a_store_in_a_bucket(s3_store: str, tmp_path: Path) -> None:
    archive = threadkeep.Archive(s3_store)
    _fill(archive)
    out = tmp_path / "bucket.warc.gz"
    done = archive.export_warc(out)
    assert (done.responses, done.revisits, done.resources, done.failed) == (2, 1, 1, 1)
    bodies = [body for kind, _, _, body in _records(out) if kind == "response"]
    assert bodies == [THREAD.read_bytes(), ANSWER.read_bytes()]
