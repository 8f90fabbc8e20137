"""Benchmark: ``threadkeep.parse`` against a bare lxml parse of the same bytes.

What is measured, for every fixture input under ``fixtures/{threadreader,listing,constructed,
text}/`` (``.html`` and ``.txt`` files; goldens and READMEs are skipped):

1. **full**: ``threadkeep.parse(data)``: decode, build one lxml tree, build the pydantic models;
2. **floor**: ``lxml.html.fromstring(data)`` of the same bytes, the least any HTML parse can
   cost. Text copies (``.txt``) build no tree, so their floor is reported as n/a.

How it is measured: both measurements run in one process, interleaved round by round (the
order inside a round alternates too), so that machine noise falls on both alike. Each
measurement is first calibrated to a call count that takes about 50 ms per round; a round
times that many calls with ``time.perf_counter_ns`` and keeps the mean time per call. The
figure reported is the median over rounds (15 by default). As with :mod:`timeit`, the garbage
collector is paused while a batch runs.

Reported per fixture: size (KB = 1000 bytes), full-parse ms, pages/s, MB/s (10^6 bytes),
floor ms and the ratio full/floor. The peak memory of one full parse of the largest fixture
is taken with :mod:`tracemalloc`; it counts Python allocations only, not the memory libxml2
allocates in C for the tree itself.

The target line: a full parse of ``threadreader/quinnypig_2020_full.html`` (a real 130 KB
page) within 1.5x of the bare lxml parse. The script prints whether it is met; it never fails
on timings.

Run from the repository root::

    python benchmarks/parse.py                 # full run, 15 rounds
    python benchmarks/parse.py --quick         # short run: 5 rounds of ~10 ms
    python benchmarks/parse.py --rounds 31 --json results.json
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import lxml.html
import pydantic
import pydantic_core
from lxml import etree

import threadkeep

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FOLDERS = ("threadreader", "listing", "constructed", "articles", "embeds", "nitter", "text")
SUFFIXES = (".html", ".txt")
TARGET_FIXTURE = "threadreader/quinnypig_2020_full.html"
TARGET_RATIO = 1.5

DEFAULT_ROUNDS = 15
DEFAULT_ROUND_MS = 50.0
QUICK_ROUNDS = 5
QUICK_ROUND_MS = 10.0


@dataclass
class Measurement:
    """One timed callable: its calibrated call count and the time per call of each round."""

    func: Callable[[], object]
    calls: int = 1
    samples_ns: list[float] = field(default_factory=list)

    @property
    def median_ns(self) -> float:
        return statistics.median(self.samples_ns)


@dataclass
class Case:
    """One fixture input and its two measurements (``floor`` is None for text copies)."""

    name: str
    data: bytes
    full: Measurement
    floor: Measurement | None

    @property
    def size(self) -> int:
        return len(self.data)


def discover() -> list[Case]:
    """Every benchmarked fixture input, in folder order then name order."""
    cases: list[Case] = []
    for folder in FOLDERS:
        for path in sorted((FIXTURES / folder).iterdir()):
            if path.suffix not in SUFFIXES:
                continue
            data = path.read_bytes()
            cases.append(
                Case(
                    name=f"{folder}/{path.name}",
                    data=data,
                    full=Measurement(partial(threadkeep.parse, data)),
                    floor=(
                        Measurement(partial(lxml.html.fromstring, data))
                        if path.suffix == ".html"
                        else None
                    ),
                )
            )
    return cases


def time_batch(func: Callable[[], object], calls: int) -> float:
    """Mean nanoseconds per call over ``calls`` back-to-back calls, with gc paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in range(calls):
            func()
        elapsed = time.perf_counter_ns() - start
    finally:
        if enabled:
            gc.enable()
    return elapsed / calls


def calibrate(measurement: Measurement, round_ns: float) -> None:
    """Set the call count so that one round takes about ``round_ns`` (also warms up)."""
    calls = 1
    while True:
        per_call = time_batch(measurement.func, calls)
        if per_call * calls >= round_ns / 10 or calls >= 1 << 20:
            break
        calls *= 2
    measurement.calls = max(1, math.ceil(round_ns / max(per_call, 1.0)))


def run(cases: list[Case], rounds: int, round_ms: float, *, progress: bool) -> None:
    """Calibrate every measurement, then time them all, interleaved, for ``rounds`` rounds."""
    round_ns = round_ms * 1e6
    for case in cases:
        calibrate(case.full, round_ns)
        if case.floor is not None:
            calibrate(case.floor, round_ns)
    for index in range(rounds):
        if progress:
            print(f"\r  round {index + 1}/{rounds}", end="", file=sys.stderr, flush=True)
        for case in cases:
            pair = [case.full] if case.floor is None else [case.full, case.floor]
            if index % 2:
                pair.reverse()
            for measurement in pair:
                gc.collect()
                measurement.samples_ns.append(time_batch(measurement.func, measurement.calls))
    if progress:
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr, flush=True)


