"""Benchmark: many writers into one store, on a folder and on a loopback S3 bucket (issue 19).

One command; it starts the loopback S3 server of the tests (``tests/s3_server.py``: moto's
server, every request handled under one lock) itself and stops it at the end.

1. **captures/s with 1 and with W writers** (``--writers``, default 1 and 8), each a process
   of its own making ``--captures`` captures (default 50) with ``Archive.add`` as a user pays
   it: parse, the capture's writes without the lock, then its merge under the lock. The pages
   are two real pages (``fixtures/threadreader/``: a thread of 11 tweets, one of 9) and
   variants of them, in a cycle of four: a **new** thread (the page with its tweet ids
   shifted, its handle and texts marked, and its own url: a thread with tweets of its own),
   the same thread **edited** (its second tweet's text changed), then **cut** (its second
   tweet gone: a removal), then the edited page again dated before the cut (**unchanged**,
   out of time order). Capture times interleave the writers', so merges also meet other
   writers' captures out of time order. Every writer
   imports and opens the store first and starts when all are ready; the figure is all the
   captures over the wall time from the start to the last writer's end.
   Printed beside it: the **share of the writers' time merging** (in the merge, the lock
   held) and **waiting for the lock** (or the lease), summed over writers.
2. **show, cold**: ``threadkeep show ID`` as a fresh process (median of ``--show-runs``) of a
   document with 50 captures (the real 102-tweet thread and its real later copy: ten changes,
   forty unchanged re-captures), and ``Archive(store).thread(ID)`` on a new ``Archive`` in
   this process (nothing read before).
3. **requests a capture** (``--requests``, instead of the above): one writer's workload and
   the 102-tweet thread, new, changed, then unchanged a day later (logged at once), each
   capture's requests (obstore's calls, counted in this process) split into its own writes
   and its merge; and the requests of a cold
   ``Archive(store).thread(ID)`` of the 102-tweet thread.

Run from the repository root (needs the ``dev`` extras: moto and obstore)::

    python benchmarks/s3_archive.py                    # both stores, 1 and 8 writers x 50
    python benchmarks/s3_archive.py --stores s3 --writers 8 --captures 20
    python benchmarks/s3_archive.py --no-show          # throughput only
    python benchmarks/s3_archive.py --requests         # requests a capture, by outcome

Timings depend on the machine: it prints its details first. On the loopback bucket the server
is the bound (each request about 3 ms, one at a time), not threadkeep.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.s3_server import S3Server  # noqa: E402  (the tests' loopback server)

THREADS = ROOT / "fixtures" / "threadreader"
SMALL = [
    THREADS / "tra_derived_weizmangal_2023_scuttling_md.html",  # 11 tweets
    THREADS / "tra_derived_realSharonZhou_2019_snnl_md.html",  # 9 tweets, no ids: keyed by url
]
BIG = THREADS / "quinnypig_2020_full.html"  # 102 tweets
BIG_LATER = ROOT / "examples" / "data" / "quinnypig_2020_later.html"  # the same, a day later
BIG_URL = "https://threadreaderapp.com/thread/1215710451343904768.html"
START = datetime(2025, 1, 1, tzinfo=UTC)
_ID = re.compile(rb"(?<![0-9])[12][0-9]{18}(?![0-9])")
# Where the second tweet starts, and the whole of it: a Thread Reader page's own markup, or a
# post derived from one (tweets between <hr> rules).
_SECOND = re.compile(rb'(<div id="tweet_2"[^>]*>|<hr>\s*)')
_EACH = re.compile(rb'(<div id="tweet_[0-9]+"[^>]*>)')
_SECOND_WHOLE = re.compile(rb'<div id="tweet_2".*?</div>|(?<=<hr>)(.*?)(?=<hr>)', re.S)


# -- the workload ----------------------------------------------------------------------------


def new_thread(page: bytes, serial: int) -> tuple[bytes, str]:
    """``page`` as another thread with tweets of its own, as another real thread has: every
    tweet id shifted by ``serial`` (ids stay valid), the author's handle and each tweet's
    text marked with it (a tweet with no id is keyed by its author and text), and a url of
    its own (a page with no ids is keyed by it)."""
    shifted = _ID.sub(lambda m: str(int(m.group(0)) + serial * 1_000_003).encode(), page)
    shifted = shifted.replace(b"WeizmanGal", b"wg%d" % serial)
    shifted = _EACH.sub(lambda m: m.group(1) + b"[%d] " % serial, shifted)
    return shifted, f"https://threadreaderapp.com/thread/bench-{serial}.html"


def edited(page: bytes, serial: int) -> bytes:
    """``page`` with its second tweet's text changed."""
    return _SECOND.sub(lambda m: m.group(1) + b"(edited %d) " % serial, page, count=1)


def cut(page: bytes) -> bytes:
    """``page`` without its second tweet."""
    return _SECOND_WHOLE.sub(b"", page, count=1)


