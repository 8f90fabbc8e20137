"""A Dask scheduler that goes away mid-run: one line saying so, exit 1, no output half-made.

The scheduler and its worker run as ``dask scheduler`` and ``dask worker`` processes (as on a
real cluster); a worker plugin ends the scheduler's process when a chosen task starts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason="dask.distributed is not installed")

from distributed import Client
from distributed.diagnostics.plugin import WorkerPlugin

from tests.test_dask import tk
from tests.warcs import TWEET_PAGE, TWEET_URL, Rec, warc_bytes

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).parent / "dask"


class KillsScheduler(WorkerPlugin):
    """Ends the scheduler's process when the conversion's task ``number`` starts."""

    name = "threadkeep-test-kills-scheduler"

    def __init__(self, pid: int, number: int) -> None:
        self.pid, self.prefix = pid, f"threadkeep-convert-{number}-"

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing" and str(key).startswith(self.prefix):
            os.kill(self.pid, signal.SIGKILL)


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[tuple[str, int]]:
    file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [subprocess.Popen([str(DASK), "scheduler", "--scheduler-file", str(file),
                                 "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                                cwd=ROOT, env=env, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        for _ in range(300):
            if file.exists() and file.read_text().strip():
                break
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        started.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1",
                                         "--no-dashboard"], cwd=ROOT, env=env,
                                        stderr=subprocess.DEVNULL))  # fmt: skip
        with Client(address) as client:
            client.wait_for_workers(1, timeout=60)
        yield address, started[0].pid
    finally:
        for process in started:
            process.kill()
            process.wait()


def test_a_scheduler_lost_mid_run_is_one_line_exit_1_and_no_output_file(
    tmp_path: Path, scheduler: tuple[str, int]
) -> None:
    address, pid = scheduler
    crawls = tmp_path / "crawls"
    crawls.mkdir()
    for n in range(6):  # one task a WARC file
        (crawls / f"c{n}.warc.gz").write_bytes(warc_bytes([Rec(f"{TWEET_URL}?{n}", TWEET_PAGE)]))
    with Client(address) as client:
        client.register_plugin(KillsScheduler(pid, 1))
    out = tmp_path / "out" / "all.jsonl"
    out.parent.mkdir()
    done = tk("convert", str(crawls), "--engine", "dask", "--scheduler", address, "-o", str(out),
              "--format", "jsonl", env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"threadkeep: lost the Dask scheduler at {address}"), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == []  # no file, no parts left