def peak_memory(data: bytes) -> int:
    """Peak bytes traced by :mod:`tracemalloc` during one full parse of ``data``."""
    threadkeep.parse(data)  # warm caches (regexes, pydantic validators) outside the trace
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        threadkeep.parse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def cpu_model() -> str:
    """The CPU model named in /proc/cpuinfo, else what :mod:`platform` says."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model", "Hardware") and value.strip():
            return value.strip()
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """The facts a reader needs to compare figures between machines."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = str(os.cpu_count() or "unknown")
    if usable is not None and str(usable) != cores:
        cores += f" ({usable} usable)"
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "lxml": (
            f"{etree.__version__} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}, "
            f"compiled against {'.'.join(map(str, etree.LIBXML_COMPILED_VERSION))})"
        ),
        "pydantic": f"{pydantic.VERSION} (pydantic-core {pydantic_core.__version__})",
        "threadkeep": threadkeep.__version__,
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": cores,
    }


def ms(ns: float) -> str:
    return f"{ns / 1e6:.3f}"


def table(cases: list[Case]) -> list[str]:
    """The aligned results table, one line per fixture."""
    header = ("fixture", "KB", "full ms", "pages/s", "MB/s", "floor ms", "full/floor")
    rows: list[tuple[str, ...]] = []
    for case in cases:
        full = case.full.median_ns
        floor = case.floor.median_ns if case.floor is not None else None
        rows.append(
            (
                case.name,
                f"{case.size / 1000:.1f}",
                ms(full),
                f"{1e9 / full:,.0f}",
                f"{case.size / 1e6 / (full / 1e9):.2f}",
                ms(floor) if floor is not None else "n/a",
                f"{full / floor:.2f}x" if floor is not None else "n/a",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return [line(header), "  ".join("-" * width for width in widths), *map(line, rows)]


def results(
    cases: list[Case], info: dict[str, str], rounds: int, round_ms: float, peak: dict[str, Any]
) -> dict[str, Any]:
    """Everything measured, for ``--json``: settings, machine, per-fixture samples."""
    fixtures: list[dict[str, Any]] = []
    for case in cases:
        entry: dict[str, Any] = {
            "fixture": case.name,
            "bytes": case.size,
            "full_ms": case.full.median_ns / 1e6,
            "pages_per_s": 1e9 / case.full.median_ns,
            "mb_per_s": case.size / 1e6 / (case.full.median_ns / 1e9),
            "full_calls_per_round": case.full.calls,
            "full_samples_ns": case.full.samples_ns,
            "floor_ms": None,
            "ratio": None,
        }
        if case.floor is not None:
            entry |= {
                "floor_ms": case.floor.median_ns / 1e6,
                "ratio": case.full.median_ns / case.floor.median_ns,
                "floor_calls_per_round": case.floor.calls,
                "floor_samples_ns": case.floor.samples_ns,
            }
        fixtures.append(entry)
    return {
        "machine": info,
        "settings": {"rounds": rounds, "round_ms": round_ms, "statistic": "median"},
        "fixtures": fixtures,
        "peak_memory": peak,
        "target": {"fixture": TARGET_FIXTURE, "max_ratio": TARGET_RATIO},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short run (5 rounds of ~10 ms)")
    parser.add_argument("--rounds", type=int, help="rounds to take the median of (default 15)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all results here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else DEFAULT_ROUNDS)
    round_ms = QUICK_ROUND_MS if args.quick else DEFAULT_ROUND_MS
    if rounds < 1:
        parser.error("--rounds must be at least 1")

    info = machine()
    width = max(map(len, info))
    print("threadkeep parse benchmark")
    for key, value in info.items():
        print(f"  {key.ljust(width)}  {value}")
    print(f"  {'rounds'.ljust(width)}  {rounds} x ~{round_ms:g} ms per measurement, median")
    print()

    cases = discover()
    run(cases, rounds, round_ms, progress=sys.stderr.isatty())
    for row in table(cases):
        print(row)
    print()

    largest = max(cases, key=lambda case: case.size)
    peak_bytes = peak_memory(largest.data)
    print(f"peak memory, one full parse of {largest.name} ({largest.size / 1000:.1f} KB):")
    print(f"  {peak_bytes / 1000:,.1f} KB traced by tracemalloc (Python allocations only)")
    print()

    target = next(case for case in cases if case.name == TARGET_FIXTURE)
    if target.floor is None:
        raise SystemExit(f"{TARGET_FIXTURE} has no floor measurement")
    ratio = target.full.median_ns / target.floor.median_ns
    verdict = "MET" if ratio <= TARGET_RATIO else "NOT MET"
    print(
        f"target: full parse of {TARGET_FIXTURE} within {TARGET_RATIO}x of bare lxml: "
        f"{ms(target.full.median_ns)} ms / {ms(target.floor.median_ns)} ms = {ratio:.2f}x "
        f"-> {verdict}"
    )

    if args.json is not None:
        peak = {"fixture": largest.name, "bytes": largest.size, "peak_bytes": peak_bytes}
        report = results(cases, info, rounds, round_ms, peak)
        report["target"] |= {"ratio": ratio, "met": ratio <= TARGET_RATIO}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
