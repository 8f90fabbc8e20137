"""Benchmark: converting pages held in a WARC file against converting the same pages as files.

Issue 20's target: ``threadkeep convert crawl.warc.gz`` runs at ≥ 0.8× the throughput of
``threadkeep convert pages/`` on the same pages. The corpus is made from the fixture pages the
golden tests read (``.html`` and ``.json`` inputs: Thread Reader unrolls, articles with
embeds, the listing, nitter and status pages, embed answers, pages with no tweets), repeated
``--repeat`` times under urls of their own (each record dated a second after the one
before it, as a crawl's are), written three ways:

1. ``crawl.warc.gz``: compressed record by record (as crawlers write it), a ``warcinfo``
   record, then a ``response`` per page and, among them, records threadkeep skips unread: a
   PNG and a CSS file every 5 pages, an HTTP redirect every 20; and every 10th page is followed
   by a ``revisit`` of it (same payload digest), resolved to that page and converted again;
2. ``crawl.warc``: the same records uncompressed;
3. ``pages/``: every page as a file, a revisited page twice (the same results, one a file).

Each is converted by the whole command as a user runs it, ``python -m threadkeep convert
INPUT --format jsonl -o OUT.jsonl`` in a child process (startup, the index pass, parsing,
writing; the garbage collector on), the three interleaved round by round in a shuffled order;
each figure is the median over ``--rounds`` (the best round's ratio is printed too: on a
shared machine it is the steadier one). Pages/s counts the pages (the revisits
included) over the whole command's time. The ratio of each WARC to the files is printed
against the 0.8 target. Then ``threadkeep archive crawl.warc.gz`` (and the folder, to
compare) into a new store, ``--archive-rounds`` times: records read per second. With
``--stages``, the WARC's own cost instead, in this process: the index pass, reading every page
record, parsing every page (median of ``--rounds``).

Run from the repository root::

    python benchmarks/warc.py                      # 8 repeats of the corpus, 11 rounds
    python benchmarks/warc.py --repeat 2 --rounds 3 --archive-rounds 1   # a quick look
    python benchmarks/warc.py --stages             # WARC side only: index, read, parse
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import golden_cases  # noqa: E402  (the fixture list the tests use)
from tests.warcs import Rec, write  # noqa: E402  (deterministic WARC records, warcio)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16
CSS = b"body { font-family: sans-serif; color: #222 }\n" * 40
TARGET = 0.8
START = dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)


def _when(seconds: int) -> str:
    """A crawl's clock: each record a second after the one before it."""
    return (START + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content_type(page: Path) -> str:
    return "application/json" if page.suffix == ".json" else "text/html; charset=utf-8"


def corpus(repeat: int) -> list[tuple[str, bytes, str]]:
    """(name, bytes, content type) of every page, ``repeat`` times over."""
    pages = [p for p in golden_cases() if p.suffix in (".html", ".json")]
    data = [(f"{p.parent.name}-{p.name}", p.read_bytes(), _content_type(p)) for p in pages]
    return [(f"{n:05d}-{name}", body, kind) for n, (name, body, kind)
            in enumerate(data * repeat)]  # fmt: skip


def records(pages: list[tuple[str, bytes, str]]) -> tuple[list[Rec], int, int]:
    """The WARC's records, the number of records, and how many are read as pages."""
    out: list[Rec] = []
    read = 0
    for n, (name, body, kind) in enumerate(pages):
        url = f"https://crawl.example/{name}"
        page = Rec(url, body, content_type=kind, date=_when(2 * n))
        out.append(page)
        read += 1
        if n % 5 == 0:
            out.append(Rec(url + ".png", PNG, content_type="image/png"))
            out.append(Rec(url + ".css", CSS, content_type="text/css"))
        if n % 20 == 0:
            out.append(Rec(url + "/old", b"", status="301 Moved Permanently",
                           headers=[("Location", url)]))  # fmt: skip
        if n % 10 == 0:
            out.append(Rec(url + "?again", kind="revisit", refers_to=page,
                           content_type=kind, date=_when(2 * n + 1)))  # fmt: skip
            read += 1
    return out, len(out) + 1, read  # + the warcinfo record


def build(folder: Path, repeat: int) -> tuple[dict[str, Path], int, int]:
    """The three inputs in ``folder``; the WARC's record count and the pages each holds."""
    pages = corpus(repeat)
    recs, total, read = records(pages)
    with (folder / "crawl.warc.gz").open("wb") as stream:
        write(recs, stream, gz=True, name="crawl.warc.gz")
    with (folder / "crawl.warc").open("wb") as stream:
        write(recs, stream, gz=False, name="crawl.warc")
    files = folder / "pages"
    files.mkdir()
    for n, (name, body, _) in enumerate(pages):
        (files / name).write_bytes(body)
        if n % 10 == 0:  # the revisit's page, converted again
            stem, dot, suffix = name.partition(".")
            (files / f"{stem}-again{dot}{suffix}").write_bytes(body)
    inputs = {
        "files": files,
        "warc.gz": folder / "crawl.warc.gz",
        "warc": folder / "crawl.warc",
    }
    return inputs, total, read


def run(args: list[str], cwd: Path) -> tuple[float, str]:
    """Seconds for ``python -m threadkeep ARGS``, and its last line on stderr (the summary)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "threadkeep", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some inputs failed, said in the summary
        raise SystemExit(f"threadkeep {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return took, lines[-1] if lines else ""


def _counts(summary: str) -> str:
    return re.sub(r"\s+", " ", summary).strip()[:110]


def about() -> str:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"Python {platform.python_version()}, {platform.platform()}, "
            f"{os.cpu_count()} cores, load average {load}")  # fmt: skip


def convert_rounds(inputs: dict[str, Path], rounds: int, cwd: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in inputs}
    summaries: dict[str, str] = {}
    order = list(inputs)
    for number in range(rounds):
        random.Random(number).shuffle(order)
        for name in order:
            out = cwd / f"out-{name}.jsonl"
            took, summaries[name] = run(
                ["convert", str(inputs[name]), "--format", "jsonl", "-o", str(out)], cwd
            )
            times[name].append(took)
            out.unlink(missing_ok=True)
    for name, summary in summaries.items():
        print(f"  {name:<8} says: {_counts(summary) or '(nothing on stderr)'}")
    return times


def archive_rounds(inputs: dict[str, Path], rounds: int, cwd: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"warc.gz": [], "files": []}
    order = list(times)
    for number in range(rounds):
        random.Random(number).shuffle(order)
        for name in order:
            store = cwd / f"store-{name}-{number}"
            took, summary = run(["archive", str(inputs[name]), "--store", str(store)], cwd)
            times[name].append(took)
            if number == 0:
                print(f"  archive {name:<8} says: {_counts(summary)}")
    return times


def stages(inputs: dict[str, Path], rounds: int) -> None:
    """In this process: the index pass, reading each page record, parsing each page."""
    from threadkeep.parsing import parse
    from threadkeep.warc.read import Source, read_page, refs

    for name in ("warc.gz", "warc"):
        took: dict[str, list[float]] = {"index": [], "read": [], "parse": []}
        for _ in range(rounds):
            source = Source(inputs[name])
            started = time.perf_counter()
            found = list(refs(source))
            indexed = time.perf_counter()
            read = [read_page(source, ref) for ref in found]
            done = time.perf_counter()
            for page in read:
                with contextlib.suppress(Exception):  # a page no parser reads: timed all the same
                    parse(page.body, url=page.url)
            took["index"].append(indexed - started)
            took["read"].append(done - indexed)
            took["parse"].append(time.perf_counter() - done)
        said = {stage: statistics.median(values) for stage, values in took.items()}
        share = (said["index"] + said["read"]) / said["parse"]
        print(f"{name:<8}  index {said['index']:.3f}s  read {said['read']:.3f}s  "
              f"parse {said['parse']:.3f}s  (index + read = {share:.0%} of parse)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8, help="copies of the fixture pages")
    parser.add_argument("--rounds", type=int, default=11, help="interleaved convert rounds")
    parser.add_argument("--archive-rounds", type=int, default=3, help="archive rounds (0: none)")
    parser.add_argument("--stages", action="store_true", help="time the stages in-process")
    options = parser.parse_args()
    print(about())
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        inputs, total, pages = build(folder, options.repeat)
        size = {name: sum(f.stat().st_size for f in path.rglob("*")) if path.is_dir()
                else path.stat().st_size for name, path in inputs.items()}  # fmt: skip
        print(f"corpus: {pages} pages; the WARC holds {total} records "
              f"(warc.gz {size['warc.gz'] / 1e6:.1f} MB, warc {size['warc'] / 1e6:.1f} MB, "
              f"files {size['files'] / 1e6:.1f} MB)")  # fmt: skip
        if options.stages:
            stages(inputs, options.rounds)
            return
        print(f"\nthreadkeep convert INPUT --format jsonl -o OUT, {options.rounds} rounds:")
        times = convert_rounds(inputs, options.rounds, folder)
        files = statistics.median(times["files"])
        print(f"\n{'input':<8}  {'median':>8}  {'best':>7}  {'pages/s':>8}  to files: median, best")
        best = min(times["files"])
        for name, took in times.items():
            median = statistics.median(took)
            verdict = ""
            if name != "files":
                ratio = files / median
                said = "meets" if ratio >= TARGET else "BELOW"
                verdict = f"{ratio:.2f}x ({said} {TARGET}x), {best / min(took):.2f}x"
            print(
                f"{name:<8}  {median:>7.2f}s  {min(took):>6.2f}s  {pages / median:>8.0f}  {verdict}"
            )
        if options.archive_rounds:
            print(f"\nthreadkeep archive INPUT --store NEW, {options.archive_rounds} rounds:")
            stored = archive_rounds(inputs, options.archive_rounds, folder)
            for name, took in stored.items():
                median = statistics.median(took)
                what = f"{total / median:.0f} records/s, " if name == "warc.gz" else ""
                print(f"{name:<8}  {median:>7.2f}s  {what}{pages / median:.0f} pages/s")
    print(f"\nload average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
