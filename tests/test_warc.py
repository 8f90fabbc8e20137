"""Web-archive files in: every page record of a WARC or WACZ read as one input.

The WARCs are written by tests/warcs.py (warcio, fixed ids and dates); fixtures/warc/ holds
the small edge files it made (fixtures/warc/README.md).
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.warcs import (
    NO_TWEETS,
    TWEET_PAGE,
    TWEET_URL,
    Rec,
    make_fixtures,
    plain_records,
    sha1_digest,
    tiny_warc,
    warc_bytes,
)
from threadkeep import batch
from threadkeep.warc.index import per_record_gzip
from threadkeep.warc.read import read_page

WARCS = FIXTURES / "warc"
ROOT = Path(__file__).resolve().parent.parent


def tk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, check=False,
    )  # fmt: skip


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def sources(out: str) -> list[dict[str, object]]:
    return [line["source"] for line in lines(out)]  # type: ignore[misc]


def test_the_checked_in_fixtures_are_what_tests_warcs_makes(tmp_path: Path) -> None:
    make_fixtures(tmp_path)
    for made in sorted(tmp_path.iterdir()):
        assert made.read_bytes() == (WARCS / made.name).read_bytes(), made.name


def test_each_page_record_becomes_a_result_with_url_time_kind_and_origin(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes(plain_records()))
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    [found] = sources(done.stdout)
    assert found["kind"] == "threadreader"
    assert found["url"] == TWEET_URL
    assert found["captured_at"] == "2024-05-01T10:00:00Z"
    origin = found["origin"]
    assert isinstance(origin, dict)
    assert origin["file"] == str(crawl)
    assert origin["record_id"] == "<urn:uuid:00000000-0000-0000-0000-000000000001>"
    # the offset is where the record starts: read there, it is that record
    with crawl.open("rb") as stream:
        stream.seek(origin["offset"])
        assert gzip.GzipFile(fileobj=stream).read(9) == b"WARC/1.1\r"
    # the page without tweets and the text resource are counted, the image is not an input
    assert "2 of 3 inputs held no tweets (not written)" in done.stderr


def test_a_page_without_origin_writes_no_origin_field() -> None:
    import threadkeep

    result = threadkeep.parse(TWEET_PAGE, url=TWEET_URL)
    assert "origin" not in json.loads(result.model_dump_json())["source"]


def test_a_web_archive_stamp_inside_the_page_wins_over_warc_date(tmp_path: Path) -> None:
    wayback = (FIXTURES / "nitter" / "constructed_2025_status_webarchive.html").read_bytes()
    crawl = tmp_path / "wayback.warc"
    crawl.write_bytes(warc_bytes([Rec("https://example.org/w", wayback,
                                      date="2030-01-01T00:00:00Z")], gz=False))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    [found] = sources(done.stdout)
    assert found["captured_at"] == "2025-06-04T12:30:00Z"  # the archive's, not the crawl's


def test_revisits_resolved_in_file_and_counted_when_the_original_is_elsewhere() -> None:
    done = tk("convert", str(WARCS / "revisits.warc.gz"), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    found = sources(done.stdout)
    assert [(s["url"], s["captured_at"]) for s in found] == [
        (TWEET_URL, "2024-05-01T10:00:00Z"),
        (TWEET_URL + "?again", "2024-06-01T10:00:00Z"),  # the revisit's own url and date
    ]
    assert found[0]["sha256"] == found[1]["sha256"]  # the original's payload
    assert "1 of 3 inputs held no tweets" in done.stderr  # the unresolved revisit


@pytest.mark.parametrize("name", ["plain", "gzip", "chunked", "chunked-gzip", "br", "deflate"])
def test_encoded_payloads_are_decoded(name: str) -> None:
    items = list(batch.inputs([str(WARCS / "encoded.warc.gz")]))
    pages = {read_page(*i.record).url: read_page(*i.record) for i in items if i.record}
    assert pages[f"https://example.org/{name}"].body == TWEET_PAGE


def test_warc_1_0_plain_and_whole_file_gzip_read_the_same_pages() -> None:
    plain = tk("convert", str(WARCS / "plain-1.0.warc"), "--format", "jsonl")
    whole = tk("convert", str(WARCS / "whole-gzip.warc.gz"), "--format", "jsonl")
    assert plain.returncode == whole.returncode == 0
    assert [s["url"] for s in sources(plain.stdout)] == [TWEET_URL]
    assert [s["url"] for s in sources(whole.stdout)] == [TWEET_URL]
    with (WARCS / "whole-gzip.warc.gz").open("rb") as stream:
        assert not per_record_gzip(stream)
    with (WARCS / "revisits.warc.gz").open("rb") as stream:
        assert per_record_gzip(stream)


def test_a_wacz_is_read_in_place_stored_and_deflated_members() -> None:
    done = tk("convert", str(WARCS / "crawl.wacz"), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    files = [s["origin"]["file"] for s in sources(done.stdout)]  # type: ignore[index]
    wacz = str(WARCS / "crawl.wacz")
    assert files == [f"{wacz}#archive/data.warc.gz"] * 2 + [f"{wacz}#archive/more.warc"]


def test_a_wacz_with_an_unsafe_member_name_is_refused_by_name(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(bad, "w") as wacz:
        wacz.writestr("../archive/x.warc", warc_bytes(plain_records(), gz=False))
    done = tk("convert", str(bad))
    assert done.returncode == 1
    assert "bad.wacz" in done.stderr and "unsafe WACZ" in done.stderr
    assert "Traceback" not in done.stderr


def _three() -> list[Rec]:
    return [
        Rec(f"https://example.org/{n}", TWEET_PAGE.replace(b"'20'", f"'{21 + n}'".encode()),
            date=f"2024-05-01T10:00:0{n}Z")
        for n in range(3)
    ]  # fmt: skip


def test_a_damaged_record_mid_file_is_named_with_its_offset_and_the_rest_converted(
    tmp_path: Path,
) -> None:
    data = bytearray(warc_bytes(_three()))
    members = [m.start() for m in re.finditer(b"\x1f\x8b\x08", bytes(data))]
    bad = members[2]  # warcinfo, record 0, then record 1
    data[bad + 30 : bad + 60] = b"\0" * 30
    crawl = tmp_path / "damaged.warc.gz"
    crawl.write_bytes(bytes(data))
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 1
    assert [s["url"] for s in sources(done.stdout)] == [
        "https://example.org/0", "https://example.org/2"
    ]  # fmt: skip
    assert f"{crawl} at {bad}: damaged WARC record" in done.stderr
    assert "1 of 3 inputs failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_damaged_header_in_a_plain_warc_is_skipped_to_the_next_record(tmp_path: Path) -> None:
    data = bytearray(warc_bytes(_three(), gz=False))
    second = data.find(b"WARC/1.1", data.find(b"https://example.org/1") - 300)
    data[second : second + 8] = b"WARX/9.9"
    crawl = tmp_path / "damaged.warc"
    crawl.write_bytes(bytes(data))
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert [s["url"] for s in sources(done.stdout)] == [
        "https://example.org/0", "https://example.org/2"
    ]  # fmt: skip
    assert f"{crawl} at {second}: damaged WARC record" in done.stderr


def test_a_payload_that_is_not_what_its_encoding_says_fails_alone(tmp_path: Path) -> None:
    records = [
        Rec("https://example.org/bad", TWEET_PAGE, wire=b"not gzip at all",
            headers=[("Content-Encoding", "gzip")]),
        Rec(TWEET_URL, TWEET_PAGE),
    ]  # fmt: skip
    crawl = tmp_path / "bad.warc.gz"
    crawl.write_bytes(warc_bytes(records))
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert [s["url"] for s in sources(done.stdout)] == [TWEET_URL]
    assert re.search(r"bad\.warc\.gz at \d+: payload not gzip as its headers say", done.stderr)


def test_a_warc_without_its_suffix_is_sniffed_and_a_folder_finds_warcs(tmp_path: Path) -> None:
    (tmp_path / "crawl.bin").write_bytes(warc_bytes(plain_records()))
    done = tk("convert", str(tmp_path / "crawl.bin"), "--format", "jsonl")
    assert [s["url"] for s in sources(done.stdout)] == [TWEET_URL]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.WARC.GZ").write_bytes(warc_bytes(plain_records()))
    (folder / "page.html").write_bytes(TWEET_PAGE)
    out = tmp_path / "out"
    done = tk("convert", str(folder), "-o", str(out))
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == [f"a.WARC.GZ/{_first_page_offset(folder / 'a.WARC.GZ')}.json", "page.json"]


def _first_page_offset(path: Path) -> int:
    return next(i.record[1].offset for i in batch.inputs([str(path)]) if i.record)


def test_archive_a_warc_then_again_changes_nothing(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([*plain_records(), *_three()]))
    store = tmp_path / "store"
    first = tk("archive", str(crawl), "--store", str(store), "--format", "json")
    assert first.returncode == 0, first.stderr
    said = {line["source"]: line for line in lines(first.stdout)}
    added = [line for line in said.values() if line["outcome"] == "new"]
    assert len(added) == 4  # thread 20 and the three numbered pages
    assert {line["captured_at"] for line in added} >= {"2024-05-01T10:00:00Z"}
    assert "2 of 6 sources held no tweets" in first.stderr

    import threadkeep

    archive = threadkeep.Archive(store)
    logged = {c.url: c for c in archive.captures()}
    page = logged[TWEET_URL]
    assert page.status == 200
    assert page.digest == sha1_digest(TWEET_PAGE).removeprefix("sha1:")  # bare, as recover
    before = {p: p.read_bytes() for p in store.rglob("*") if p.is_file() and p.name != "lock"}

    again = tk("archive", str(crawl), "--store", str(store), "--format", "json")
    assert again.returncode == 0, again.stderr
    after = {p: p.read_bytes() for p in store.rglob("*") if p.is_file() and p.name != "lock"}
    assert after == before
    assert {line["outcome"] for line in lines(again.stdout)} == {"skipped"}
    assert "in the archive already" in lines(again.stdout)[0]["reason"]  # type: ignore[operator]


def test_importing_batch_inputs_loads_no_warc_library() -> None:
    code = "import sys, threadkeep.batch.inputs; print('warcio' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)  # fmt: skip
    assert done.stdout.strip() == "False"


def test_no_tweets_page_constant_parses_to_nothing() -> None:
    import threadkeep
    from threadkeep.errors import UnsupportedPage

    with pytest.raises(UnsupportedPage):
        threadkeep.parse(NO_TWEETS)


def _peak_convert_mb(crawl: Path, out: Path) -> float:
    """The peak resident memory of `threadkeep convert CRAWL -o OUT`, run as a user runs it."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'threadkeep', 'convert', sys.argv[1],"
        " '--format', 'jsonl', '-o', sys.argv[2]], stdout=subprocess.DEVNULL,"
        " stderr=subprocess.PIPE, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(done.stderr[-2000:], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(crawl), str(out)],
                          capture_output=True, text=True, cwd=ROOT, check=True)  # fmt: skip
    code, peak_kb = done.stdout.split()
    assert code in ("0", "1"), done.stderr
    return int(peak_kb) / 1024


def _check_flat_memory(tmp_path: Path, megabytes: int) -> None:
    from tests.warcs import big_warc

    crawl = tmp_path / "crawl.warc.gz"
    pages = big_warc(crawl, megabytes)
    out = tmp_path / "out.jsonl"
    peak = _peak_convert_mb(crawl, out)
    assert peak <= 300, f"peak RSS {peak:.0f} MB converting a {megabytes} MB WARC"
    with out.open("rb") as stream:
        converted = sum(1 for _ in stream)
    assert converted > pages // 2  # the pages with tweets, each one line


def test_converting_a_50_mb_warc_stays_under_300_mb(tmp_path: Path) -> None:
    _check_flat_memory(tmp_path, 50)


TINY_RECORDS = 200_000
TINY_PEAK_MB = 110
"""Measured (2 cores, Python 3.11): these 200,000 tiny records took 208 MB at their peak when
each was an Input object planned before the first was read, and take 58 MB now (a one-record
WARC: 53 MB). The bound sits between, with room for another machine's allocator."""


def test_two_hundred_thousand_records_convert_in_flat_memory(tmp_path: Path) -> None:
    crawl = tmp_path / "tiny.warc.gz"
    tiny_warc(crawl, TINY_RECORDS, kind="revisit")  # never read: the plan is what is measured
    peak = _peak_convert_mb(crawl, tmp_path / "out.jsonl")
    assert peak <= TINY_PEAK_MB, f"peak RSS {peak:.0f} MB planning {TINY_RECORDS} records"


