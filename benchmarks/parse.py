"""Benchmark: ``threadkeep.parse`` against a bare lxml parse of the same bytes, and against
the lean floor of issue 15's target pages.

What is measured, for every fixture input under ``fixtures/{threadreader,listing,constructed,
articles,embeds,nitter,text}/`` (``.html`` and ``.txt`` files; goldens and READMEs are skipped):

1. **full**: ``threadkeep.parse(data)``: decode, build one lxml tree, build the pydantic models;
2. **bare**: ``lxml.html.fromstring(data)`` of the same bytes, the least any HTML parse can
   cost. Text copies (``.txt``) build no tree, so their bare parse is reported as n/a;
3. **floor**, for the four target pages only: the lean parser of the page's family in
   ``benchmarks/floor.py`` (lxml tree, XPath, the same validated models, nothing else). Before
   timing, the script checks once that each floor returns a result equal to
   ``threadkeep.parse``'s for its page, so the floor does all the work the result needs.
4. **family floor**, for the two article target pages: ``floor.article_family``, the lean
   reader of an article whose embeds may be of any family threadkeep reads (the page floor
   reads only the one markup of these two pages). Before timing, the script checks that it
   returns ``threadkeep.parse``'s result for every article fixture (the HTML pages of
   ``floor.FAMILY_FOLDERS`` that parse to an article, less ``floor.FAMILY_EXCLUDED``).

How it is measured: all measurements run in one process, interleaved round by round (the
order inside a round alternates too), so that machine noise falls on all alike. Each
measurement is first calibrated to a call count that takes about 50 ms per round; a round
times that many calls with ``time.perf_counter_ns`` and keeps the mean time per call. The
figure reported is the median over rounds (15 by default). The garbage collector stays **on**
while a batch runs (a user pays for the collections a parse triggers); it is run to the end
before each batch, so that no batch pays for another's garbage.

Reported per fixture: size (KB = 1000 bytes), full-parse ms, pages/s, MB/s (10^6 bytes),
bare ms and the ratio full/bare. The peak memory of one full parse of the largest fixture
is taken with :mod:`tracemalloc`; it counts Python allocations only, not the memory libxml2
allocates in C for the tree itself.

The targets (issue 15), for each page: full ms, bare ms, floor ms, full/bare, floor/bare and
full/floor (and, for the two articles, family floor ms, family/bare and full/family), then
whether full/bare is within the target: 2.5x for
``threadreader/quinnypig_2020_full.html`` (a real 133 KB thread page),
``embeds/basicthinking_de_2018_erfolgreiche-tweets.html`` (a real article with 12 embeds) and
``articles/theverge_2019_facetime_slice.html``, 3x for ``listing/homepage_2018.html``. Where
the floor itself is above the target, the goal is a full parse within 10 % of the floor, and
the line says so; for the articles, a second line says whether full is within 10 % of the
family floor. The script never fails on timings.

Run from the repository root::

    python benchmarks/parse.py                 # full run, 15 rounds
    python benchmarks/parse.py --quick         # short run: 5 rounds of ~10 ms
    python benchmarks/parse.py --targets       # the four target pages only
    python benchmarks/parse.py --rounds 31 --json results.json

On a busy machine, count instructions instead (repeatable under load): ``--calls WHAT PAGE N``
only calls ``full``, ``bare``, ``floor`` or ``family`` of a target page N times (the collector
off, so that counts repeat), for ``valgrind --tool=callgrind``; the difference between N and 0
calls, divided by N, is one call's cost::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python benchmarks/parse.py --calls full threadreader/quinnypig_2020_full.html 5
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
from floor import (  # benchmarks/floor.py: run as a script, its folder is on sys.path
    FAMILY_EXCLUDED,
    FAMILY_FOLDERS,
    FLOORS,
    article,
    article_family,
)
from lxml import etree

import threadkeep

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FOLDERS = ("threadreader", "listing", "constructed", "articles", "embeds", "nitter", "text")
SUFFIXES = (".html", ".txt")
TARGETS = {
    "threadreader/quinnypig_2020_full.html": 2.5,
    "embeds/basicthinking_de_2018_erfolgreiche-tweets.html": 2.5,
    "articles/theverge_2019_facetime_slice.html": 2.5,
    "listing/homepage_2018.html": 3.0,
}
"""Issue 15's target pages and the most a full parse may cost, in bare lxml parses."""
NEAR_FLOOR = 1.10  # where the floor is above the target: full within 10 % of the floor

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
    """One fixture input and its measurements (``bare`` is None for text copies, ``floor``
    for all but the target pages, ``family`` for all but the article target pages)."""

    name: str
    data: bytes
    full: Measurement
    bare: Measurement | None
    floor: Measurement | None = None
    family: Measurement | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def measurements(self) -> list[Measurement]:
        return [m for m in (self.full, self.bare, self.floor, self.family) if m is not None]


