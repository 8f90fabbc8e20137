"""Benchmark: Thread Reader pages, ``threadkeep.parse`` and its thread builder against bare lxml.

For every page under ``fixtures/threadreader/`` three things are timed, interleaved round by
round in one process (the order inside a round rotates), with the garbage collector ON:

1. **full**: ``threadkeep.parse(data)``;
2. **build**: ``parse_thread(root)`` alone, on a tree parsed once beforehand: the per-tweet
   work (text, entities, numbering, models), without decoding, detection or the tree;
3. **bare**: ``lxml.html.fromstring(data)`` of the same bytes, the floor.

Each measurement is calibrated to a call count of about ``--round-ms`` per round; a round
keeps the mean time per call, and the figure printed is the median over ``--rounds``.

``--profile FIXTURE`` prints instead the cProfile of ``parse`` on one page (sorted by own
time), to see where the rest goes. ``--callgrind`` counts instructions instead of time (the
same three measurements, under ``valgrind --tool=callgrind``): slow, but repeatable on a busy
machine, where timings are not.

Run from the repository root::

    python benchmarks/thread_profile.py                 # 15 rounds of ~40 ms
    python benchmarks/thread_profile.py --rounds 31
    python benchmarks/thread_profile.py --profile quinnypig_2020_full.html
    python benchmarks/thread_profile.py --callgrind     # needs valgrind; about a minute
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

import threadkeep
from threadkeep.parsing.html import load
from threadkeep.parsing.threadreader import parse_thread

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "threadreader"


def _calls_for(func: Callable[[], object], round_ms: float) -> int:
    """How many calls of ``func`` take about ``round_ms``."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            func()
        elapsed = (time.perf_counter() - start) * 1000
        if elapsed >= round_ms / 4 or calls >= 1 << 16:
            return max(1, round(calls * round_ms / max(elapsed, 1e-3)))
        calls *= 2


def measure(
    funcs: dict[str, Callable[[], object]], rounds: int, round_ms: float
) -> dict[str, float]:
    """Median ms per call of each function, interleaved round by round, GC on."""
    counts = {name: _calls_for(func, round_ms) for name, func in funcs.items()}
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    names = list(funcs)
    gc.enable()
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            func, calls = funcs[name], counts[name]
            start = time.perf_counter_ns()
            for _ in range(calls):
                func()
            samples[name].append((time.perf_counter_ns() - start) / calls / 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def _table(rounds: int, round_ms: float) -> None:
    print("| page | KB | tweets | full ms | build ms | bare ms | full / bare | build / bare |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, funcs in _pages():
        data = (FOLDER / name).read_bytes()
        tweets = len(parse_thread(load(data).root).tweets)
        times = measure(funcs, rounds, round_ms)
        full, build, bare = times["full"], times["build"], times["bare"]
        print(
            f"| {name} | {len(data) / 1000:.1f} | {tweets} | {full:.3f} | {build:.3f}"
            f" | {bare:.3f} | {full / bare:.2f}× | {build / bare:.2f}× |"
        )


_CALLS = 5  # calls per measurement under callgrind


def _pages() -> list[tuple[str, dict[str, Callable[[], object]]]]:
    pages = []
    for path in sorted(FOLDER.glob("*.html")):
        data = path.read_bytes()
        root = load(data).root
        funcs: dict[str, Callable[[], object]] = {
            "full": lambda data=data: threadkeep.parse(data),
            "build": lambda root=root: parse_thread(root),
            "bare": lambda data=data: lxml.html.fromstring(data),
        }
        pages.append((path.name, funcs))
    return pages


def _segments() -> None:
    """Under callgrind: each measurement between two ``os.getppid()`` calls (a dump each)."""
    for _, funcs in _pages():
        for func in funcs.values():
            func()
            func()  # warm: caches, lazy imports
            os.getppid()
            for _ in range(_CALLS):
                func()
            os.getppid()


def _callgrind() -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "cg")
        command = ["valgrind", "--tool=callgrind", "--dump-before=os_getppid"]
        command += [f"--callgrind-out-file={out}", sys.executable, __file__, "--segments"]
        subprocess.run(command, check=True, capture_output=True)
        dumps = sorted(
            (p for p in os.listdir(folder) if p.startswith("cg.")),
            key=lambda p: int(p.split(".")[1].split("-")[0]),
        )
        totals = [_instructions(os.path.join(folder, p)) for p in dumps]
    measured = iter(totals[1::2])  # the dumps closing each measurement
    print("| page | full M instr | build M instr | bare M instr | full / bare | build / bare |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, funcs in _pages():
        counts = {key: next(measured) / _CALLS / 1e6 for key in funcs}
        full, build, bare = counts["full"], counts["build"], counts["bare"]
        print(
            f"| {name} | {full:.2f} | {build:.2f} | {bare:.2f}"
            f" | {full / bare:.2f}× | {build / bare:.2f}× |"
        )


def _instructions(path: str) -> int:
    with open(path, encoding="utf-8") as dump:
        for line in dump:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise ValueError(f"no totals in {path}")


def _profile(name: str, repeat: int) -> None:
    data = (FOLDER / name).read_bytes()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(repeat):
        threadkeep.parse(data)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--round-ms", type=float, default=40.0)
    parser.add_argument("--profile", metavar="FIXTURE", help="cProfile parse() of one page")
    parser.add_argument("--repeat", type=int, default=50, help="parses profiled")
    parser.add_argument("--callgrind", action="store_true", help="count instructions")
    parser.add_argument("--segments", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.segments:
        _segments()
    elif args.callgrind:
        _callgrind()
    elif args.profile:
        _profile(args.profile, args.repeat)
    else:
        _table(args.rounds, args.round_ms)


if __name__ == "__main__":
    main()