def workload(writer: int, writers: int, count: int) -> Iterator[tuple[bytes, str, datetime]]:
    """The ``count`` captures of ``writer`` (page, url, capture time): new, edited, cut, and
    the edited page again, dated before the cut (out of time order: unchanged), again and
    again. Times interleave the writers' (writer w's capture at minute slot * writers + w),
    so that merges also meet other writers' captures out of time order."""
    pages = [path.read_bytes() for path in SMALL]
    page, url = b"", ""
    for i in range(count):
        step = i % 4
        serial = writer * 10_000 + i // 4
        if step == 0:
            page, url = new_thread(pages[(writer + i // 4) % len(pages)], serial)
            data = page
        elif step == 1:
            page = data = edited(page, serial)
        elif step == 2:
            data = cut(page)
        else:
            data = page
        slot = 4 * (i // 4) + (0, 1, 3, 2)[step]  # the last capture dated before the cut
        yield data, url, START + timedelta(minutes=slot * writers + writer)


# -- a writer process ------------------------------------------------------------------------


def run_writer(store: str, writer: int, writers: int, count: int) -> None:
    """Make this writer's captures once the parent says go; print its figures as JSON."""
    import threadkeep
    from threadkeep.archive import merger

    took = {"merge": 0.0, "merging": 0.0}
    outer, inner = merger.merge, merger._merge_pending
    depth = [0]

    def timed_merge(*args: object, **kwargs: object) -> object:
        depth[0] += 1
        start = time.perf_counter()
        try:
            return outer(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            depth[0] -= 1
            if not depth[0]:
                took["merge"] += time.perf_counter() - start

    def timed_merging(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            took["merging"] += time.perf_counter() - start

    merger.merge, merger._merge_pending = timed_merge, timed_merging  # type: ignore[assignment]
    archive = threadkeep.Archive(store)
    captures = list(workload(writer, writers, count))
    archive.upgrade()  # the store made (or seen) before the clock starts
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for data, url, at in captures:
        outcome = archive.add(data, url=url, captured_at=at).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    total = time.perf_counter() - start
    print(json.dumps({"total": total, **took, "outcomes": outcomes}), flush=True)


def run_writers(store: str, writers: int, count: int, env: dict[str, str]) -> dict[str, object]:
    """Start ``writers`` writer processes on ``store`` at once; their summed figures and the
    wall time from the start to the last one's end."""
    command = [sys.executable, __file__, "--writer", store]
    children = [
        subprocess.Popen(
            [*command, str(w), str(writers), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
            cwd=ROOT,
        )
        for w in range(writers)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("a writer did not start")
    start = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    figures = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode:
            raise RuntimeError(f"a writer failed ({child.returncode})")
        figures.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.perf_counter() - start
    outcomes: dict[str, int] = {}
    for one in figures:
        for name, n in one["outcomes"].items():
            outcomes[name] = outcomes.get(name, 0) + n
    return {
        "wall": wall,
        "total": sum(one["total"] for one in figures),
        "merge": sum(one["merge"] for one in figures),
        "merging": sum(one["merging"] for one in figures),
        "outcomes": outcomes,
    }


# -- the parent ------------------------------------------------------------------------------


def checked(store: str, expected: int) -> str:
    """Verify the store and count its log's lines (every capture merged)."""
    import threadkeep

    archive = threadkeep.Archive(store)
    report = archive.verify()
    lines = len(list(archive.captures()))
    ok = "verify ok" if report.ok else "verify FAILED"
    return f"{ok}, {lines}/{expected} captures in the log"


def throughput(where: str, location: str, writers: int, count: int, env: dict[str, str]) -> None:
    got = run_writers(location, writers, count, env)
    n = writers * count
    wall, total = float(got["wall"]), float(got["total"])  # type: ignore[arg-type]
    merging, merge = float(got["merging"]), float(got["merge"])  # type: ignore[arg-type]
    print(
        f"{where:6} {writers} writer(s) x {count}: {n / wall:6.1f} captures/s "
        f"({wall:6.1f} s wall, {1000 * total / n:6.0f} ms a capture in a writer); "
        f"merging {100 * merging / total:3.0f} %, waiting for the lock "
        f"{100 * (merge - merging) / total:3.0f} % of writer time; {got['outcomes']}"
    )
    print(f"{'':6} {checked(location, n)}")


def show_store(location: str) -> str:
    """Make a document of 50 captures of the real 102-tweet thread (five of its first copy,
    five of its later one, in turn: ten changes, forty unchanged); its root id."""
    import threadkeep

    archive = threadkeep.Archive(location)
    full, later = BIG.read_bytes(), BIG_LATER.read_bytes()
    for i in range(50):  # five of one copy, then five of the other
        data = later if (i // 5) % 2 else full
        archive.add(data, url=BIG_URL, captured_at=START + timedelta(hours=i))
    return "1215710451343904768"


def show_times(where: str, location: str, runs: int, env: dict[str, str]) -> None:
    import threadkeep

    start = time.perf_counter()
    thread_id = show_store(location)
    built = time.perf_counter() - start
    command = [sys.executable, "-m", "threadkeep", "show", thread_id, "--store", location]
    full = {**os.environ, **env}
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=full, cwd=ROOT, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    library = []
    for _ in range(runs):
        start = time.perf_counter()
        document = threadkeep.Archive(location).thread(thread_id)
        library.append(time.perf_counter() - start)
        assert document is not None and document.captures == 50
    print(
        f"{where:6} show of a 50-capture 102-tweet thread: `threadkeep show` (a new process) "
        f"{1000 * statistics.median(samples):5.0f} ms (min {1000 * min(samples):.0f}); "
        f"Archive(store).thread() {1000 * statistics.median(library):5.0f} ms "
        f"(store built in {built:.1f} s)"
    )


def count_requests(location: str) -> None:
    """Count the requests of each capture of one writer's workload and of the 102-tweet
    thread (new, then its later copy), in this process, by wrapping obstore's calls; print
    the median per outcome, split into the capture's own writes and its merge."""
    import obstore

    import threadkeep
    from threadkeep.archive import merger

    counts = {"all": 0, "merge": 0}
    for name in ("get", "put", "head", "delete", "list", "open_reader"):
        real = getattr(obstore, name)

        def counted(*args: object, _real: object = real, **kwargs: object) -> object:
            counts["all"] += 1
            return _real(*args, **kwargs)  # type: ignore[operator]

        setattr(obstore, name, counted)
    inner = merger.merge

    def timed(*args: object, **kwargs: object) -> object:
        before = counts["all"]
        try:
            return inner(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            if not kwargs.get("locked"):
                counts["merge"] += counts["all"] - before

    merger.merge = timed  # type: ignore[assignment]
    archive = threadkeep.Archive(location)
    archive.upgrade()
    captures = [(*one, "9 or 11") for one in workload(0, 1, 24)]
    big = [(BIG.read_bytes(), BIG_URL, START), (BIG_LATER.read_bytes(), BIG_URL, START)]
    captures += [
        (data, url, at + timedelta(days=1 + n), "102") for n, (data, url, at) in enumerate(big)
    ]
    # the later copy again, a day later (in time order, the lease free: logged at once)
    captures.append((BIG_LATER.read_bytes(), BIG_URL, START + timedelta(days=3), "102"))
    seen: dict[str, list[tuple[int, int]]] = {}
    for data, url, at, size in captures:
        before, merged = counts["all"], counts["merge"]
        outcome = archive.add(data, url=url, captured_at=at).outcome
        total, merge = counts["all"] - before, counts["merge"] - merged
        how = (
            " at once" if outcome == "unchanged" and merge == 0 else ""
        )  # no merge: logged at once
        seen.setdefault(f"{outcome}{how} ({size}-tweet page)", []).append((total - merge, merge))
    before = counts["all"]
    start = time.perf_counter()
    threadkeep.Archive(location).thread("1215710451343904768")
    took = time.perf_counter() - start
    print(
        f"s3     requests, a cold show of the 102-tweet thread: {counts['all'] - before} "
        f"({1000 * took:.0f} ms)"
    )
    for name, got in seen.items():
        own = statistics.median(one for one, _ in got)
        merging = statistics.median(two for _, two in got)
        print(
            f"s3     requests, {name:32}: {own:4.0f} own + {merging:4.0f} merge "
            f"(median of {len(got)})"
        )


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo") as info:
        model = next((line.split(":", 1)[1].strip() for line in info if "model name" in line), "")
    return (
        f"Python {platform.python_version()}, {platform.platform()}, {model}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stores", nargs="+", choices=["folder", "s3"], default=["folder", "s3"])
    parser.add_argument("--writers", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--captures", type=int, default=50, help="captures per writer")
    parser.add_argument("--show-runs", type=int, default=5)
    parser.add_argument("--no-show", action="store_true")
    parser.add_argument("--requests", action="store_true", help="count requests a capture")
    parser.add_argument("--writer", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        store, writer, writers, count = args.writer
        run_writer(store, int(writer), int(writers), int(count))
        return
    print(machine())
    with S3Server() as server, tempfile.TemporaryDirectory(prefix="threadkeep-bench-") as base:
        os.environ.update(server.env)  # this process's clients too (show, verify)
        serial = iter(range(1000))

        def location(where: str) -> str:
            if where == "s3":
                return f"s3://{server.new_bucket()}/store"
            return str(Path(base) / f"store-{next(serial)}")

        if args.requests:
            count_requests(location("s3"))
            return
        for where in args.stores:
            for writers in args.writers:
                throughput(where, location(where), writers, args.captures, server.env)
        if not args.no_show:
            for where in args.stores:
                show_times(where, location(where), args.show_runs, server.env)


if __name__ == "__main__":
    main()
