"""Captures are merged in capture-time order, whatever order they are added in (issue 17).

A copy of 2020 recovered after a live capture of 2021 lacks nothing the 2021 copy showed, and
shows tweets the 2021 copy no longer does: they stay removed since 2021, with their 2020
content. An older copy never brings back or re-orders what later copies established; a
tweet's versions are in the order they were seen; a document's latest content is its newest
capture's. The same captures added in any order make the same records, which ``verify``,
``verify --repair`` and ``reparse`` all agree with; a writer SIGKILLed during an out-of-order
add leaves a store that verifies and repairs.

The copies are the real 2020 Thread Reader page of @QuinnyPig's thread
(``fixtures/threadreader/quinnypig_2020_full.html``), and copies of it made here as the
thread later looked: tweets cut out of the page, one tweet's text edited; and the real
syndication answers of one tweet (``fixtures/answers/``): the answer, then its tombstone; and
the real account export sample with a later export made from it (as
``tests/test_export_archive.py`` makes it).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import fixture_bytes
from tests.kill import killed, killed_at_rename
from threadkeep.archive import Archive
from threadkeep.archive import apply as apply_module
from threadkeep.cli import cli

THREAD = "1215710451343904768"
DOCUMENT = f"thread-{THREAD}"
URL = f"https://threadreaderapp.com/thread/{THREAD}.html"
SIXTH = "1215711194180288512"
SIXTH_TEXT = b"Never, ever, read the comments on videos of your talks."
T2020 = datetime(2020, 1, 11, 12, 0, tzinfo=UTC)
T2021 = datetime(2021, 6, 1, tzinfo=UTC)
T2022 = datetime(2022, 3, 1, tzinfo=UTC)
T2023 = datetime(2023, 9, 1, tzinfo=UTC)

PAGE = fixture_bytes("threadreader/quinnypig_2020_full.html")


def without(page: bytes, first: int, last: int) -> bytes:
    """The page with its tweets ``first`` to ``last`` (numbered from 1) cut out."""
    rows = [m.start() for m in re.finditer(rb'<div class="row t-tweet">', page)]
    return page[: rows[first - 1]] + page[rows[last] :]


def first_tweets(count: int) -> bytes:
    """The page with only its first ``count`` tweets: a smaller thread, for many orders."""
    end = PAGE.index(b"</div>\n</div>\n</div>", PAGE.index(f'id="tweet_{count}"'.encode()))
    last = PAGE.index(b"</div>\n</div>\n</div>", PAGE.index(b'id="tweet_102"'))
    return PAGE[:end] + PAGE[last:]


def edited(page: bytes) -> bytes:
    return page.replace(SIXTH_TEXT, b"Never read the comments.")


def ids(page: bytes, first: int, last: int) -> list[str]:
    """The ids of the page's tweets ``first`` to ``last``."""
    found = re.findall(rb'data-tweet="([0-9]+)"', page)
    return [tweet.decode() for tweet in found[first - 1 : last]]


def removed(archive: Archive) -> dict[str, datetime | None]:
    thread = archive.thread(THREAD)
    assert thread is not None
    return {str(tweet.id): tweet.removed_at for tweet in thread.tweets if tweet.removed}


def test_an_older_copy_added_later_leaves_what_the_later_copy_lacks_removed_since_then(
    tmp_path: Path,
) -> None:
    """The issue's case: the 2021 capture lacks tweets 40-45; the 2020 copy, recovered after
    it, brings them back as removed since 2021, with their 2020 content."""
    archive = Archive(tmp_path)
    lacking = without(PAGE, 40, 45)
    archive.add(lacking, url=URL, captured_at=T2021)
    gone = ids(PAGE, 40, 45)
    result = archive.add(PAGE, url=URL, captured_at=T2020)
    assert result.outcome == "changed"
    assert result.new == tuple(gone)  # new to the store; removed since 2021 at once
    assert removed(archive) == dict.fromkeys(gone, T2021)
    thread = archive.thread(THREAD)
    assert thread is not None and len(thread.tweets) == 102
    assert [tweet.id for tweet in thread.tweets[39:45]] == gone  # in their places
    forty = thread.tweets[39]
    assert forty.text is not None and forty.text.startswith("I've never, ever regretted")
    assert (forty.first_seen, forty.last_seen) == (T2020, T2020)
    first = thread.tweets[0]
    assert (first.first_seen, first.last_seen, first.removed) == (T2020, T2021, False)
    assert (thread.first_captured, thread.last_captured, thread.captures) == (T2020, T2021, 2)
    document = archive.document(DOCUMENT)
    assert document is not None
    assert [ref.captured_at for ref in document.snapshots] == [T2020, T2021]
    report = archive.verify()
    assert report.ok and not report.ahead, report.problems
    assert archive.raw(result.sha256) == PAGE


