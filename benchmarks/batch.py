"""Benchmark: ``threadkeep convert`` on a folder of many pages, as a user runs it.

Builds ``--count`` input files in a temporary folder by copying real fixture pages (the
golden inputs under ``fixtures/`` smaller than ``--max-kb``, in turn), then runs the command
line in a child process, twice for each count:

1. ``threadkeep convert DIR -o OUT`` (one file per input): time until the first output file
   appears in ``OUT``;
2. ``threadkeep convert DIR --format jsonl``: time until the first line reaches stdout;

and for each the total time and the child's peak RSS (``os.wait4``'s ``ru_maxrss``). Before
issue 12 the folder run planned its output names in quadratic time and kept every result in
memory: 6,480 inputs waited 13.7 s for the first output, 30,000 used 1.27 GB.

Run from the repository root (``--code DIR`` runs another checkout's ``threadkeep``, to
compare)::

    python benchmarks/batch.py                       # 6,480 and 30,000 inputs
    python benchmarks/batch.py --count 2000 --count 10000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import golden_cases  # noqa: E402  (the fixture list the tests use)


@dataclass(frozen=True)
class Figures:
    first: float  # seconds to the first output
    total: float  # seconds to the end
    peak_mb: float  # peak resident memory of the child
    status: int


def build(folder: Path, count: int, max_kb: int) -> None:
    """``count`` copies of the small fixture pages, each under a name of its own."""
    pages = [p for p in golden_cases() if p.stat().st_size <= max_kb * 1024]
    data = [(p.name, p.read_bytes()) for p in pages]
    for index in range(count):
        name, content = data[index % len(data)]
        (folder / f"{index:06d}-{name}").write_bytes(content)


def _first_file(out: Path, started: float, stop: threading.Event) -> float:
    while not stop.is_set():
        if out.is_dir():
            with os.scandir(out) as entries:
                if any(not e.name.startswith(".") for e in entries):
                    return time.perf_counter() - started
        time.sleep(0.005)
    return float("nan")


def measure(args: list[str], env: dict[str, str], *, out: Path | None, cwd: Path) -> Figures:
    """Run ``python -m threadkeep ARGS``; time the first output, the end and peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "threadkeep", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,  # not the repository: `-m` would put its threadkeep before --code's
    )
    assert child.stdout is not None
    first = float("nan")
    if out is not None:
        stop = threading.Event()
        found: list[float] = []
        watcher = threading.Thread(target=lambda: found.append(_first_file(out, started, stop)))
        watcher.start()
        child.stdout.read()
        stop.set()
        watcher.join()
        first = found[0]
    else:
        if child.stdout.readline():
            first = time.perf_counter() - started
        while child.stdout.read(1 << 20):
            pass
    _, status, usage = os.wait4(child.pid, 0)
    total = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Figures(first, total, usage.ru_maxrss / 1024, child.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, action="append", help="inputs (repeatable)")
    parser.add_argument("--max-kb", type=int, default=16, help="largest fixture copied (KiB)")
    parser.add_argument("--code", type=Path, help="run the threadkeep found in this checkout")
    options = parser.parse_args()
    env = dict(os.environ)
    if options.code:
        env["PYTHONPATH"] = str(options.code.resolve())
    print("inputs  command                      first output  total     peak RSS")
    for count in options.count or [6480, 30_000]:
        with tempfile.TemporaryDirectory() as temp:
            pages, out = Path(temp) / "pages", Path(temp) / "out"
            pages.mkdir()
            build(pages, count, options.max_kb)
            runs = [
                ("convert DIR -o OUT", ["convert", str(pages), "-o", str(out)], out),
                ("convert DIR --format jsonl", ["convert", str(pages), "--format", "jsonl"], None),
            ]
            for label, args, folder in runs:
                shutil.rmtree(out, ignore_errors=True)
                got = measure(args, env, out=folder, cwd=Path(temp))
                print(
                    f"{count:>6}  {label:<27}  {got.first:>9.2f} s  {got.total:>6.1f} s  "
                    f"{got.peak_mb:>6.0f} MB  (exit {got.status})"
                )


if __name__ == "__main__":
    main()
