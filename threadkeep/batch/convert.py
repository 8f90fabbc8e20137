"""Convert many inputs, one at a time, each result written as soon as it is ready.

:func:`plan` checks the arguments once (where output goes, every output name);
:func:`convert` then reads, parses, renders and writes one input after another and yields
an :class:`Outcome` for each, so a caller can show progress and failures as they happen.
Memory stays flat: nothing but the running :class:`~threadkeep.batch.report.Report` outlives
an input.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from threadkeep.batch.input_list import InputList
from threadkeep.batch.inputs import EXPORT, Input, read_input
from threadkeep.batch.outputs import FolderSink, Format, Sink, StreamSink, is_folder, plan_names
from threadkeep.batch.report import Report, reason
from threadkeep.files import OutputError

if TYPE_CHECKING:
    from threadkeep.models import Result

__all__ = ["Outcome", "Plan", "convert", "convert_one", "open_sink", "plan"]

log = logging.getLogger("threadkeep")


@dataclass(frozen=True)
class Plan:
    """One conversion run, decided before the first input is read."""

    items: Sequence[Input]
    """Every input (a tuple, or an :class:`~threadkeep.batch.input_list.InputList`)."""
    fmt: Format
    url: str | None
    folder: Path | None
    """The output folder (one file per input), or None."""
    target: Path | None
    """The one output file, or None for the stream given to :func:`convert` (stdout)."""
    names: Sequence[Path]
    """Each input's output file below ``folder`` (empty without a folder)."""


def plan(
    items: Sequence[Input],
    *,
    fmt: Format = "json",
    output: str | None = None,
    url: str | None = None,
) -> Plan:
    """Plan a run: ``output`` is None or ``-`` (stdout), a file, or a folder.

    ``output`` is a folder when it is an existing directory, ends in ``/``, or has no suffix
    while there are several inputs. Raises ``ValueError`` for ``url`` with several inputs.

    Example::

        run = plan(list(inputs(["saved/"])), fmt="jsonl", output="out/")
    """
    if url and len(items) > 1:
        raise ValueError("a url applies to one input only")
    if not isinstance(items, InputList):  # kept as it is: a WARC's records stay compact
        items = tuple(items)
    if output is None or output == "-":
        return Plan(items, fmt, url, folder=None, target=None, names=())
    if not is_folder(output, len(items)):
        return Plan(items, fmt, url, folder=None, target=Path(output), names=())
    names = plan_names(items, ".md" if fmt == "md" else ".json")
    if isinstance(names, list):  # held names: frozen, as the plan is
        names = tuple(names)
    return Plan(items, fmt, url, folder=Path(output), target=None, names=names)


@dataclass(frozen=True)
class Outcome:
    """What became of one input: ``error`` (one line) when it failed, else its ``kind``."""

    item: Input
    kind: str | None = None
    written: Path | None = None
    error: str | None = None


class _Empty(Exception):
    """A web-archive record with no tweets (or nothing threadkeep reads): counted, not written."""


def _warc_result(item: Input) -> Result:
    from threadkeep.errors import UnsupportedPage
    from threadkeep.parsing import parse
    from threadkeep.warc.read import NO_PAGE_RECORD, read_page

    assert item.record is not None
    source, ref = item.record
    if ref.unresolved:
        raise _Empty("a revisit whose original is not in this file")
    if ref.nothing:
        raise _Empty(NO_PAGE_RECORD)
    page = read_page(source, ref)
    text = page.text()  # a charset its HTTP head declares: handed to parse() as text
    try:
        result = parse(page.body if text is None else text, url=page.url, source=item.label,
                       captured_at=page.date, origin=page.origin)  # fmt: skip
    except UnsupportedPage as exc:
        raise _Empty(exc.reason) from exc
    if text is not None and result.source is not None:  # the hash of the record's bytes
        sha256 = hashlib.sha256(page.body).hexdigest()
        result = result.model_copy(
            update={"source": result.source.model_copy(update={"sha256": sha256})}
        )
    if not _has_tweets(result):
        raise _Empty(f"{result.kind} with no tweets")
    return result


