"""Benchmark: what a user waits for before threadkeep does anything, and a whole ``show``.

Each figure is the wall time of a fresh process, as a user's shell starts it (garbage
collector on, no warm interpreter), the median and the minimum over ``--runs`` runs, printed
beside the floor that no Python program beats (``python -c pass``):

1. ``python -c "import threadkeep"`` (target: the import itself ≤ 120 ms; the import's own
   share, from ``python -X importtime``, is printed too);
2. ``threadkeep --version``;
3. ``threadkeep show ID --store S`` on a store holding the real 102-tweet 2020 thread
   (``fixtures/threadreader/quinnypig_2020_full.html``), end to end (target ≤ 250 ms).

It also lists the heaviest third-party packages ``import threadkeep`` loads (none is the aim).

Before timing, it compiles threadkeep's modules to bytecode (``compileall``), as ``pip install``
does for a user: an editable install in a shell where ``PYTHONDONTWRITEBYTECODE`` is set keeps
no ``.pyc`` files, and each run would otherwise compile every module it imports from source
(about 80 ms of a ``show``), which no installed copy pays.

Run from the repository root::

    python benchmarks/startup.py              # 15 runs of each
    python benchmarks/startup.py --runs 31
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "fixtures" / "threadreader" / "quinnypig_2020_full.html"
THREAD = "1215710451343904768"
TARGETS = {"import threadkeep": 0.120, "threadkeep show": 0.250}


def _command() -> list[str]:
    """The installed console script when there is one, else ``python -m threadkeep``."""
    script = shutil.which("threadkeep", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "threadkeep"]


def wall(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def import_share() -> float:
    """The cumulative import time of ``threadkeep`` itself, from ``-X importtime`` (seconds)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import threadkeep"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for line in done.stderr.splitlines():
        fields = [field.strip() for field in line.split("|")]
        if len(fields) == 3 and fields[2] == "threadkeep":
            return int(fields[1]) / 1e6
    raise RuntimeError("threadkeep is missing from python -X importtime's output")


def third_party_loaded() -> list[str]:
    code = "import sys, threadkeep; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    watched = ("httpx", "bs4", "lxml", "pydantic", "tenacity", "click", "charset_normalizer",
               "dask", "distributed")  # fmt: skip
    names = set(out.stdout.split())
    return [name for name in watched if name in names]


def build_store(folder: Path) -> Path:
    store = folder / "store"
    subprocess.run(
        [*_command(), "archive", str(PAGE), "--store", str(store)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return store


def report(name: str, times: list[float], floor: float) -> None:
    median, best = statistics.median(times), min(times)
    line = f"{name:<24} median {median * 1000:7.1f} ms   min {best * 1000:7.1f} ms"
    line += f"   ({median - floor:+.3f} s over the floor)"
    target = TARGETS.get(name)
    if target is not None:
        verdict = "met" if median <= target else "NOT met"
        line += f"   target ≤ {target * 1000:.0f} ms: {verdict}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cpu = re.sub(r"\s+", " ", platform.processor() or platform.machine())
    print(
        f"Python {platform.python_version()} on {platform.system()} {cpu}, {os.cpu_count()} cores"
    )
    print(f"each figure: {args.runs} fresh processes")
    if not compileall.compile_dir(ROOT / "threadkeep", quiet=1):
        raise SystemExit("threadkeep's modules could not all be compiled to bytecode")
    note = " (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    print(f"threadkeep's modules compiled to bytecode first, as pip install does{note}\n")
    floor_times = wall([sys.executable, "-c", "pass"], args.runs)
    floor = statistics.median(floor_times)
    report("python -c pass (floor)", floor_times, floor)
    report("import threadkeep", wall([sys.executable, "-c", "import threadkeep"], args.runs), floor)
    shares = sorted(import_share() for _ in range(min(args.runs, 7)))
    share = shares[len(shares) // 2] * 1000
    print(f"{'':<24} the import's own share (-X importtime): median {share:.1f} ms")
    report("threadkeep --version", wall([*_command(), "--version"], args.runs), floor)
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        show = [*_command(), "show", THREAD, "--store", str(store)]
        report("threadkeep show", wall(show, args.runs), floor)
    loaded = third_party_loaded()
    print(f"\nthird-party packages 'import threadkeep' loads: {', '.join(loaded) or 'none'}")


if __name__ == "__main__":
    main()