def test_an_older_copy_never_brings_back_what_later_copies_removed(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.add(PAGE, url=URL, captured_at=T2020)
    archive.add(without(PAGE, 40, 45), url=URL, captured_at=T2022)
    gone = ids(PAGE, 40, 45)
    assert removed(archive) == dict.fromkeys(gone, T2022)
    result = archive.add(PAGE, url=URL, captured_at=T2021)  # still there in 2021
    assert (result.removed, result.reappeared) == ((), ())
    assert removed(archive) == dict.fromkeys(gone, T2022)
    thread = archive.thread(THREAD)
    assert thread is not None and thread.tweets[39].last_seen == T2021
    # An older copy lacking them too says they were gone earlier: removed since then.
    archive.add(without(PAGE, 40, 45), url=URL, captured_at=datetime(2021, 9, 1, tzinfo=UTC))
    assert removed(archive) == dict.fromkeys(gone, datetime(2021, 9, 1, tzinfo=UTC))
    assert archive.verify().ok


def test_versions_are_in_capture_time_order_and_the_newest_copy_is_the_latest(
    tmp_path: Path,
) -> None:
    archive = Archive(tmp_path)
    archive.add(edited(PAGE), url=URL, captured_at=T2022)
    result = archive.add(PAGE, url=URL, captured_at=T2020)
    assert result.outcome == "changed"
    record = archive.tweet(SIXTH)
    assert record is not None
    assert [v.text for v in record.versions] == [SIXTH_TEXT.decode(), "Never read the comments."]
    assert [(v.first_seen, v.last_seen) for v in record.versions] == [
        (T2020, T2020),
        (T2022, T2022),
    ]
    assert record.latest.text == "Never read the comments."  # the 2022 copy's, not the last added
    assert [s.first_seen for s in record.sightings] == [T2020, T2022]
    history = archive.history(THREAD)
    assert history is not None
    assert [entry.time for entry in history.captures] == [T2020, T2022]
    assert [change.changed for change in history.snapshots] == [(), (SIXTH,)]


def test_an_answer_added_after_its_tombstone_keeps_the_tweet_removed_since_the_tombstone(
    tmp_path: Path,
) -> None:
    """Every source: the syndication answer of a tweet (March), found after the tombstone the
    same url gave in May, is its content; the tweet stays removed since May."""
    tweet = "2023357708301455483"
    url = f"https://cdn.syndication.twimg.com/tweet-result?id={tweet}&token=a"
    march, may = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    archive = Archive(tmp_path)
    archive.add(fixture_bytes("answers/syndication_emusks_tombstone_deleted.input.json"), url=url,
                captured_at=may)  # fmt: skip
    live = fixture_bytes(f"answers/syndication_emusks_2026_{tweet}.input.json")
    archive.add(live, url=url, captured_at=march)
    record = archive.tweet(tweet)
    assert record is not None
    assert (record.removed, record.removed_at) == (True, may)
    assert record.latest.text is not None and record.latest.text.startswith("Underdocumented")
    in_order = Archive(tmp_path / "in-order")
    in_order.add(live, url=url, captured_at=march)
    in_order.add(fixture_bytes("answers/syndication_emusks_tombstone_deleted.input.json"),
                 url=url, captured_at=may)  # fmt: skip
    assert records(archive) == records(in_order)
    assert archive.verify().ok


# -- every order -----------------------------------------------------------------------------

SMALL = first_tweets(12)
CAPTURES = [  # (what, when): the thread as it was seen, a year apart
    (SMALL, T2020),
    (without(SMALL, 5, 7), T2021),  # three tweets gone
    (edited(without(SMALL, 5, 7)), T2022),  # and one edited
    (SMALL, T2023),  # the same bytes as 2020: the three back (a page shows presence)
]


def _numberless(path: str) -> str:
    """A snapshot's path without its number (the order it was written in) nor generation."""
    folder, name = path.split("/", 2)[2].rsplit("/", 1)
    return f"{folder}/{name.split('-', 1)[1]}"


def records(archive: Archive) -> dict[str, Any]:
    """Every tweet and document record the store gives, snapshots named by their content."""
    tweets = {record.key: record.model_dump() for record in archive.records()}
    documents = {}
    for path in archive.files.document_paths(archive.generation):
        key = path.rsplit("/", 1)[-1].removesuffix(".json")
        document = archive.document(key)
        assert document is not None
        dumped = document.model_dump()
        for ref in dumped["snapshots"]:
            ref["path"] = _numberless(ref["path"])
        documents[key] = dumped
    return {"tweets": tweets, "documents": documents}


@pytest.fixture(scope="module")
def in_order(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    archive = Archive(tmp_path_factory.mktemp("in-order"))
    for page, at in CAPTURES:
        archive.add(page, url=URL, captured_at=at)
    gone = ids(SMALL, 5, 7)
    thread = archive.thread(THREAD)
    assert thread is not None
    assert [tweet.removed for tweet in thread.tweets if tweet.id in gone] == [False] * 3
    record = archive.tweet(gone[0])
    assert record is not None and record.removed_at is None
    return records(archive)


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(CAPTURES)))))
def test_every_order_of_the_same_captures_makes_the_same_records(
    tmp_path: Path, order: tuple[int, ...], in_order: dict[str, Any]
) -> None:
    archive = Archive(tmp_path)
    for index in order:
        page, at = CAPTURES[index]
        archive.add(page, url=URL, captured_at=at)
    assert records(archive) == in_order
    report = archive.verify()
    assert report.ok and not report.ahead, report.problems
    if order[0] != 0 and order[-1] != 3:  # the rebuilds, on a few orders (they take a while)
        return
    repaired = archive.repair()
    assert repaired.ok and repaired.generation is None  # nothing to repair
    archive.reparse()
    assert records(archive) == in_order
    assert archive.verify().ok


