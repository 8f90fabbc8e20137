"""Records read from several threads at once: a Dask worker runs one task a thread (``dask
worker`` starts one thread a core), each reading its own range of the same WARC."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.warcs import TWEET_PAGE, TWEET_URL, Rec, warc_bytes
from threadkeep.warc.read import Source, close_open, read_page, refs


@pytest.mark.parametrize("gz", [False, True])
def test_threads_reading_one_warc_each_get_their_own_records(tmp_path: Path, gz: bool) -> None:
    crawl = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    pad = b" " * 60_000  # records long enough that a read is interrupted by another thread's
    crawl.write_bytes(warc_bytes([Rec(f"{TWEET_URL}?n={n}", TWEET_PAGE + pad)
                                  for n in range(60)], gz=gz))  # fmt: skip
    source = Source(crawl)
    found = list(refs(source))

    def read(part: list[object]) -> list[str | None]:
        try:
            return [read_page(source, ref).url for ref in part]  # type: ignore[arg-type]
        finally:
            close_open()  # as each Dask task does when it ends

    parts = [found[at : at + 3] for at in range(0, len(found), 3)]
    with ThreadPoolExecutor(4) as pool:
        urls = [url for got in pool.map(read, parts) for url in got]
    assert urls == [ref.url for ref in found] == [f"{TWEET_URL}?n={n}" for n in range(60)]