@pytest.mark.slow
def test_converting_a_1_gb_warc_stays_under_300_mb(tmp_path: Path) -> None:
    _check_flat_memory(tmp_path, 1024)


def test_a_warc_result_validates_against_the_schema_version_4() -> None:
    import jsonschema

    schema = json.loads(tk("schema").stdout)
    assert schema["version"] == 4
    done = tk("convert", str(WARCS / "revisits.warc.gz"), "--format", "jsonl")
    for document in lines(done.stdout):
        jsonschema.validate(document, schema)
        assert set(document["source"]["origin"]) == {"file", "offset", "record_id"}  # type: ignore[index,call-overload]


def test_a_warc_gzipped_whole_converts_like_the_same_records_gzipped_one_by_one(
    tmp_path: Path,
) -> None:
    from tests.warcs import big_warc

    by_record = tmp_path / "records.warc.gz"
    big_warc(by_record, 6)  # past what the whole-gzip reader keeps to seek back over
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(gzip.decompress(by_record.read_bytes()), mtime=0))
    results = []
    for crawl in (by_record, whole):
        done = tk("convert", str(crawl), "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        results.append([{k: v for k, v in d.items() if k != "source"} for d in lines(done.stdout)])
    assert len(results[0]) > 300
    assert results[0] == results[1]


def test_without_warcio_each_warc_file_fails_saying_what_to_install(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes(plain_records()))
    script = (
        "import sys; sys.modules['warcio'] = None\n"
        "from threadkeep.cli import main; main(['convert', sys.argv[1]])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(crawl)], capture_output=True,
                          text=True, cwd=ROOT, check=False)  # fmt: skip
    assert done.returncode == 1
    assert "pip install 'threadkeep[warc]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_parse_takes_a_capture_time_only_with_its_time_zone() -> None:
    from datetime import UTC, datetime

    import threadkeep

    when = datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert threadkeep.parse(TWEET_PAGE, captured_at=when).source.captured_at == when  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="time zone"):
        threadkeep.parse(TWEET_PAGE, captured_at=datetime(2024, 5, 1, 10))