def test_three_orders_of_three_captures_of_one_store_agree_after_a_reparse(
    tmp_path: Path,
) -> None:
    """A store whose captures were added in any order reparses to the store made in order."""
    made = []
    for order in [(0, 1, 2), (2, 1, 0), (1, 2, 0)]:
        archive = Archive(tmp_path / "".join(map(str, order)))
        for index in order:
            page, at = CAPTURES[index]
            archive.add(page, url=URL, captured_at=at)
        archive.reparse()
        made.append(records(archive))
    assert made[0] == made[1] == made[2]


# -- SIGKILL ---------------------------------------------------------------------------------

KILLED_AT_RENAME = killed_at_rename(
    """
    archive = Archive(store)
    archive.add(open(source, "rb").read(), url=sys.argv[4],
                captured_at=datetime(2020, 1, 11, 12, tzinfo=timezone.utc))
    """
)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_sigkill_during_an_out_of_order_add_is_repaired(tmp_path: Path) -> None:
    """The 2020 copy added after the 2021 one, the writer killed before each rename of its
    batch in turn: the store verifies (records ahead of the log, at most), and repair brings
    it to the store after the add: the capture was kept (format 3: its capture object is
    written before any record), pending, and repair merges it."""
    small = tmp_path / "small.html"
    small.write_bytes(SMALL)
    first = tmp_path / "first"
    Archive(first).add(without(SMALL, 5, 7), url=URL, captured_at=T2021)
    whole = tmp_path / "whole"
    shutil.copytree(first, whole)
    Archive(whole).add(SMALL, url=URL, captured_at=T2020)
    at = 1
    while True:
        store = tmp_path / f"killed-{at}"
        shutil.copytree(first, store)
        if not killed(KILLED_AT_RENAME, str(store), str(small), str(at), URL):
            break  # past the last rename: the capture was made
        archive = Archive(store)
        report = archive.verify()
        assert report.ok, (at, report.problems)
        assert len(list(archive.captures())) == 1, at  # the killed capture is not logged
        assert len(report.pending) == 1 and not report.orphans, at  # but kept
        assert archive.repair().ok, at
        repaired = Archive(store).verify()
        assert repaired.ok and not repaired.ahead and not repaired.orphans, at
        assert not repaired.pending, at
        assert removed(Archive(store)) == removed(Archive(whole)), at
        assert records(Archive(store)) == records(Archive(whole)), at
        at += 1
    assert at > 4  # the raw body, a snapshot, the tweet records it changed, the document
    assert records(Archive(tmp_path / f"killed-{at}")) == records(Archive(whole))


# -- stores merged in the order added --------------------------------------------------------


def test_a_store_merged_in_the_order_added_verifies_and_repair_merges_it_in_time_order(
    tmp_path: Path,
) -> None:
    """A store threadkeep made before it merged captures in time order (the 2020 copy merged
    after the 2021 one, as added) is not damaged: ``verify`` says so, and ``verify --repair``
    merges its captures again in time order."""
    archive = Archive(tmp_path)
    archive.add(without(PAGE, 40, 45), url=URL, captured_at=T2021)

    def as_added(
        files: Any,
        log: Any,
        result: Any,
        *,
        sha: str,
        at: datetime,
        generation: int,
        again: bool = False,
    ) -> Any:
        return apply_module.apply(files, result, sha=sha, at=at, generation=generation)

    apply_module.capture(
        archive.files, archive.log, PAGE, url=URL, at=T2020, status=None, place=as_added
    )
    assert removed(archive) == {}  # as threadkeep merged it: the later-added copy shows them
    report = archive.verify()
    assert report.ok and report.added_order and not report.problems
    done = CliRunner().invoke(cli, ["verify", "--store", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "ADDED ORDER" in done.output and "DAMAGED" not in done.output
    repaired = archive.repair()
    assert repaired.ok and repaired.generation == 2
    assert removed(archive) == dict.fromkeys(ids(PAGE, 40, 45), T2021)
    again = archive.verify()
    assert again.ok and not again.added_order and not again.problems


def test_an_older_export_archived_after_a_later_one_makes_the_same_records(
    tmp_path: Path,
) -> None:
    """Every source: an account export of 2024 archived after the account's export of 2025
    (in which one tweet is gone and one deleted) makes what the two make in time order."""
    from tests.test_export_archive import make_export

    first = make_export(tmp_path / "first")
    later = make_export(
        tmp_path / "later",
        generated="2025-02-01T10:00:00.000Z",
        drop=("1853790406305108349",),
        delete=("1771250958229450966",),
    )
    backwards = Archive(tmp_path / "backwards")
    backwards.export(later)
    done = backwards.export(first)
    assert done.written and done.result.new == ("1853790406305108349",)
    forwards = Archive(tmp_path / "forwards")
    forwards.export(first)
    forwards.export(later)
    assert records(backwards) == records(forwards)
    gone = backwards.tweet("1853790406305108349")
    assert gone is not None and gone.removed and gone.latest.text  # removed since 2025
    report = backwards.verify()
    assert report.ok and not report.ahead and not report.added_order, report.problems


# -- the snapshots a process keeps for its merges ----------------------------------------------


def _snapshot_refs(archive: Archive) -> list[Any]:
    document = archive.files.document(DOCUMENT, archive.files.generation())
    assert document is not None
    return list(document.snapshots)


def test_a_kept_snapshot_is_used_only_for_the_source_its_record_names(tmp_path: Path) -> None:
    """A snapshot's name holds its number and content hash, not its source: a file written
    again at the same name with another source (a capture cut short, then replaced) is read
    again, not answered from what the process kept (found by review)."""
    archive = Archive(tmp_path / "store")
    archive.add(PAGE, url=URL, captured_at=T2020)
    (ref,) = _snapshot_refs(archive)
    files = archive.files
    kept = files.snapshot_kept(ref.path, (ref.raw_sha256, ref.captured_at))
    assert kept.source is not None and kept.source.captured_at == T2020
    assert files.snapshot_kept(ref.path, (ref.raw_sha256, ref.captured_at)) is kept
    again = kept.model_copy(
        update={"source": kept.source.model_copy(update={"captured_at": T2021, "sha256": "0" * 64})}
    )
    files.storage.write_atomic(ref.path, again.model_dump_json().encode())
    read = files.snapshot_kept(ref.path, ("0" * 64, T2021))
    assert read.source is not None and read.source.captured_at == T2021


def test_the_snapshots_kept_stay_within_their_byte_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most KEPT_BYTES of snapshot JSON is kept, the oldest let go first; a snapshot
    larger than an eighth of it is not kept at all."""
    from threadkeep.archive import files as files_module

    small = first_tweets(12)
    archive = Archive(tmp_path / "store")
    for n in range(12):
        at = T2020.replace(day=n + 1)
        archive.add(small.replace(SIXTH_TEXT, b"take %d" % n), url=URL, captured_at=at)
    refs = _snapshot_refs(archive)
    sizes = [len(archive.storage.read(ref.path)) for ref in refs]
    assert len(refs) == 12
    monkeypatch.setattr(files_module, "KEPT_BYTES", 8 * max(sizes))  # about 8 of them
    files = Archive(tmp_path / "store").files
    for ref in refs:
        files.snapshot_kept(ref.path, (ref.raw_sha256, ref.captured_at))
    kept = list(files._kept)
    assert 0 < len(kept) < 12 and kept == [ref.path for ref in refs[-len(kept) :]]
    assert files._kept_bytes == sum(sizes[-len(kept) :]) <= files_module.KEPT_BYTES
    monkeypatch.setattr(files_module, "KEPT_BYTES", 8 * min(sizes) - 8)  # each too big
    none = Archive(tmp_path / "store").files
    for ref in refs:
        none.snapshot_kept(ref.path, (ref.raw_sha256, ref.captured_at))
    assert not none._kept
