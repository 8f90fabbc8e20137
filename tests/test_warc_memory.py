"""Memory flat in the number of WARC records (issue 20): a crawl's records are planned in a
few bytes each, and the compact plan gives the same inputs, output names and revisit
originals as one Input object a record did. The peak memory itself is measured in
tests/test_warc.py, beside the other memory tests."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from tests.warcs import tiny_warc
from threadkeep import batch
from threadkeep.batch.input_list import InputList, WarcRecords
from threadkeep.warc.index import index

CUTS = [(0, 2), (2, 9), (3, 8), (5, 11), (0, 11), (10, 11), (7, 7)]
"""Ranges of the 11 inputs of _mixed(), within a part and across parts, as Dask cuts them."""


def _mixed(folder: Path) -> list[str]:
    """Two WARCs of one name in two folders (their records' names clash), a third alone, and
    a saved page: every way a record's output name is decided."""
    for place in ("a", "b"):
        (folder / place).mkdir()
        tiny_warc(folder / place / "crawl.warc.gz", 3)
    tiny_warc(folder / "alone.warc.gz", 4, kind="revisit")
    (folder / "page.html").write_text("<p>hi</p>")
    return [str(folder / "a" / "crawl.warc.gz"), str(folder / "b" / "crawl.warc.gz"),
            str(folder / "alone.warc.gz"), str(folder / "page.html")]  # fmt: skip


def test_the_compact_plan_holds_what_the_list_of_inputs_did(tmp_path: Path) -> None:
    paths = _mixed(tmp_path)
    compact, listed = batch.input_list(paths), list(batch.inputs(paths))
    assert isinstance(compact, InputList)
    assert sum(isinstance(part, WarcRecords) for part in compact.parts) == 3
    assert list(compact) == listed == [compact[i] for i in range(len(listed))]
    assert tuple(compact[2:9]) == tuple(listed[2:9]) and compact[-1] == listed[-1]
    assert [tuple(compact[a:b]) for a, b in CUTS] == [tuple(listed[a:b]) for a, b in CUTS]
    assert [item.record for item in compact] == [item.record for item in listed]
    for fmt in ("json", "md"):
        compact_run = batch.plan(compact, fmt=fmt, output=str(tmp_path / "out/"))  # type: ignore[arg-type]
        listed_run = batch.plan(listed, fmt=fmt, output=str(tmp_path / "out/"))  # type: ignore[arg-type]
        assert list(compact_run.names) == list(listed_run.names)
        cut = [tuple(compact_run.names[a:b]) for a, b in CUTS]
        assert cut == [tuple(listed_run.names[a:b]) for a, b in CUTS]
    names = [str(name) for name in batch.plan(compact, output="out/").names]
    assert names[0] == "crawl.warc.gz/0.json" and names[3] == "crawl.warc.gz/0-2.json"
    assert names[6].startswith("alone.warc.gz/") and names[-1] == "page.json"


def test_revisits_find_their_original_past_the_first_thousand_pages(tmp_path: Path) -> None:
    pages, revisits = tmp_path / "pages.warc.gz", tmp_path / "revisits.warc.gz"
    tiny_warc(pages, 3000)
    tiny_warc(revisits, 3000, kind="revisit")
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(pages.read_bytes() + revisits.read_bytes())  # one gzip member a record
    with crawl.open("rb") as stream:
        found = list(index(stream))
    first, then = found[:3000], found[3000:]
    assert [ref.original for ref in then] == [ref.offset for ref in first]
    assert not any(ref.unresolved for ref in found)


def test_a_dask_task_range_is_sent_in_a_few_bytes_a_record(tmp_path: Path) -> None:
    """A task's inputs and output names are pickled into the Dask graph: 17 bytes a record
    each (measured), where a tuple of Input objects and paths took 137."""
    crawl = tmp_path / "tiny.warc.gz"
    tiny_warc(crawl, 20_000, kind="revisit")
    run = batch.plan(batch.input_list([str(crawl)]), output=str(tmp_path / "out/"))
    items, names = run.items[5000:15000], run.names[5000:15000]
    assert len(pickle.dumps(items)) + len(pickle.dumps(names)) < 40 * 10_000
    assert list(pickle.loads(pickle.dumps(items))) == list(items)
    assert list(pickle.loads(pickle.dumps(names))) == list(names)
    assert names[0] == Path("tiny.warc.gz") / f"{items[0].record[1].offset}.json"  # type: ignore[index]


def test_two_digests_sharing_a_fingerprint_never_read_as_each_others_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps 64-bit fingerprints of payload digests; were two digests to share one,
    a revisit of the second page would point at the first: reading it checks the digests and
    names the record instead of giving the first page under the revisit's url."""
    import threadkeep.warc.index as warc_index
    from tests.warcs import TWEET_URL, Rec, warc_bytes

    monkeypatch.setattr(warc_index._Originals, "_key", staticmethod(lambda digest: 7))
    first = Rec(TWEET_URL, b"<div class='content-tweet' data-tweet='20'>first</div>")
    second = Rec("https://threadreaderapp.com/thread/30.html",
                 b"<div class='content-tweet' data-tweet='30'>second</div>")  # fmt: skip
    again = Rec(second.url, kind="revisit", refers_to=second, date="2024-06-01T10:00:00Z")
    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(warc_bytes([first, second, again]))
    report = batch.Report(3)
    run = batch.plan(batch.input_list([str(crawl)]), fmt="jsonl", output=str(tmp_path / "o.jsonl"))
    outcomes = list(batch.convert(run, report=report, stdout=io.StringIO(), stdin=io.BytesIO()))
    assert [o.error is None for o in outcomes] == [True, True, False]
    assert "a revisit whose original (payload sha1:" in (outcomes[2].error or "")
    assert "first" not in (tmp_path / "o.jsonl").read_text().splitlines()[-1]
