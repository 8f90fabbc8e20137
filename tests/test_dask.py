"""convert on Dask: the same outputs and report as the local run, on a real two-worker cluster.

One ``LocalCluster`` (two worker processes, one thread each) serves the module; the CLI tests
start their own through ``--engine dask --workers 2`` or reach this one by its address. A worker
is killed for real (a worker plugin ends its process when a chosen task starts); nothing of Dask
is mocked.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install -e '.[dev]')"
)

import dask
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from tests.conftest import FIXTURES
from tests.warcs import NO_TWEETS, TWEET_PAGE, TWEET_URL, Rec, warc_bytes
from threadkeep import batch
from threadkeep.batch.dask import Task, tasks

ROOT = Path(__file__).resolve().parent.parent
WARCS = FIXTURES / "warc"
SMALL_RANGE = 1500  # bytes: the crawl below splits into several ranges


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # A task is given up after its second dead worker (the default tries 4): one retry, so
    # that a task merely waiting on a worker that died is run again elsewhere.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as made:  # fmt: skip
        yield made


def tweet_page(number: int) -> bytes:
    return TWEET_PAGE.replace(b"tweet_1'", b"tweet_%d'" % number).replace(
        b"data-tweet='20'", b"data-tweet='%d'" % (100 + number)
    )


def crawl_records() -> list[Rec]:
    """Twelve tweet pages, a page with no tweets, a damaged gzip payload, and a revisit of the
    first page near the end (its original several ranges back)."""
    pages = [Rec(f"{TWEET_URL}?n={n}", tweet_page(n), date=f"2024-05-01T10:00:{n:02d}Z")
             for n in range(12)]  # fmt: skip
    return [
        *pages[:4],
        Rec("https://example.org/weather", NO_TWEETS, date="2024-05-01T10:01:00Z"),
        *pages[4:8],
        Rec("https://example.org/broken", TWEET_PAGE, wire=b"not gzip at all",
            headers=[("Content-Encoding", "gzip")], date="2024-05-01T10:02:00Z"),
        *pages[8:],
        Rec(TWEET_URL + "?again", kind="revisit", refers_to=pages[0],
            date="2024-06-01T10:00:00Z"),
    ]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "pages").mkdir(parents=True)
    for page in sorted((FIXTURES / "threadreader").glob("*.html"))[:3]:
        (folder / "pages" / page.name).write_bytes(page.read_bytes())
    (folder / "crawl.warc.gz").write_bytes(warc_bytes(crawl_records()))
    (folder / "whole-gzip.warc.gz").write_bytes((WARCS / "whole-gzip.warc.gz").read_bytes())
    return folder


def run_plan(paths: list[Path], output: Path, fmt: batch.Format = "jsonl") -> batch.Plan:
    return batch.plan(list(batch.inputs([str(p) for p in paths])), fmt=fmt, output=str(output))


def local(paths: list[Path], output: Path, fmt: batch.Format = "jsonl") -> batch.Report:
    run = run_plan(paths, output, fmt)
    report = batch.Report(len(run.items))
    for _ in batch.convert(run, report=report, stdout=sys.stdout, stdin=sys.stdin.buffer):
        pass
    return report


def on_dask(
    paths: list[Path], output: Path, address: str, fmt: batch.Format = "jsonl"
) -> tuple[batch.Report, list[batch.Outcome]]:
    run = run_plan(paths, output, fmt)
    report = batch.Report(len(run.items))
    outcomes = list(batch.convert_dask(run, report=report, stdout=sys.stdout, scheduler=address,
                                       range_bytes=SMALL_RANGE))  # fmt: skip
    return report, outcomes


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def counts(report: batch.Report) -> tuple[int, int, int, list[str]]:
    return report.total, report.succeeded, report.empty, report.failures


def test_the_crawl_splits_into_ranges_and_a_whole_gzip_warc_is_one_task(corpus: Path) -> None:
    crawl = run_plan([corpus / "crawl.warc.gz"], corpus / "out")
    cut = tasks(crawl, range_bytes=SMALL_RANGE)
    assert len(cut) >= 3
    assert all(task.what.startswith("records ") for task in cut)
    assert [task.start for task in cut] == sorted(task.start for task in cut)
    assert cut[-1].end == len(crawl.items) == 15  # 12 pages, no tweets, damaged, revisit
    whole = run_plan([corpus / "whole-gzip.warc.gz"], corpus / "out")
    [one] = tasks(whole, range_bytes=1)
    assert (one.start, one.end) == (0, len(whole.items)) and len(whole.items) > 1


@pytest.mark.parametrize(("output", "fmt"), [("out/", "jsonl"), ("all.jsonl", "jsonl"),
                                             ("all.json", "json"), ("all.md", "md")])  # fmt: skip
def test_dask_writes_byte_for_byte_what_the_local_run_writes(
    corpus: Path, tmp_path: Path, cluster: LocalCluster, output: str, fmt: batch.Format
) -> None:
    paths = [corpus / "pages", corpus / "crawl.warc.gz", corpus / "whole-gzip.warc.gz"]
    here, there = tmp_path / "local", tmp_path / "dask"
    mine = local(paths, here / output, fmt) if output.endswith("/") else None
    if mine is None:
        here.mkdir()
        mine = local(paths, here / output, fmt)
    there.mkdir()
    theirs, outcomes = on_dask(paths, there / output, cluster.scheduler_address, fmt)
    assert files(there) == files(here)
    written = files(here)
    if output.endswith("/"):  # 3 pages, 13 records of the crawl, 1 of the whole-gzip WARC
        assert len(written) == 17
    else:
        assert list(written) == [output]
    if output.endswith(".jsonl"):
        assert written[output].count(b"\n") == 17
    assert counts(theirs) == counts(mine)
    [broken] = theirs.failures
    assert "crawl.warc.gz at " in broken and "payload not gzip" in broken
    assert theirs.empty >= 2  # the page with no tweets, and the whole-gzip file's
    assert [o.item.label for o in outcomes] == [i.label for i in run_plan(paths, there).items]


def test_the_revisit_reads_its_original_from_an_earlier_range(
    corpus: Path, tmp_path: Path, cluster: LocalCluster
) -> None:
    import json

    crawl = corpus / "crawl.warc.gz"
    run = run_plan([crawl], tmp_path / "x.jsonl")
    cut = tasks(run, range_bytes=SMALL_RANGE)
    last = run.items[cut[-1].start : cut[-1].end][-1]
    assert last.record is not None and last.record[1].original is not None
    assert last.record[1].original < run.items[cut[-1].start].record[1].offset  # type: ignore[index]
    report, _ = on_dask([crawl], tmp_path / "x.jsonl", cluster.scheduler_address)
    results = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    again = [r for r in results if r["url"] == TWEET_URL + "?again"]
    assert len(again) == 1 and report.succeeded == 14
    assert again[0]["tweets"][0]["id"] == "100"


class Dies(WorkerPlugin):
    """Ends the worker process when the task numbered ``number`` of a conversion starts."""

    name = "threadkeep-test-dies"

    def __init__(self, number: int) -> None:
        self.prefix = f"threadkeep-convert-{number}-"

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing" and str(key).startswith(self.prefix):
            os._exit(1)


def test_a_killed_worker_fails_its_range_and_the_job_goes_on(
    corpus: Path, tmp_path: Path, cluster: LocalCluster
) -> None:
    crawl = corpus / "crawl.warc.gz"
    local([crawl], tmp_path / "local/")
    run = run_plan([crawl], tmp_path / "out")
    cut = tasks(run, range_bytes=SMALL_RANGE)
    with Client(cluster) as client:
        client.register_plugin(Dies(len(cut) - 1))  # the last range kills every worker it meets
        try:
            report, outcomes = on_dask([crawl], tmp_path / "out", cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin(Dies.name)
        client.wait_for_workers(2, timeout=60)

    def said(task: Task) -> list[str]:
        return [f"{item.label}: worker died converting {task.what}"
                for item in run.items[task.start : task.end]]  # fmt: skip

    # A task that finished on the dying worker an instant before may die with it (its answer
    # had not left the worker): it is then reported the same way, as a whole range.
    died = [task for task in cut if said(task)[0] in report.failures]
    assert cut[-1] in died and len(died) < len(cut)
    assert [line for line in report.failures if "worker died" in line] == [
        line for task in died for line in said(task)
    ]
    assert (
        cut[-1].what
        == f"records {run.items[-1].record[1].offset}..{run.items[-1].record[1].offset} of {crawl}"
    )  # type: ignore[index]
    assert report.done == report.total == 15 == len(outcomes)
    lost = {item.label for task in died for item in run.items[task.start : task.end]}
    assert report.succeeded == 15 - len(lost) - ("payload not gzip" in str(report.failures))
    # every record of a range that lived is written as the local run wrote it
    mine, theirs = files(tmp_path / "local"), files(tmp_path / "out")
    assert theirs and all(mine[name] == data for name, data in theirs.items())

    def names(labels: set[str]) -> set[str]:
        return {f"crawl.warc.gz/{label.rsplit(' at ', 1)[1]}.json" for label in labels}

    # missing: what the killed range would have written (a range reported dead may have
    # written its files before its answer was lost)
    doomed = {item.label for item in run.items[cut[-1].start : cut[-1].end]}
    assert set(mine) - set(theirs) <= names(lost)
    assert names(doomed) & set(mine) and not names(doomed) & set(theirs)


def tk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args], capture_output=True, text=True, cwd=ROOT,
        check=False, env={**os.environ, **(env or {})}, timeout=300,
    )  # fmt: skip


def test_the_cli_on_a_local_cluster_equals_the_local_run(corpus: Path, tmp_path: Path) -> None:
    paths = [str(corpus / "pages"), str(corpus / "crawl.warc.gz")]
    here = tk("convert", *paths, "--format", "jsonl", "-o", str(tmp_path / "local/"))
    # The console script, as a user runs it: its workers are spawned without a __main__ guard
    # of ours (python -m threadkeep is exempt from that rule anyway).
    script = Path(sys.executable).parent / "threadkeep"
    assert script.exists()
    there = subprocess.run(
        [str(script), "convert", *paths, "--format", "jsonl", "--engine", "dask",
         "--workers", "2", "-o", str(tmp_path / "dask/")],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=300,
    )  # fmt: skip
    assert (there.returncode, there.stderr) == (here.returncode, here.stderr) == (1, here.stderr)
    assert "payload not gzip" in there.stderr and "Traceback" not in there.stderr
    assert files(tmp_path / "dask") == files(tmp_path / "local")
    assert len(files(tmp_path / "dask")) == 3 + 13


def test_the_cli_reaches_a_running_scheduler(
    corpus: Path, tmp_path: Path, cluster: LocalCluster
) -> None:
    pages = str(corpus / "pages")
    here = tk("convert", pages, "-o", str(tmp_path / "local.jsonl"), "--format", "jsonl")
    there = tk("convert", pages, "--format", "jsonl", "--engine", "dask",
               "--scheduler", cluster.scheduler_address, "-o", str(tmp_path / "dask.jsonl"))  # fmt: skip
    assert (there.returncode, there.stderr) == (here.returncode, "") == (0, "")
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "dask.jsonl", "local.jsonl"]


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tcp://127.0.0.1:9", "(Timed out trying to connect to tcp://127.0.0.1:9 after 1 s)"),
        ("nonsense", "(missing port number in address 'nonsense')"),
    ],
)
def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_1(
    tmp_path: Path, address: str, why: str
) -> None:
    done = tk("convert", str(WARCS / "revisits.warc.gz"), "--engine", "dask",
              "--scheduler", address, "-o", str(tmp_path / "out/"),
              env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == f"threadkeep: no Dask scheduler answers at {address} {why}\n"
    assert not (tmp_path / "out").exists()


def test_a_record_that_fails_in_a_worker_is_named_as_locally_and_the_rest_converted(
    corpus: Path, tmp_path: Path, cluster: LocalCluster
) -> None:
    crawl = corpus / "crawl.warc.gz"
    mine = local([crawl], tmp_path / "local.jsonl")
    report, outcomes = on_dask([crawl], tmp_path / "dask.jsonl", cluster.scheduler_address)
    [failed] = [outcome for outcome in outcomes if outcome.error]
    assert failed.item.label == f"{crawl} at 3635"
    assert failed.error == (
        f"{crawl} at 3635: payload not gzip as its headers say "
        "(Error -3 while decompressing data: incorrect header check)"
    )
    assert report.failures == mine.failures == [failed.error]
    assert report.summary() == "1 of 15 inputs failed"
    assert (report.succeeded, report.empty) == (14, 1)
    lines = (tmp_path / "dask.jsonl").read_bytes()
    assert lines == (tmp_path / "local.jsonl").read_bytes() and lines.count(b"\n") == 13


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--workers", "2", "-o", "out/"], "--scheduler and --workers apply to --engine dask only"),
        (["--scheduler", "tcp://h:1", "-o", "out/"], "apply to --engine dask only"),
        (["--engine", "dask"], "--engine dask writes files: give -o FOLDER or -o FILE"),
        (["--engine", "dask", "--workers", "2", "--scheduler", "tcp://h:1", "-o", "o/"],
         "--workers starts a local cluster"),
    ],
)  # fmt: skip
def test_dask_options_out_of_place_are_usage_errors(args: list[str], said: str) -> None:
    done = tk("convert", str(WARCS / "revisits.warc.gz"), *args)
    assert done.returncode == 2
    assert said in done.stderr


def test_without_dask_installed_the_error_names_the_extra(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['distributed'] = None\n"  # as if it were not installed
        "from threadkeep.cli import main\n"
        f"main(['convert', {str(WARCS / 'revisits.warc.gz')!r}, '--engine', 'dask', "
        f"'-o', {str(tmp_path / 'out/')!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "threadkeep: converting on Dask needs dask.distributed: pip install 'threadkeep[dask]'\n"
    )


def test_without_an_output_the_results_come_back_through_the_scheduler(
    corpus: Path, cluster: LocalCluster
) -> None:
    import io

    paths = [str(corpus / "pages"), str(corpus / "crawl.warc.gz")]
    outs = []
    for engine in ("local", "dask"):
        run = batch.plan(list(batch.inputs(paths)), fmt="md")
        report, out = batch.Report(len(run.items)), io.StringIO()
        if engine == "local":
            outcomes = batch.convert(run, report=report, stdout=out, stdin=io.BytesIO())
        else:
            outcomes = batch.convert_dask(run, report=report, stdout=out,
                                          scheduler=cluster.scheduler_address, range_bytes=SMALL_RANGE)  # fmt: skip
        assert len(list(outcomes)) == 3 + 15
        outs.append((out.getvalue(), counts(report)))
    assert outs[0] == outs[1]
    assert outs[1][0].count("\n---\n\n") == 3 + 13 - 1  # Markdown results, one separator between