def test_style_sheets_and_scripts_in_a_crawl_are_not_inputs(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([
        Rec(TWEET_URL, TWEET_PAGE),
        Rec("https://example.org/site.css", b"body { color: red }", content_type="text/css"),
        Rec("https://example.org/app.js", b"let a = 1;",
            content_type="text/javascript; charset=utf-8"),
        Rec("https://example.org/note.txt", b"nothing here", content_type="text/plain"),
    ]))  # fmt: skip
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert [s["url"] for s in sources(done.stdout)] == [TWEET_URL]  # type: ignore[index]
    # the text file is read (a page could be plain text); the CSS and the script never are
    assert "1 of 2 inputs held no tweets (not written)" in done.stderr


def test_a_revisit_before_its_original_is_counted_and_the_original_still_converted(
    tmp_path: Path,
) -> None:
    # Files concatenated out of order: the revisit comes first (docs/warc.md, Limits).
    original = Rec(TWEET_URL, TWEET_PAGE, date="2024-05-01T10:00:00Z")
    revisit = Rec(TWEET_URL + "?again", kind="revisit", refers_to=original,
                  date="2024-06-01T10:00:00Z")  # fmt: skip
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([revisit, original]))
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert [s["url"] for s in sources(done.stdout)] == [TWEET_URL]  # type: ignore[index]
    assert "1 of 2 inputs held no tweets (not written)" in done.stderr
