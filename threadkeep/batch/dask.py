"""Convert on Dask: the same conversion as :func:`~threadkeep.batch.convert`, as tasks.

A planned run (:func:`~threadkeep.batch.plan`) is cut into tasks of consecutive inputs
(:func:`tasks`): page files in groups, a WARC file's page records in ranges of about
``range_bytes`` cut at record boundaries (the index pass that listed the records gave their
offsets, and each revisit its original's offset, so a revisit whose original lies in an earlier
range reads it exactly as the local run does). A WARC gzipped whole, or a deflated WACZ member,
cannot be entered in the middle: it is one task. Each task runs on a worker the very step the
local run repeats (:func:`~threadkeep.batch.convert.convert_one`):

* ``-o DIR``: the worker writes each input's file in the folder (which every worker must see);
* ``-o FILE``: the worker writes a part file beside it; the client copies the parts into the
  file in submission order, so that it is byte for byte the local run's;
* no output (stdout): the rendered results come back through the scheduler.

A failing record is counted and named in the :class:`~threadkeep.batch.Report` as in the local
run. A task whose worker dies (``KilledWorker``, after the scheduler's retries) fails each of its
inputs with ``… worker died converting records A..B of FILE`` and the run goes on.

``dask.distributed`` is imported inside the functions: ``import threadkeep`` never loads it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from threadkeep.batch.convert import Outcome, Plan, convert_one, open_sink
from threadkeep.batch.outputs import FolderSink, Sink
from threadkeep.batch.report import Report
from threadkeep.errors import ClusterError
from threadkeep.files import OutputError

if TYPE_CHECKING:
    from types import TracebackType

    from distributed import Client

    from threadkeep.warc.read import Source

__all__ = ["DEFAULT_RANGE_BYTES", "INSTALL", "Task", "convert_dask", "tasks"]

DEFAULT_RANGE_BYTES = 32 << 20
"""About how many bytes of a WARC (or of page files) one task converts."""
FILES_PER_TASK = 256
"""At most this many page files in one task."""
INSTALL = "converting on Dask needs dask.distributed: pip install 'threadkeep[dask]'"


@dataclass(frozen=True)
class Task:
    """Inputs ``start`` to ``end`` (excluded) of a run, converted by one Dask task."""

    start: int
    end: int
    what: str
    """``records 0..81234 of crawl.warc.gz``, or ``3 files (a.html … c.html)``."""


def _cheap(source: Source, known: dict[Source, bool]) -> bool:
    """Whether a record of ``source`` can be read without reading the file from its start."""
    if source not in known:
        try:
            with source.open() as (_, cheap):
                known[source] = cheap
        except OSError:
            known[source] = True  # each record's task says what is wrong
    return known[source]


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def tasks(run: Plan, *, range_bytes: int = DEFAULT_RANGE_BYTES) -> list[Task]:
    """``run``'s inputs cut into tasks, in input order (see the module's description).

    Example::

        run = plan(list(inputs(["crawl.warc.gz"])), fmt="jsonl", output="out/")
        for task in tasks(run, range_bytes=8 << 20):
            print(task.what)
    """
    known: dict[Source, bool] = {}
    cuts: list[tuple[int, Any, int]] = []  # (start index, group key, first offset or size)
    for index, item in enumerate(run.items):
        if item.path is None:
            raise ValueError("standard input (-) cannot be converted on Dask: name files")
        if item.record is not None:
            source, ref = item.record
            if cuts and cuts[-1][1] == source:
                start, _, first = cuts[-1]
                if not _cheap(source, known) or ref.offset - first < range_bytes:
                    continue
            cuts.append((index, source, ref.offset))
            continue
        size = _size(item.path)
        if cuts and cuts[-1][1] == "files":
            start, _, total = cuts[-1]
            if index - start < FILES_PER_TASK and total + size <= range_bytes:
                cuts[-1] = (start, "files", total + size)
                continue
        cuts.append((index, "files", size))
    ends = [start for start, _, _ in cuts[1:]] + [len(run.items)]
    return [_task(run, start, end, key) for (start, key, _), end in zip(cuts, ends, strict=True)]


def _task(run: Plan, start: int, end: int, key: Any) -> Task:
    first, last = run.items[start], run.items[end - 1]
    if key != "files":
        assert first.record is not None and last.record is not None
        source = first.record[0]
        return Task(start, end, f"records {first.record[1].offset}..{last.record[1].offset} "
                                f"of {source.label}")  # fmt: skip
    if end - start == 1:
        return Task(start, end, first.label)
    return Task(start, end, f"{end - start} files ({first.label} … {last.label})")


class _Recorder(Report):
    """A worker's report: each count kept as an event, replayed into the client's report."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.events: list[tuple[str, ...]] = []

    def success(self, label: str, what: str) -> None:
        self.events.append(("success", label, what))
        self.succeeded += 1

    def nothing(self, label: str, what: str) -> None:
        self.events.append(("nothing", label, what))
        self.succeeded += 1
        self.empty += 1

    def failure(self, line: str) -> None:
        self.events.append(("failure", line))
        self.failures.append(line)