def discover(*, targets_only: bool = False) -> list[Case]:
    """Every benchmarked fixture input, in folder order then name order."""
    cases: list[Case] = []
    for folder in FOLDERS:
        for path in sorted((FIXTURES / folder).iterdir()):
            name = f"{folder}/{path.name}"
            if path.suffix not in SUFFIXES or (targets_only and name not in TARGETS):
                continue
            data = path.read_bytes()
            floor = FLOORS.get(name)
            cases.append(
                Case(
                    name=name,
                    data=data,
                    full=Measurement(partial(threadkeep.parse, data)),
                    bare=(
                        Measurement(partial(lxml.html.fromstring, data))
                        if path.suffix == ".html"
                        else None
                    ),
                    floor=Measurement(partial(floor, data)) if floor is not None else None,
                    family=(
                        Measurement(partial(article_family, data)) if floor is article else None
                    ),
                )
            )
    return cases


def check_floors(cases: list[Case]) -> None:
    """Each floor must return what ``threadkeep.parse`` does for its page, or it is no floor."""
    for case in cases:
        if case.floor is None:
            continue
        if case.floor.func() != case.full.func():
            raise SystemExit(f"the floor of {case.name} differs from threadkeep.parse's result")


def check_family_floor() -> int:
    """The family floor must return what ``threadkeep.parse`` does for every article fixture
    (but those :data:`FAMILY_EXCLUDED` names), or it is no floor; the count of pages checked."""
    checked = 0
    for folder in FAMILY_FOLDERS:
        for path in sorted((FIXTURES / folder).glob("*.html")):
            name = f"{folder}/{path.name}"
            data = path.read_bytes()
            result = threadkeep.parse(data)
            if not isinstance(result, threadkeep.Article) or name in FAMILY_EXCLUDED:
                continue
            if result.source is None or result.source.kind != "embed":
                continue  # a status page or a Nitter page read as an article: not this family
            if article_family(data) != result:
                raise SystemExit(f"the family floor of {name} differs from threadkeep.parse's")
            checked += 1
    return checked


def time_batch(func: Callable[[], object], calls: int) -> float:
    """Mean nanoseconds per call over ``calls`` back-to-back calls, garbage collector on."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        func()
    return (time.perf_counter_ns() - start) / calls


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
        for measurement in case.measurements():
            calibrate(measurement, round_ns)
    for index in range(rounds):
        if progress:
            print(f"\r  round {index + 1}/{rounds}", end="", file=sys.stderr, flush=True)
        for case in cases:
            group = case.measurements()
            if index % 2:
                group.reverse()
            for measurement in group:
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


def us(ns: float) -> str:
    return f"{ns / 1e3:.0f}"


def aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """``rows`` under ``header``, the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return [line(header), "  ".join("-" * width for width in widths), *map(line, rows)]


def table(cases: list[Case]) -> list[str]:
    """The results table, one line per fixture."""
    header = ("fixture", "KB", "full ms", "pages/s", "MB/s", "bare ms", "full/bare")
    rows: list[tuple[str, ...]] = []
    for case in cases:
        full = case.full.median_ns
        bare = case.bare.median_ns if case.bare is not None else None
        rows.append(
            (
                case.name,
                f"{case.size / 1000:.1f}",
                ms(full),
                f"{1e9 / full:,.0f}",
                f"{case.size / 1e6 / (full / 1e9):.2f}",
                ms(bare) if bare is not None else "n/a",
                f"{full / bare:.2f}x" if bare is not None else "n/a",
            )
        )
    return aligned(header, rows)