def _has_tweets(result: Result) -> bool:
    from threadkeep.models import Listing

    if isinstance(result, Listing):
        return bool(result.threads)
    return result.kind == "tweet" or bool(getattr(result, "tweets", ()))


def _render(item: Input, run: Plan, stdin: IO[bytes]) -> tuple[str, Iterable[str]]:
    # Imported here: planning a run (and `threadkeep --help`) needs no parser or model code.
    from threadkeep.parsing import parse
    from threadkeep.render import json_chunks, printable, to_markdown

    result: Result
    if item.record is not None:
        result = _warc_result(item)
    elif item.kind is EXPORT and item.path is not None:  # read from its path, file by file
        result = parse(item.path, url=run.url, source=item.label)
    else:
        result = parse(read_input(item, stdin), url=run.url, source=item.label)
    if run.fmt == "md":
        return result.kind, [printable(to_markdown(result))]
    # In pieces: an account export's JSON is written tweet by tweet, never held whole.
    pieces = json_chunks(result, indent=2 if run.fmt == "json" else None)
    return result.kind, itertools.chain(pieces, ["\n"])


def open_sink(run: Plan, stdout: TextIO) -> Sink:
    """Where ``run``'s results go: its folder, its one file, or ``stdout``."""
    if run.folder is not None:
        return FolderSink(run.folder, run.names)
    return StreamSink(
        run.fmt,
        stream=None if run.target else stdout,
        target=run.target,
        single=len(run.items) == 1,
    )


def convert(run: Plan, *, report: Report, stdout: TextIO, stdin: IO[bytes]) -> Iterator[Outcome]:
    """Convert every input of ``run`` in order, yielding each :class:`Outcome` when done.

    Failures are counted in ``report`` and the run goes on; an output that cannot be written
    (:class:`~threadkeep.files.OutputError`) ends the run at once. Output reaches ``stdout`` (or
    the files planned) as each input finishes; a single output file is renamed into place
    when the last input is done (and never made when nothing succeeded). Stop early by
    closing the generator, or with Ctrl-C: files written so far stay, a half-made one
    never appears.

    Example::

        run = plan(list(inputs(["saved/"])), fmt="jsonl")
        for outcome in convert(run, report=Report(len(run.items)), stdout=sys.stdout,
                               stdin=sys.stdin.buffer):
            print(outcome.item.label, outcome.error or outcome.kind, file=sys.stderr)
    """
    with open_sink(run, stdout) as sink:
        for index in range(len(run.items)):
            yield convert_one(run, index, sink=sink, report=report, stdin=stdin)


def convert_one(run: Plan, index: int, *, sink: Sink, report: Report, stdin: IO[bytes]) -> Outcome:
    """Convert input ``index`` of ``run`` into ``sink``: the step :func:`convert` repeats, and
    each task of :func:`threadkeep.batch.dask.convert_dask` (on a Dask worker) too.

    A failure is counted in ``report`` and returned; an :class:`~threadkeep.files.OutputError`
    (or a broken pipe) is raised.
    """
    item = run.items[index]
    log.debug("%s: reading", item.label)
    try:
        kind, text = _render(item, run, stdin)
        written = sink.put_chunks(index, text)
    except BrokenPipeError:
        raise  # stdout's reader is gone: nothing more can be said
    except OutputError:
        raise  # the output is at fault, not the input: the next write would fail too
    except _Empty as exc:
        report.nothing(item.label, str(exc))
        return Outcome(item, kind=None)
    except Exception as exc:  # each failure named on one line, see reason()
        return _failed(item, exc, report)
    report.success(item.label, f"{kind} → {written}" if written else kind)
    return Outcome(item, kind=kind, written=written)


def _failed(item: Input, exc: Exception, report: Report) -> Outcome:
    report.failure(reason(item.label, exc))
    return Outcome(item, error=report.failures[-1])
