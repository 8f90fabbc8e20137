"""Benchmark: the archive's write rate, its size on disk, and ``show`` on a large store.

Measured, with synthetic Thread Reader thread pages made from the real 2020 page's markup
(``fixtures/threadreader/quinnypig_2020_full.html``): each page holds ``--per-thread`` tweets
with distinct ids and texts.

1. **captures/s, new threads**: the whole ``Archive.add`` of pages never seen, as a user pays
   it (parse, merge, writes and syncs, garbage collector on); each writes a raw body, a
   snapshot, one record per tweet, the document record and a log line, every file durable
   before the log line. Printed with the median milliseconds per capture and the ``fsync``
   calls it makes (``os.fsync`` is wrapped to count them), against the target of issue 15:
   at least 15 new captures of 100-tweet pages per second on the local disk;
2. **captures/s, unchanged re-captures**: the same pages again (a log line and a document
   record only);
3. **bytes per tweet**: the store's size on disk divided by the tweets in it;
4. **show time**: ``Archive.thread(id)`` on the first, a middle and the last thread, as the
   store grows to ``--tweets`` tweets (target: independent of store size, under 50 ms);
   then **the machine's pace**: a parse of the real page, timed between every tenth capture,
   and a new capture's median time in such parses. A shared virtual machine's speed drifts
   (the same parse takes 5.5 ms in one hour and 9.5 ms in another): the captures' rate moves
   with it, and that ratio, not the rate, tells a slower store from a slower machine.

5. **verify time** (``--verify``): ``Archive.verify()`` on a store this script built before
   (``--store``), with its peak memory: every hash, and the log replayed and compared.

6. **the batch write against one file at a time** (``--compare``): new captures made in turn
   into five stores in one process: one writing a capture's body, snapshot and records as one
   batch (the default), one doing the same with its syncs made from one thread, one
   writing and syncing each file on its own, one after another (the write path before issue
   15), one asking the disk again for a record found missing each time a merge asks
   for it (before issue 15's round 9: three failed opens for each new tweet, not one), and
   one making its temporary files with ``tempfile.mkstemp`` and a buffered stream (before
   round 10).
   Their times (and the CPU time they used) are compared under the same load.

7. **only the work that changed** (``--work``), on the real 133 KB thread page: an unchanged
   re-capture of stored bytes against a ``parse()`` of the same page, timed in this process
   with the garbage collector on, in blocks and one by one (target: at most 0.3 times; see
   :func:`timed_recapture`), and the files an
   edited copy writes when k of its tweets changed (target: k tweet records and a constant
   number of other files).

Run from the repository root::

    python benchmarks/archive.py                  # 100,000 tweets (a few minutes)
    python benchmarks/archive.py --tweets 10000   # quicker
    python benchmarks/archive.py --tweets 10000 --store S   # then:
    python benchmarks/archive.py --verify --store S
    python benchmarks/archive.py --compare --tweets 3000   # batch against one by one
    python benchmarks/archive.py --work           # target 3 and 4 of issue 15
    python benchmarks/archive.py --work --history 1000   # and as the page's log lines grow
    python benchmarks/archive.py --work --phases  # where a re-capture's time goes
    python benchmarks/archive.py --show --store S # show again on a store built before
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import re
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import threadkeep
from threadkeep.archive import Archive, LocalStorage, storage

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


TARGET = 15.0  # new captures of 100-tweet pages per second (issue 15)
_real_fsync = os.fsync
_fsyncs = [0]
_fsyncs_lock = threading.Lock()  # a batch syncs from a few threads at once


def _counted_fsync(descriptor: int) -> None:
    with _fsyncs_lock:
        _fsyncs[0] += 1
    _real_fsync(descriptor)


def fsyncs() -> int:
    """How many ``fsync`` calls were made so far (this process, every thread)."""
    return _fsyncs[0]


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


class OneByOne(LocalStorage):
    """The write path before issue 15: each file written and synced on its own (a temporary
    file, ``fsync``, rename, ``fsync`` of its folder), one after another."""

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        for path, data in items:
            self.write_atomic(path, data)


class OneThread(LocalStorage):
    """The batch write with its syncs made one after another (from one thread, not eight)."""

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        threads, storage._SYNC_THREADS = storage._SYNC_THREADS, 1
        try:
            super().write_atomic_many(items)
        finally:
            storage._SYNC_THREADS = threads


def _write_temps_mkstemp(
    files: Sequence[tuple[str, bytes]],
    temps: list[tuple[str, str]],
    run: Callable[[list[Callable[[], None]]], None],
) -> None:
    """``storage._write_temps`` before issue 15's round 10: each temporary file named by
    ``tempfile.mkstemp`` and written through a buffered stream."""
    streams: list[tuple[BinaryIO, str]] = []
    try:
        for target, data in files:
            folder, name = os.path.split(target)
            with storage._writing(target):
                handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
                temps.append((temp, target))
                stream: BinaryIO = os.fdopen(handle, "wb")
                streams.append((stream, target))
                os.fchmod(handle, 0o644)
                stream.write(data)
                stream.flush()
        run(
            [
                functools.partial(storage._sync_file, stream.fileno(), target)
                for stream, target in streams
            ]
        )
    finally:
        for stream, _ in streams:
            stream.close()


class MkstempTemporaries(LocalStorage):
    """The batch write with its temporary files made as before round 10 (``mkstemp``)."""

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        lean, storage._write_temps = storage._write_temps, _write_temps_mkstemp
        try:
            super().write_atomic_many(items)
        finally:
            storage._write_temps = lean


def _asking_again(archive: Archive) -> Archive:
    """``archive`` reading a record found missing from the disk again each time it is asked
    for, as before issue 15's round 9 (a merge asks for each new tweet's record three times)."""
    files = archive.files

    def record(path: str, model: Any) -> Any:
        try:
            return files._at(path, model)
        except FileNotFoundError:
            return None

    files._record = record  # type: ignore[method-assign]
    return archive


def compare(threads: int, per_thread: int) -> None:
    """New captures made in turn (the order rotating) into five stores: the batch write, the
    batch write syncing from one thread, one file at a time, the batch write asking the
    disk for a missing record each time a merge asks for it (before round 9), and the batch
    write making its temporary files with ``mkstemp`` (before round 10)."""
    base = Path(tempfile.mkdtemp(prefix="threadkeep-bench-"))
    stores = {
        "batch": Archive(base / "b"),
        "batch, 1 thread": Archive(base / "t", storage=OneThread(base / "t")),
        "one by one": Archive(base / "o", storage=OneByOne(base / "o")),
        "asking again": _asking_again(Archive(base / "a")),
        "mkstemp": Archive(base / "m", storage=MkstempTemporaries(base / "m")),
    }
    names = list(stores)
    took: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    synced: dict[str, list[int]] = {name: [] for name in names}
    for thread in range(threads):
        data, root = synthetic_page(thread, per_thread)
        turn = thread % len(names)
        for name in names[turn:] + names[:turn]:
            before, start, used = fsyncs(), time.perf_counter(), time.process_time()
            stores[name].add(data, url=f"https://threadreaderapp.com/thread/{root}.html")
            took[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - used)
            synced[name].append(fsyncs() - before)
    slowest = statistics.median(took["one by one"])
    for name in names:
        median = statistics.median(took[name])
        print(
            f"{name:>15}: {len(took[name]) / sum(took[name]):5.1f} new captures/s, median "
            f"{median * 1000:6.1f} ms (cpu {statistics.median(cpu[name]) * 1000:5.1f} ms), "
            f"{statistics.median(synced[name]):.0f} fsync calls each; "
            f"{median / slowest:.2f} of one by one"
        )


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


def timed_recapture(rounds: int, block: int = 10) -> None:
    """An unchanged re-capture of stored bytes against a parse of the page, timed two ways.

    **In blocks** (the target's figure): ``block`` parses, then ``block`` re-captures, in
    turn, ``rounds`` of each in all; the first of each block is not counted, so each counted
    call follows one of its own kind and pays for the memory it frees itself. **One by one**:
    a parse, then a re-capture, in turn: each then pays for what the other freed, and a
    parse frees its tree's memory, which whatever runs next allocates again (printed: the
    first small allocation after a parse, a ``json.loads`` of the store file, against the
    same after a re-capture).

    The re-capture's one write is its log line, synced to disk (the durability promise): the
    time its ``fsync`` calls take is measured apart, as the floor no code change removes.
    """
    gc.enable()
    archive = Archive(tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive.add(PAGE, url=THREAD_URL)
    real_fsync = os.fsync
    synced = [0.0]

    def fsync(fd: int) -> None:
        start = time.perf_counter()
        real_fsync(fd)
        synced[-1] += time.perf_counter() - start

    def parse() -> float:
        start = time.perf_counter()
        threadkeep.parse(PAGE, url=THREAD_URL)
        return time.perf_counter() - start

    def again() -> tuple[float, float]:
        synced.append(0.0)
        os.fsync = fsync
        start = time.perf_counter()
        outcome = archive.add(PAGE, url=THREAD_URL).outcome
        took = time.perf_counter() - start
        os.fsync = real_fsync
        assert outcome == "unchanged"
        return took, synced[-1]

    store_file = Path(archive.location) / "threadkeep-store.json"

    def first_allocation() -> float:
        start = time.perf_counter()
        json.loads(store_file.read_bytes())
        return time.perf_counter() - start

    median = statistics.median
    for way in ("in blocks", "one by one"):
        parsed: list[float] = []
        timed: list[tuple[float, float]] = []
        after: dict[str, list[float]] = {"parse": [], "re-capture": []}
        if way == "in blocks":
            while len(parsed) < rounds:
                parsed += [parse() for _ in range(block + 1)][1:]
                timed += [again() for _ in range(block + 1)][1:]
        else:
            for _ in range(rounds):
                parsed.append(parse())
                after["parse"].append(first_allocation())
                timed.append(again())
                after["re-capture"].append(first_allocation())
        took = [t for t, _ in timed]
        rest = [t - s for t, s in timed]
        print(
            f"{way}: unchanged re-capture {median(took) * 1000:.2f} ms, parse "
            f"{median(parsed) * 1000:.2f} ms: {median(took) / median(parsed):.2f}x "
            f"(target <= 0.3x); its fsyncs {median(s for _, s in timed) * 1000:.2f} ms, the rest "
            f"{median(rest) * 1000:.2f} ms: {median(rest) / median(parsed):.2f}x (medians of "
            f"{len(took)}, gc on)"
        )
        if after["parse"]:
            print(
                f"  the first small allocation (json.loads of the store file) after a parse "
                f"{median(after['parse']) * 1000:.2f} ms, after a re-capture "
                f"{median(after['re-capture']) * 1000:.2f} ms"
            )


def recapture_phases(rounds: int) -> None:
    """Where an unchanged re-capture's time goes, timed one by one after a parse (as
    :func:`timed_recapture` does): each step of ``Archive.add`` wrapped in ``perf_counter``,
    the median of each over ``rounds``."""
    import contextlib
    import hashlib
    from collections.abc import Iterator

    from threadkeep.archive import apply

    gc.enable()
    archive = Archive(tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive.add(PAGE, url=THREAD_URL)
    marks: dict[str, list[float]] = {}

    def timing(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                marks.setdefault(name, []).append(time.perf_counter() - start)

        return call

    real_lock = archive.files.lock

    def lock(timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        @contextlib.contextmanager
        def held() -> Iterator[None]:
            start = time.perf_counter()
            with real_lock(timeout):
                marks.setdefault("the lock taken", []).append(time.perf_counter() - start)
                yield

        return held()

    archive.files.lock = lock  # type: ignore[method-assign]
    archive.upgrade = timing("upgrade (the store file read)", archive.upgrade)  # type: ignore[method-assign]
    archive.files.has_raw = timing("has_raw", archive.files.has_raw)  # type: ignore[method-assign]
    real_list = archive.storage.list

    def listed(prefix: str) -> Iterator[str]:
        start = time.perf_counter()
        found = list(real_list(prefix))
        marks.setdefault(f"list {prefix}/", []).append(time.perf_counter() - start)
        return iter(found)

    archive.storage.list = listed  # type: ignore[method-assign]
    apply.unchanged_line = timing("unchanged_line", apply.unchanged_line)
    archive.log.append_pack = timing("the pack written", archive.log.append_pack)  # type: ignore[method-assign]
    hashed = []
    added = []
    for _ in range(rounds):
        threadkeep.parse(PAGE, url=THREAD_URL)
        start = time.perf_counter()
        hashlib.sha256(PAGE).hexdigest()
        hashed.append(time.perf_counter() - start)
        threadkeep.parse(PAGE, url=THREAD_URL)
        start = time.perf_counter()
        assert archive.add(PAGE, url=THREAD_URL).outcome == "unchanged"
        added.append(time.perf_counter() - start)
    median = statistics.median
    print(f"unchanged re-capture after a parse, by step (medians of {rounds}):")
    print(f"  {'the whole add':32} {median(added) * 1000:6.2f} ms")
    print(f"  {'sha256 of the page (apart)':32} {median(hashed) * 1000:6.2f} ms")
    for name, times in marks.items():
        print(f"  {name:32} {median(times) * 1000:6.2f} ms ({len(times) // rounds} a capture)")


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


def recapture_history(count: int) -> None:
    """An unchanged re-capture's median time, per block, as one page is re-captured ``count``
    times into one store: flat if its work does not grow with the log. Two ways, in turn: by
    one :class:`Archive` kept open (a script re-capturing in a loop: what it read of the log
    is remembered), and by a new :class:`Archive` each time (what one ``threadkeep archive``
    run per capture pays, less the interpreter's start)."""
    gc.enable()
    folder = tempfile.mkdtemp(prefix="threadkeep-bench-")
    archive = Archive(folder)
    archive.add(PAGE, url=THREAD_URL)
    done, block = 0, 20
    while done < count:
        kept: list[float] = []
        fresh: list[float] = []
        for n in range(min(block, count - done)):
            start = time.perf_counter()
            if n % 2:
                Archive(folder).add(PAGE, url=THREAD_URL)
                fresh.append(time.perf_counter() - start)
            else:
                archive.add(PAGE, url=THREAD_URL)
                kept.append(time.perf_counter() - start)
        done += len(kept) + len(fresh)
        print(
            f"after {done:>6,} re-captures of the page: unchanged re-capture "
            f"{statistics.median(kept) * 1000:.2f} ms by the archive kept open, "
            f"{statistics.median(fresh) * 1000:.2f} ms by a new one (medians of "
            f"{len(kept)} and {len(fresh)})"
        )
        block *= 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--per-thread", type=int, default=100)
    parser.add_argument("--store", help="Folder for the store (default: a temporary one).")
    parser.add_argument("--verify", action="store_true", help="Time verify on --store only.")
    parser.add_argument("--compare", action="store_true", help="Batch against one by one.")
    parser.add_argument(
        "--work", action="store_true", help="Re-capture vs parse, and files an edit writes."
    )
    parser.add_argument("--rounds", type=int, default=60, help="Rounds for --work timing.")
    parser.add_argument(
        "--phases",
        action="store_true",
        help="With --work: where an unchanged re-capture's time goes, step by step.",
    )
    parser.add_argument(
        "--history",
        type=int,
        metavar="N",
        help="With --work: an unchanged re-capture's time as the same page is re-captured N times.",
    )
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
        if options.history:
            recapture_history(options.history)
        if options.phases:
            recapture_phases(options.rounds)
        files_written([1, 10, 50])
        show_cpu()
        return
    if options.verify:
        timed_verify(Path(options.store))
        return
    gc.enable()  # as a user runs it: the collector's pauses are part of the cost
    os.fsync = _counted_fsync
    threads = max(1, options.tweets // options.per_thread)
    threadkeep.parse(synthetic_page(0, 1)[0])  # the parsers imported, as in a process that parsed
    if options.compare:
        compare(threads, options.per_thread)
        return
    folder = Path(options.store or tempfile.mkdtemp(prefix="threadkeep-bench-"))
    archive = Archive(folder)
    pages = [synthetic_page(t, options.per_thread) for t in range(min(threads, 20))]
    print(f"store {folder}; {threads} threads of {options.per_thread} tweets; cpu {os.cpu_count()}")
    print(
        f"{'tweets':>8} {'new cap/s':>10} {'new ms':>7} {'fsync/cap':>9} {'same cap/s':>11} "
        f"{'B/tweet':>8} {'show ms':>8}"
    )
    ids: list[str] = []
    checkpoints = sorted({threads // 100 or 1, threads // 10 or 1, threads})
    new_time = 0.0
    new_times: list[float] = []
    new_cpu: list[float] = []
    syncs: list[int] = []
    speed: list[float] = []  # a parse of the real page, every tenth capture: the machine's pace
    for written, thread in enumerate(range(threads), start=1):
        data, root = (
            pages[thread] if thread < len(pages) else synthetic_page(thread, options.per_thread)
        )
        if thread % 10 == 0:
            start = time.perf_counter()
            threadkeep.parse(PAGE)
            speed.append(time.perf_counter() - start)
        synced, used = fsyncs(), time.process_time()
        start = time.perf_counter()
        archive.add(data, url=f"https://threadreaderapp.com/thread/{root}.html")
        took = time.perf_counter() - start
        new_cpu.append(time.process_time() - used)
        new_time += took
        new_times.append(took)
        syncs.append(fsyncs() - synced)
        ids.append(root)
        if written in checkpoints:
            again = pages[: min(10, written)]  # pages captured already: unchanged again
            start = time.perf_counter()
            for data, root in again:
                archive.add(data, url=f"https://threadreaderapp.com/thread/{root}.html")
            same_rate = len(again) / (time.perf_counter() - start)
            tweets = written * options.per_thread
            show = timed_show(archive, [ids[0], ids[len(ids) // 2], ids[-1]])
            print(
                f"{tweets:>8} {written / new_time:>10.1f} "
                f"{statistics.median(new_times) * 1000:>7.1f} {statistics.median(syncs):>9.0f} "
                f"{same_rate:>11.1f} {size_on_disk(folder) / tweets:>8.0f} {show:>8.1f}"
            )
    rate = len(new_times) / new_time
    print(
        f"new captures of {options.per_thread}-tweet pages: {rate:.1f}/s "
        f"(median {statistics.median(new_times) * 1000:.1f} ms, of which cpu "
        f"{statistics.median(new_cpu) * 1000:.1f} ms in all threads; "
        f"{statistics.median(syncs):.0f} fsync calls each); target >= {TARGET:g}/s: "
        f"{'met' if rate >= TARGET else 'not met'}"
    )
    pace = statistics.median(speed)
    print(
        f"the machine's pace: a parse of the real 133 KB page took {pace * 1000:.1f} ms (median of "
        f"{len(speed)}, between captures); a new capture cost "
        f"{statistics.median(new_times) / pace:.1f} of them"
    )


if __name__ == "__main__":
    main()
