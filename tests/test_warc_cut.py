"""WARC files cut short (a download or a copy that stopped): the records before the cut
convert, the cut one is named with its offset, and the run exits 1 (DESIGN.md: some inputs
failed). A cut record is never read as a shorter page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.test_warc import sources, tk
from tests.warcs import TWEET_PAGE, Rec, warc_bytes

PAGES = [Rec(f"https://example.org/{n}", TWEET_PAGE.replace(b"'20'", b"'2%d'" % n) + b" " * 400)
         for n in range(3)]  # fmt: skip
URLS = ["https://example.org/0", "https://example.org/1"]


def _last_record(data: bytes) -> int:
    """The offset of the last record (a plain WARC's, or its gzip member's)."""
    if data.startswith(b"\x1f\x8b"):
        return [m.start() for m in re.finditer(b"\x1f\x8b\x08", data)][-1]
    return data.rfind(b"WARC/1.1\r\n")


@pytest.mark.parametrize(("name", "gz"), [("cut.warc.gz", True), ("cut.warc", False)])
def test_a_record_cut_short_is_named_not_read_as_a_shorter_page(
    tmp_path: Path, name: str, gz: bool
) -> None:
    data = warc_bytes(PAGES, gz=gz)
    crawl = tmp_path / name
    crawl.write_bytes(data[:-60])  # inside the last record's payload
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert [s["url"] for s in sources(done.stdout)] == URLS
    assert done.returncode == 1, done.stderr
    assert f"{crawl} at {_last_record(data)}: " in done.stderr
    assert "cut short" in done.stderr or "damaged WARC record" in done.stderr
    assert "held no tweets" not in done.stderr


def test_a_warc_gzipped_whole_and_cut_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    crawl = tmp_path / "whole.warc.gz"
    crawl.write_bytes(gzip.compress(warc_bytes(PAGES, gz=False), mtime=0)[:-60])
    done = tk("convert", str(crawl), "--format", "jsonl")
    assert [s["url"] for s in sources(done.stdout)] == URLS
    assert done.returncode == 1
    assert f"{crawl} at " in done.stderr
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr
