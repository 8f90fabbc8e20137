"""Benchmark: the archive's write rate, its size on disk, and ``show`` on a large store.

Measured, with synthetic Thread Reader thread pages made from the real 2020 page's markup
(``fixtures/threadreader/quinnypig_2020_full.html``): each page holds ``--per-thread`` tweets
with distinct ids and texts.

1. **captures/s, new threads**: ``Archive.add`` of pages never seen (each writes a raw body,
   a snapshot, one record per tweet, the document record and a log line, every file synced);
2. **captures/s, unchanged re-captures**: the same pages again (a log line and a document
   record only);
3. **bytes per tweet**: the store's size on disk divided by the tweets in it;
4. **show time**: ``Archive.thread(id)`` on the first, a middle and the last thread, as the
   store grows to ``--tweets`` tweets (target: independent of store size, under 50 ms).

5. **verify time** (``--verify``): ``Archive.verify()`` on a store this script built before
   (``--store``), with its peak memory: every hash, and the log replayed and compared.

6. **only the work that changed** (``--work``), on the real 133 KB thread page: an unchanged
   re-capture of stored bytes against a ``parse()`` of the same page, timed interleaved in
   this process with the garbage collector on (target: at most 0.3 times), and the files an
   edited copy writes when k of its tweets changed (target: k tweet records and a constant
   number of other files).

Run from the repository root::

    python benchmarks/archive.py                  # 100,000 tweets (a few minutes)
    python benchmarks/archive.py --tweets 10000   # quicker
    python benchmarks/archive.py --tweets 10000 --store S   # then:
    python benchmarks/archive.py --verify --store S
    python benchmarks/archive.py --work           # target 3 and 4 of issue 15
    python benchmarks/archive.py --show --store S # show again on a store built before
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import threadkeep
from threadkeep.archive import Archive

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "fixtures" / "threadreader" / "quinnypig_2020_full.html").read_bytes()


def synthetic_page(thread: int, per_thread: int) -> tuple[bytes, str]:
    """A thread page with ``per_thread`` tweets, ids unique to ``thread``."""
    root = 1300000000000000000 + thread * 10_000
    head = PAGE[: PAGE.index(b'<div class="row t-tweet">')]
    last = PAGE.index(b"</div>\n</div>\n</div>", PAGE.index(b'id="tweet_102"'))
    tail = PAGE[last + len(b"</div>\n</div>\n</div>") :]
    rows = []
    for n in range(1, per_thread + 1):
        rows.append(
            f'<div class="row t-tweet"><div class="col-12"><div id="tweet_{n}" '
            f'data-screenname="bench" data-tweet="{root + n - 1}" class="content-tweet '
            f'allow-preview" dir="auto">Tweet {n} of thread {thread}: some text about '
            f'archiving, with a <a class="entity-hashtag" href="/hashtag/t{n}">#t{n}</a>.'
            '<sup class="tw-permalink"><i class="fas fa-link"></i></sup></div></div></div>\n'
        )
    head = head.replace(b"1215710451343904768", str(root).encode())
    head = re.sub(rb"102 tweets", f"{per_thread} tweets".encode(), head)
    return head + "".join(rows).encode() + tail, str(root)


def size_on_disk(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def timed_show(archive: Archive, ids: list[str], repeat: int = 5) -> float:
    samples = []
    for thread_id in ids:
        for _ in range(repeat):
            start = time.perf_counter()
            merged = archive.thread(thread_id)
            samples.append(time.perf_counter() - start)
            assert merged is not None
    return statistics.median(samples) * 1000


def timed_verify(folder: Path) -> None:
    """``verify`` on an existing store: its time and the process's peak memory."""
    archive = Archive(folder, create=False)
    start = time.perf_counter()
    report = archive.verify()
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{report.captures} captures, {report.tweets} tweets, ok={report.ok}: "
        f"verify {took:.1f} s, peak RSS {peak:.0f} MB"
    )


THREAD_URL = "https://threadreaderapp.com/thread/1215710451343904768.html"


def timed_recapture(rounds: int) -> None:
    """An unchanged re-capture of stored bytes against a parse of the page, interleaved.

    The re-capture's one write is its log line, synced to disk (the durability promise): the
    time its ``fsync`` takes is measured apart, as the floor no code change removes.
    """
    gc.enable()
    archive = Archive(tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive.add(PAGE, url=THREAD_URL)
    again: list[float] = []
    parsed: list[float] = []
    synced: list[float] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        start = time.perf_counter()
        real_fsync(fd)
        synced[-1] += time.perf_counter() - start

    for _ in range(rounds):
        start = time.perf_counter()
        threadkeep.parse(PAGE, url=THREAD_URL)
        parsed.append(time.perf_counter() - start)
        synced.append(0.0)
        os.fsync = fsync
        start = time.perf_counter()
        outcome = archive.add(PAGE, url=THREAD_URL).outcome
        again.append(time.perf_counter() - start)
        os.fsync = real_fsync
        assert outcome == "unchanged"
    median = statistics.median
    rest = [a - s for a, s in zip(again, synced, strict=True)]
    print(
        f"unchanged re-capture {median(again) * 1000:.2f} ms, parse {median(parsed) * 1000:.2f}"
        f" ms: {median(again) / median(parsed):.2f}x (target <= 0.3x); its fsyncs "
        f"{median(synced) * 1000:.2f} ms, the rest {median(rest) * 1000:.2f} ms: "
        f"{median(rest) / median(parsed):.2f}x (medians of {rounds}, interleaved, gc on)"
    )


def files_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in folder.rglob("*")
        if path.is_file() and path.name != "lock"
    }


def edited(k: int) -> bytes:
    """The real page with the text of its first ``k`` tweets changed."""
    page = PAGE
    for n in range(1, k + 1):
        start = page.index(b'id="tweet_%d"' % n)
        text = page.index(b">", start) + 1
        page = page[:text] + b"Edited %d. " % n + page[text:]
    return page


def files_written(ks: list[int]) -> None:
    """Files an edited copy writes, by kind, when ``k`` of its tweets changed."""
    for k in ks:
        folder = Path(tempfile.mkdtemp(prefix="threadkeep-bench-"))
        archive = Archive(folder)
        archive.add(PAGE, url=THREAD_URL)
        before = files_state(folder)
        result = archive.add(edited(k), url=THREAD_URL)
        after = files_state(folder)
        changed = [path for path, state in after.items() if before.get(path) != state]
        tweets = sum("/tweets/" in path for path in changed)
        print(
            f"k={k:>3} tweets changed ({len(result.changed)} edits seen): {len(changed)} files "
            f"written, {tweets} tweet records + {len(changed) - tweets} others"
        )


def show_cpu(rounds: int = 15) -> None:
    """``show`` of the real 102-tweet thread captured twice: CPU time, best of ``rounds``."""
    archive = Archive(tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive.add(PAGE, url=THREAD_URL)
    archive.add(edited(1), url=THREAD_URL)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        archive.thread("1215710451343904768")
        best = min(best, time.process_time() - start)
    print(f"show of the 102-tweet thread: {best * 1000:.1f} ms CPU (best of {rounds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--per-thread", type=int, default=100)
    parser.add_argument("--store", help="Folder for the store (default: a temporary one).")
    parser.add_argument("--verify", action="store_true", help="Time verify on --store only.")
    parser.add_argument(
        "--work", action="store_true", help="Re-capture vs parse, and files an edit writes."
    )
    parser.add_argument("--rounds", type=int, default=60, help="Rounds for --work timing.")
    parser.add_argument(
        "--show", action="store_true", help="Time show on a --store this script built."
    )
    options = parser.parse_args()
    if options.show:
        archive = Archive(Path(options.store), create=False)
        count = sum(1 for _ in archive.files.document_paths(archive.generation))
        ids = [str(1300000000000000000 + t * 10_000) for t in (0, count // 2, count - 1)]
        print(f"show ms on {count} threads: {timed_show(archive, ids):.1f} (median)")
        return
    if options.work:
        timed_recapture(options.rounds)
        files_written([1, 10, 50])
        show_cpu()
        return
    if options.verify:
        timed_verify(Path(options.store))
        return
    threads = max(1, options.tweets // options.per_thread)
    folder = Path(options.store or tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive = Archive(folder)
    pages = [synthetic_page(t, options.per_thread) for t in range(min(threads, 20))]
    print(f"store {folder}; {threads} threads of {options.per_thread} tweets; cpu {os.cpu_count()}")
    print(f"{'tweets':>8} {'new cap/s':>10} {'same cap/s':>11} {'B/tweet':>8} {'show ms':>8}")
    ids: list[str] = []
    checkpoints = sorted({threads // 100 or 1, threads // 10 or 1, threads})
    new_time = 0.0
    for written, thread in enumerate(range(threads), start=1):
        data, root = (
            pages[thread] if thread < len(pages) else synthetic_page(thread, options.per_thread)
        )
        start = time.perf_counter()
        archive.add(data, url=f"https://threadreaderapp.com/thread/{root}.html")
        new_time += time.perf_counter() - start
        ids.append(root)
        if written in checkpoints:
            again = pages[: min(10, len(pages))]
            start = time.perf_counter()
            for data, root in again:
                archive.add(data, url=f"https://threadreaderapp.com/thread/{root}.html")
            same_rate = len(again) / (time.perf_counter() - start)
            tweets = written * options.per_thread
            show = timed_show(archive, [ids[0], ids[len(ids) // 2], ids[-1]])
            print(
                f"{tweets:>8} {written / new_time:>10.1f} {same_rate:>11.1f} "
                f"{size_on_disk(folder) / tweets:>8.0f} {show:>8.1f}"
            )


if __name__ == "__main__":
    main()