@dataclass(frozen=True)
class Verdict:
    """One target page's figures and whether its target is met."""

    name: str
    full_ns: float
    bare_ns: float
    floor_ns: float
    target: float
    family_ns: float | None = None

    @property
    def full_bare(self) -> float:
        return self.full_ns / self.bare_ns

    @property
    def floor_bare(self) -> float:
        return self.floor_ns / self.bare_ns

    @property
    def full_floor(self) -> float:
        return self.full_ns / self.floor_ns

    @property
    def full_family(self) -> float | None:
        return None if self.family_ns is None else self.full_ns / self.family_ns

    @property
    def met(self) -> bool:
        """Within the target; or, where the floor is above it, within 10 % of the floor."""
        if self.floor_bare > self.target:
            return self.full_floor <= NEAR_FLOOR
        return self.full_bare <= self.target

    def says(self) -> str:
        met = "met" if self.met else "not met"
        if self.floor_bare > self.target:
            return (
                f"target {self.target:g}x: floor itself is above target; "
                f"full within {NEAR_FLOOR - 1:.0%} of floor: {met}"
            )
        return f"target {self.target:g}x: {met}"

    def says_family(self) -> str | None:
        """Whether full is within 10 % of the family floor (None: no family floor)."""
        if self.full_family is None:
            return None
        within = "yes" if self.full_family <= NEAR_FLOOR else "no"
        return f"full within {NEAR_FLOOR - 1:.0%} of the family floor: {within}"


def verdicts(cases: list[Case]) -> list[Verdict]:
    """The target pages' figures, in the order of :data:`TARGETS`."""
    found = {case.name: case for case in cases}
    result = []
    for name, target in TARGETS.items():
        case = found[name]
        if case.bare is None or case.floor is None:
            raise SystemExit(f"{name} has no bare or floor measurement")
        family = case.family.median_ns if case.family is not None else None
        result.append(
            Verdict(
                name,
                case.full.median_ns,
                case.bare.median_ns,
                case.floor.median_ns,
                target,
                family,
            )
        )
    return result


def target_table(found: list[Verdict]) -> list[str]:
    """The target pages' table: full, bare, floor, family floor and their ratios, and each
    verdict."""
    header = (
        "target page", "full ms", "bare ms", "floor ms", "full/bare", "floor/bare", "full/floor",
        "family ms", "family/bare", "full/family",
    )  # fmt: skip
    rows = [
        (
            v.name,
            ms(v.full_ns),
            ms(v.bare_ns),
            ms(v.floor_ns),
            f"{v.full_bare:.2f}x",
            f"{v.floor_bare:.2f}x",
            f"{v.full_floor:.2f}x",
            *_family_cells(v),
        )
        for v in found
    ]
    lines = [f"{v.name}: {v.says()}" for v in found]
    lines += [f"{v.name}: {v.says_family()}" for v in found if v.says_family() is not None]
    return aligned(header, rows) + lines


def _family_cells(v: Verdict) -> tuple[str, str, str]:
    """The family floor's cells of a target page's row (n/a for pages that are no article)."""
    if v.family_ns is None or v.full_family is None:
        return ("n/a", "n/a", "n/a")
    return (ms(v.family_ns), f"{v.family_ns / v.bare_ns:.2f}x", f"{v.full_family:.2f}x")


def results(
    cases: list[Case],
    info: dict[str, str],
    rounds: int,
    round_ms: float,
    peak: dict[str, Any],
    found: list[Verdict],
) -> dict[str, Any]:
    """Everything measured, for ``--json``: settings, machine, per-fixture samples, targets."""
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
            "bare_ms": None,
            "ratio": None,
        }
        if case.bare is not None:
            entry |= {
                "bare_ms": case.bare.median_ns / 1e6,
                "ratio": case.full.median_ns / case.bare.median_ns,
                "bare_calls_per_round": case.bare.calls,
                "bare_samples_ns": case.bare.samples_ns,
            }
        if case.floor is not None:
            entry |= {
                "floor_ms": case.floor.median_ns / 1e6,
                "floor_calls_per_round": case.floor.calls,
                "floor_samples_ns": case.floor.samples_ns,
            }
        if case.family is not None:
            entry |= {
                "family_ms": case.family.median_ns / 1e6,
                "family_calls_per_round": case.family.calls,
                "family_samples_ns": case.family.samples_ns,
            }
        fixtures.append(entry)
    targets = [
        {
            "fixture": v.name,
            "max_ratio": v.target,
            "full_bare": v.full_bare,
            "floor_bare": v.floor_bare,
            "full_floor": v.full_floor,
            "full_family": v.full_family,
            "floor_above_target": v.floor_bare > v.target,
            "met": v.met,
        }
        for v in found
    ]
    return {
        "machine": info,
        "settings": {
            "rounds": rounds,
            "round_ms": round_ms,
            "statistic": "median",
            "garbage_collector": "on",
        },
        "fixtures": fixtures,
        "peak_memory": peak,
        "targets": targets,
    }


