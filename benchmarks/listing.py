"""Benchmark: ``threadkeep.parse`` of listing pages against a bare lxml parse of the same bytes.

Inputs: every HTML listing fixture (``fixtures/listing/*.html`` and the constructed hashtag
listing) and the text copies of listings. For each, two callables are timed in one process,
interleaved round by round (the order alternating), with the garbage collector ON:

* **full**: ``threadkeep.parse(data)``;
* **bare**: ``lxml.html.fromstring(data)``, the least any HTML parse of those bytes costs
  (a text copy has no tree of its own: its bare figure is still lxml reading its bytes, kept
  as the yardstick that makes figures of a loaded machine comparable).

A round times a calibrated batch (about ``--round-ms``) of each; the figure is the median over
rounds of the per-call time, and the ratio is the median of each round's full/bare ratio.

Run from the repository root::

    python benchmarks/listing.py              # 21 rounds of ~40 ms per measurement
    python benchmarks/listing.py --rounds 51
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import lxml.html

import threadkeep

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
INPUTS = (
    *sorted(p.relative_to(FIXTURES).as_posix() for p in (FIXTURES / "listing").glob("*.html")),
    "constructed/tra_hashtag_listing_24.html",
    "text/seed003_listing_nkpeace.txt",
    "text_threadreader/constructed_userpage_en_threads_by_underscore_handle.txt",
)


def per_call(func: Callable[[], object], calls: int) -> float:
    """Mean seconds per call over ``calls`` back-to-back calls (garbage collector left on)."""
    start = time.perf_counter()
    for _ in range(calls):
        func()
    return (time.perf_counter() - start) / calls


def calibrate(func: Callable[[], object], round_s: float) -> int:
    """How many calls take about ``round_s`` (the calls made here also warm caches)."""
    calls = 1
    while (spent := per_call(func, calls) * calls) < round_s / 4:
        calls *= 2
    return max(1, round(calls * round_s / spent))


def measure(name: str, rounds: int, round_s: float) -> tuple[float, float, float]:
    """Median ms of full and bare, and the median of the rounds' full/bare ratios."""
    data = (FIXTURES / name).read_bytes()
    full = partial(threadkeep.parse, data)
    bare = partial(lxml.html.fromstring, data)
    counts = (calibrate(full, round_s), calibrate(bare, round_s))
    fulls: list[float] = []
    bares: list[float] = []
    for index in range(rounds):
        order = [(full, counts[0], fulls), (bare, counts[1], bares)]
        for func, calls, samples in order[:: -1 if index % 2 else 1]:
            samples.append(per_call(func, calls))
    ratios = [f / b for f, b in zip(fulls, bares, strict=True)]
    return statistics.median(fulls) * 1e3, statistics.median(bares) * 1e3, statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--round-ms", type=float, default=40.0)
    args = parser.parse_args()
    print(f"{'input':<75} {'KB':>6} {'full ms':>8} {'bare ms':>8} {'full/bare':>9}")
    for name in INPUTS:
        size = (FIXTURES / name).stat().st_size / 1000
        full_ms, bare_ms, ratio = measure(name, args.rounds, args.round_ms / 1000)
        print(f"{name:<75} {size:6.1f} {full_ms:8.3f} {bare_ms:8.3f} {ratio:8.2f}x")


if __name__ == "__main__":
    main()