class _PartSink(Sink):
    """Each rendered result as one JSON string a line, in a part file or in memory."""

    def __init__(self, part: Path | None, target: Path | None) -> None:
        self.part = part
        self.target = target  # what the local run's sink reports as written
        self.stream: TextIO = io.StringIO()
        if part is not None:
            try:
                self.stream = part.open("w", encoding="utf-8")
            except OSError as exc:
                raise OutputError.writing(part, exc) from exc

    def put(self, index: int, text: str) -> Path | None:
        try:
            self.stream.write(json.dumps(text, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise OutputError.writing(self.part or "<part>", exc) from exc
        return self.target

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.part is not None:
            self.stream.close()


_Done = tuple[list[tuple[str | None, Path | None, str | None]], list[tuple[str, ...]], str | None]


def _convert_task(sub: Plan, part: Path | None, target: Path | None) -> tuple[_Done, str | None]:
    """Run on a worker: convert ``sub``'s inputs; (outcomes, report events, results in memory
    when there is no part file), and the one line of an output that could not be written."""
    from threadkeep.warc.read import close_open

    report = _Recorder(len(sub.items))
    done: list[tuple[str | None, Path | None, str | None]] = []
    sink: Sink = FolderSink(sub.folder, sub.names) if sub.folder else _PartSink(part, target)
    stopped = None
    try:
        with sink:
            for index in range(len(sub.items)):
                outcome = convert_one(sub, index, sink=sink, report=report, stdin=io.BytesIO())
                done.append((outcome.kind, outcome.written, outcome.error))
    except OutputError as exc:  # the client stops the run, as the local run does
        stopped = str(exc)
    finally:
        close_open()
    memory = sink.stream if isinstance(sink, _PartSink) else None
    texts = memory.getvalue() if isinstance(memory, io.StringIO) else None
    return (done, report.events, texts), stopped


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    try:
        import distributed
    except ImportError:
        raise ClusterError(INSTALL) from None
    # Client and LocalCluster have untyped constructors: called through Any.
    client_class: Any = distributed.Client
    cluster_class: Any = distributed.LocalCluster
    if scheduler is not None:
        try:  # waits distributed.comm.timeouts.connect (30 s unless configured)
            client = client_class(scheduler)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            said = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
            raise ClusterError(f"no Dask scheduler answers at {scheduler} ({said})",
                               address=scheduler) from None  # fmt: skip
        # Its lost-scheduler tracebacks are said once, as a ClusterError (see _in_order).
        quiet = logging.getLogger("distributed.client")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            with client:
                yield client
        finally:
            quiet.setLevel(level)
        return
    try:
        with warnings.catch_warnings():  # its health page moves off 8787 when that is taken
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = cluster_class(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)  # fmt: skip
    except (OSError, RuntimeError) as exc:
        raise ClusterError(f"a local Dask cluster could not start ({exc})") from None
    with cluster, client_class(cluster) as client:
        yield client


def _parts_folder(run: Plan) -> Path | None:
    if run.target is None or run.folder is not None:
        return None
    folder = run.target.parent / f".{run.target.name}.parts-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise OutputError.writing(folder, exc) from exc
    return folder


def _texts(part: Path | None, texts: str | None) -> Iterator[str]:
    """The results a task rendered, from its part file or as it returned them."""
    with part.open(encoding="utf-8") if part is not None else io.StringIO(texts or "") as lines:
        for line in lines:
            yield json.loads(line)


def convert_dask(
    run: Plan,
    *,
    report: Report,
    stdout: TextIO,
    scheduler: str | None = None,
    workers: int | None = None,
    range_bytes: int = DEFAULT_RANGE_BYTES,
) -> Iterator[Outcome]:
    """:func:`~threadkeep.batch.convert` on Dask: the same outputs, report and outcomes, in order.

    ``scheduler`` is a Dask scheduler's address (``tcp://host:8786``); without one a
    :class:`distributed.LocalCluster` of ``workers`` processes (default: one a core) is started
    and closed. An output folder or file must be visible to every worker. Raises
    :class:`~threadkeep.ClusterError` when no scheduler answers or Dask is not installed, and
    ``ValueError`` for standard input.

    Example::

        if __name__ == "__main__":  # a LocalCluster's workers are spawned: this guard is needed
            run = plan(list(inputs(["crawl.warc.gz"])), fmt="jsonl", output="out/")
            report = Report(len(run.items))
            for outcome in convert_dask(run, report=report, stdout=sys.stdout, workers=2):
                ...
    """
    cut = tasks(run, range_bytes=range_bytes)
    with _client(scheduler, workers) as client:
        parts = _parts_folder(run)
        try:
            futures = []
            token = uuid.uuid4().hex[:8]
            for number, task in enumerate(cut):
                sub = replace(run, items=run.items[task.start : task.end],
                              names=run.names[task.start : task.end])  # fmt: skip
                part = parts / f"part-{number:06d}" if parts is not None else None
                key = f"threadkeep-convert-{number}-{token}"
                futures.append(client.submit(_convert_task, sub, part, run.target, pure=False,
                                             key=key))  # fmt: skip
            with open_sink(run, stdout) as sink:
                for number, answer in _in_order(futures, scheduler):
                    part = parts / f"part-{number:06d}" if parts is not None else None
                    yield from _collect(run, cut[number], answer, part, sink, report)
        finally:
            if parts is not None:
                for leftover in parts.glob("part-*"):
                    leftover.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    parts.rmdir()


def _in_order(futures: list[Any], scheduler: str | None) -> Iterator[tuple[int, Any]]:
    """Each task's number and answer (its result, or the exception it ended with), in
    submission order. Answers are fetched as tasks finish, in any order, so that no result
    waits on a worker (a worker that dies loses the results it holds).

    A scheduler lost mid-run raises :class:`ClusterError` (naming ``scheduler``): every
    task still out is lost with it, and the run stops, as an output that cannot be written
    stops it."""
    import distributed

    finished: Any = distributed.as_completed  # untyped
    numbers = {future.key: number for number, future in enumerate(futures)}
    answers: dict[int, Any] = {}
    following = 0
    for future in finished(futures):
        try:
            answers[numbers[future.key]] = future.result()
        except Exception as exc:  # KilledWorker, or the task's own error: said in _collect
            if getattr(exc, "reason", None) == "scheduler-connection-lost":
                where = f"at {scheduler}" if scheduler else "of the local cluster"
                done = f"{following} of {len(futures)} tasks collected"
                raise ClusterError(f"lost the Dask scheduler {where} mid-run ({done})",
                                   address=scheduler) from None  # fmt: skip
            answers[numbers[future.key]] = exc
        future.release()
        while following in answers:
            yield following, answers.pop(following)
            following += 1


def _collect(
    run: Plan, task: Task, answer: Any, part: Path | None, sink: Sink, report: Report
) -> Iterator[Outcome]:
    """One task's outcomes into ``report`` and its results into ``sink``, in input order."""
    from distributed import KilledWorker

    if isinstance(answer, Exception):  # the task itself failed: each of its inputs is named
        exc = answer
        if isinstance(exc, KilledWorker):
            why = "worker died"
        else:  # not an input's fault (those are caught inside the task): a bug, or Dask's
            why = f"task failed ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]})"
        for item in run.items[task.start : task.end]:
            report.failure(f"{item.label}: {why} converting {task.what}")
            yield Outcome(item, error=report.failures[-1])
        return
    (done, events, texts), stopped = answer
    for event in events:
        if event[0] == "failure":
            report.failure(event[1])
        else:
            getattr(report, event[0])(event[1], event[2])
    if run.folder is None:
        for index, text in enumerate(_texts(part, texts)):
            sink.put_chunks(task.start + index, [text])
        if part is not None:
            part.unlink(missing_ok=True)
    for index, (kind, written, error) in enumerate(done):
        yield Outcome(run.items[task.start + index], kind=kind, written=written, error=error)
    if stopped is not None:
        raise OutputError(stopped)