ARTICLES = [name for name, floor in FLOORS.items() if floor is article]


def _without(patches: list[tuple[object, str, object]], data: bytes) -> object:
    """``threadkeep.parse(data)`` with each ``(module, name, value)`` of ``patches`` in place
    for the call (the same function, no patch, times full: both pay the swap)."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, value in patches:
        setattr(module, name, value)
    try:
        return threadkeep.parse(data)
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _first_article_row() -> int:
    """Where the first article row stands in the table of kinds: every row before it is a
    kind detector an article page goes through first."""
    from threadkeep.parsing import kinds

    return next(n for n, kind in enumerate(kinds.KINDS) if kind.name == "article")


def pieces() -> dict[str, list[tuple[object, str, object]]]:
    """What a full parse of an article does that the family floor leaves out, each as the
    patches that leave it out (for ``--pieces``): every piece is work no article page needs
    for its result, which :func:`account` checks page by page (all left out at once) before
    timing."""
    from threadkeep import parsing
    from threadkeep.parsing import embeds, html, inputs, kinds

    return {
        "attribute scan (limits)": [(html, "_check_attributes", lambda data, source: None)],
        "tag count (limits)": [(html, "_check_tags", lambda data, source: None)],
        "encoding detection": [(html, "detect", lambda data: ("utf-8", True))],
        "web-archive check": [(parsing, "capture_time", lambda raw, url: None)],
        "kind detection": [
            (parsing, "KINDS", kinds.KINDS[_first_article_row() :]),
            (embeds, "has_embeds", lambda root: True),
        ],
        "input form sniffing": [(inputs, "_form", lambda raw: "html")],
        "http_only pass": [(parsing, "http_only", lambda result: result)],
    }


def alone(data: bytes) -> dict[str, Callable[[], object]]:
    """Each piece of :func:`pieces` called by itself on ``data`` as a full parse calls it (the
    tree, where it needs one, parsed before): timed alone, a piece of 50 µs is steadier than
    the difference of two 3 ms parses."""
    from threadkeep.encoding import detect
    from threadkeep.parsing import embeds, html, inputs, kinds, schemes, webarchive

    page = inputs.Input(data)
    loaded = page.page  # the tree, parsed once: the detectors read it
    result = threadkeep.parse(data)

    def detectors() -> None:
        fresh = inputs.Input.__new__(inputs.Input)
        fresh.raw, fresh.url, fresh.form = data, None, "html"
        fresh.__dict__["page"] = loaded  # a cached property: what full had parsed already
        for kind in kinds.KINDS[: _first_article_row()]:
            kind.find(fresh)
        embeds.has_embeds(loaded.root)

    return {
        "attribute scan (limits)": partial(html._check_attributes, data, None),
        "tag count (limits)": partial(html._check_tags, data, None),
        "encoding detection": partial(detect, data),
        "web-archive check": partial(webarchive.capture_time, data, None),
        "kind detection": detectors,
        "input form sniffing": partial(inputs._form, data),
        "http_only pass": partial(schemes.http_only, result),
    }


@dataclass
class Pieces:
    """One article page: full, its family floor, full without the pieces, and each piece
    alone (see :func:`pieces` and :func:`alone`)."""

    name: str
    full: Measurement
    family: Measurement
    without_all: Measurement
    each: dict[str, Measurement]

    def measurements(self) -> list[Measurement]:
        return [self.full, self.family, self.without_all, *self.each.values()]


def account(rounds: int, round_ms: float) -> list[str]:
    """``--pieces``: for each article target page, full, the family floor and full without
    the pieces the floor leaves out (which must return full's result for the page, or the
    script stops), and each piece timed alone; then the family floor with the pieces added,
    the floor that a parse keeping every one of them cannot go below."""
    found = pieces()
    everything = [patch for patches in found.values() for patch in patches]
    cases = []
    for name in ARTICLES:
        data = (FIXTURES / name).read_bytes()
        without_all = Measurement(partial(_without, everything, data))
        if without_all.func() != threadkeep.parse(data):
            raise SystemExit(f"{name} without the pieces is not full's result")
        each = {piece: Measurement(call) for piece, call in alone(data).items()}
        full = Measurement(partial(_without, [], data))
        family = Measurement(partial(article_family, data))
        cases.append(Pieces(name, full, family, without_all, each))
    run(cases, rounds, round_ms, progress=sys.stderr.isatty())  # type: ignore[arg-type]
    lines: list[str] = []
    for case in cases:
        full, family = case.full.median_ns, case.family.median_ns
        rest = case.without_all.median_ns
        rows = [
            ("full", ms(full), ""),
            ("family floor", ms(family), ""),
            ("full without the pieces", ms(rest), ""),
        ]
        total = 0.0
        for piece, measurement in case.each.items():
            total += measurement.median_ns
            rows.append((f"  {piece}", "", us(measurement.median_ns)))
        rows.append(("  the pieces, alone, in all", "", us(total)))
        guarded = family + total
        rows.append(("family floor and the pieces", ms(guarded), ""))
        lines += [case.name, *aligned(("", "ms", "µs alone"), rows)]
        lines.append(
            f"full / family floor {full / family:.2f}x; full without the pieces / family floor "
            f"{rest / family:.2f}x; full / (family floor and the pieces) {full / guarded:.2f}x"
        )
        lines.append("")
    return lines


def calls(what: str, page: str, count: str) -> int:
    """Call one measurement of one target page ``count`` times (after two warm-up calls and
    a collection, the collector then off so that counts repeat), timing nothing: what
    ``valgrind --tool=callgrind`` counts, less the count of a run with ``count`` 0, is its
    cost in instructions, the same on a busy machine."""
    case = next((case for case in discover(targets_only=True) if case.name == page), None)
    if case is None or what not in ("full", "bare", "floor", "family"):
        raise SystemExit(
            f"--calls: WHAT is full, bare, floor or family; PAGE one of {list(TARGETS)}"
        )
    measurement = getattr(case, what)
    if measurement is None:
        raise SystemExit(f"--calls: {page} has no {what} measurement")
    for _ in range(2):
        measurement.func()
    gc.collect()
    gc.disable()
    for _ in range(int(count)):
        measurement.func()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short run (5 rounds of ~10 ms)")
    parser.add_argument("--targets", action="store_true", help="the four target pages only")
    parser.add_argument("--rounds", type=int, help="rounds to take the median of (default 15)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all results here")
    parser.add_argument(
        "--calls",
        nargs=3,
        metavar=("WHAT", "PAGE", "N"),
        help="no timing: call full, bare, floor or family on PAGE (a target page) N times, for "
        "counting instructions with valgrind --tool=callgrind (subtract a run of N=0)",
    )
    parser.add_argument(
        "--pieces",
        action="store_true",
        help="the two articles: full without the pieces the family floor leaves out, and "
        "each piece timed alone",
    )
    args = parser.parse_args(argv)
    if args.calls is not None:
        return calls(*args.calls)
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else DEFAULT_ROUNDS)
    round_ms = QUICK_ROUND_MS if args.quick else DEFAULT_ROUND_MS
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.pieces:
        print("threadkeep parse benchmark: the pieces of a full parse of an article")
        for key, value in machine().items():
            print(f"  {key}: {value}")
        print(f"  {rounds} rounds x ~{round_ms:g} ms per measurement, median; gc on\n")
        for line in account(rounds, round_ms):
            print(line)
        return 0

    info = machine()
    width = max(map(len, info))
    print("threadkeep parse benchmark")
    for key, value in info.items():
        print(f"  {key.ljust(width)}  {value}")
    print(f"  {'rounds'.ljust(width)}  {rounds} x ~{round_ms:g} ms per measurement, median")
    print(f"  {'gc'.ljust(width)}  on while timing")
    print()

    cases = discover(targets_only=args.targets)
    check_floors(cases)
    checked = check_family_floor()
    print(f"family floor: equal to threadkeep.parse on {checked} article fixtures")
    print()
    run(cases, rounds, round_ms, progress=sys.stderr.isatty())
    if not args.targets:
        for row in table(cases):
            print(row)
        print()

    largest = max(cases, key=lambda case: case.size)
    peak_bytes = peak_memory(largest.data)
    print(f"peak memory, one full parse of {largest.name} ({largest.size / 1000:.1f} KB):")
    print(f"  {peak_bytes / 1000:,.1f} KB traced by tracemalloc (Python allocations only)")
    print()

    found = verdicts(cases)
    for row in target_table(found):
        print(row)

    if args.json is not None:
        peak = {"fixture": largest.name, "bytes": largest.size, "peak_bytes": peak_bytes}
        report = results(cases, info, rounds, round_ms, peak, found)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
