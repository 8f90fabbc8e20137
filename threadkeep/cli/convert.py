"""``threadkeep convert`` and ``threadkeep schema``: saved pages in, JSON or Markdown out.

The work is :mod:`threadkeep.batch`'s; this module turns arguments into a plan, shows each
failure and the progress as the run goes, and says how it ended.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from threadkeep.cli.common import (
    Failed,
    Interrupted,
    TextPath,
    format_option,
    one_line,
    show_progress,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from threadkeep.batch import Outcome, Plan, Report

__all__ = ["COMMANDS", "convert", "schema"]

_PROGRESS_THRESHOLD = 3  # a bar for 1 to 3 inputs only flickers


@click.command()
@click.argument("paths", nargs=-1, required=True, type=TextPath())
@click.option(
    "-o",
    "--output",
    type=TextPath(),
    help="Write here instead of stdout (- is stdout): a file, or a folder (one file per input).",
)
@format_option(
    "json", "jsonl", "md", help="JSON document, one JSON line per input, or readable Markdown."
)
@click.option("--url", help="Where the page came from (resolves links; one input only).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this process. dask: Dask tasks (threadkeep[dask]; needs -o, seen by workers).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A Dask scheduler (tcp://host:8786) for --engine dask; default: a local cluster.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes of the local cluster for --engine dask (default: one a core).",
)
def convert(
    paths: tuple[str, ...],
    output: str | None,
    fmt: Literal["json", "jsonl", "md"],
    url: str | None,
    progress: bool | None,
    engine: Literal["local", "dask"],
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Convert saved pages (Thread Reader threads and listings, text copies) to JSON or Markdown.

    PATH is a file, a folder (every .html, .htm, .txt, .md, .markdown and .json below it) or
    - for standard input. An account export (the zip X/Twitter lets you download, or the
    folder it unpacks to) is one input: every tweet and thread in it; in Markdown, its threads
    unrolled. A web-archive file (.warc, .warc.gz, .wacz) gives one input per page record,
    with the record's url and date; records with no tweets are counted, not written. Each
    result is written as soon as it is ready. A bad input is named on stderr with its reason;
    the others are still converted and the exit status is 1.

    Example:

        threadkeep convert page.html > thread.json

        threadkeep convert saved-pages/ -o out/

        threadkeep convert clippings/ --format jsonl -o - | jq .kind

        threadkeep convert twitter-2024-11-16.zip --format md -o my-threads.md

        threadkeep convert crawl/*.warc.gz --engine dask --workers 2 -o out/
    """
    from threadkeep import batch

    _check_engine(engine, scheduler, workers, output, paths)

    skip = [Path(output)] if output and output != "-" else []  # never read our own output
    items = batch.input_list(paths, skip=skip)
    if not items:
        raise click.UsageError(f"no {batch.suffix_list()} files found in the given paths")
    if url and len(items) > 1:
        raise click.UsageError("--url applies to one input only")
    run = batch.plan(items, fmt=fmt, output=output, url=url)
    report = batch.Report(len(items))
    bar_on = show_progress(progress) and len(items) > _PROGRESS_THRESHOLD
    if engine == "dask":
        _run(run, report, bar_on, lambda: batch.convert_dask(run, report=report,
             stdout=sys.stdout, scheduler=scheduler, workers=workers))  # fmt: skip
    else:
        _run(run, report, bar_on, lambda: batch.convert(run, report=report,
             stdout=sys.stdout, stdin=sys.stdin.buffer))  # fmt: skip
    if report.empty:  # web-archive records: a crawl is mostly pages without tweets
        from threadkeep.words import plural

        said = f"{report.empty} of {plural(report.total, 'input')} held no tweets (not written)"
        click.echo(f"threadkeep: {said}", err=True)
    if report.failures:
        raise Failed(report.summary())


def _check_engine(
    engine: str, scheduler: str | None, workers: int | None, output: str | None,
    paths: tuple[str, ...],
) -> None:  # fmt: skip
    """Usage errors (exit 2) of the Dask options, before any input is read."""
    if engine != "dask":
        if scheduler is not None or workers is not None:
            raise click.UsageError("--scheduler and --workers apply to --engine dask only")
        return
    if scheduler is not None and workers is not None:
        raise click.UsageError("--workers starts a local cluster: leave it out with --scheduler")
    if output is None or output == "-":
        raise click.UsageError("--engine dask writes files: give -o FOLDER or -o FILE")
    if "-" in paths:
        raise click.UsageError("--engine dask reads files, not standard input (-)")


def _run(
    run: Plan, report: Report, bar_on: bool, outcomes: Callable[[], Iterator[Outcome]]
) -> None:
    """Convert, each failure named above the bar as it happens; Ctrl-C says what was done."""
    from tqdm import tqdm

    from threadkeep.files import OutputError
    from threadkeep.words import plural

    bar = tqdm(total=len(run.items), desc="converting", unit="page", file=sys.stderr,
               disable=not bar_on)  # fmt: skip
    try:
        with bar:
            for outcome in outcomes():
                if outcome.error:
                    tqdm.write(f"threadkeep: {one_line(outcome.error)}", file=sys.stderr)
                bar.update()
    except OutputError as exc:  # a folder that cannot be written: said once, not per input
        said = f"stopped after {report.done} of {plural(len(run.items), 'input')}"
        raise Failed(f"{exc}; {said}") from exc
    except KeyboardInterrupt:
        # One output file is written whole at the end: stopped before it, it never was.
        unwritten = f"{run.target} not written" if run.target is not None else ""
        raise Interrupted.after(report, note=unwritten) from None


@click.command()
def schema() -> None:
    """Print the JSON Schema of threadkeep's JSON output (every result kind).

    Example:

        threadkeep schema > threadkeep.schema.json
    """
    from threadkeep.models import SCHEMA_VERSION, result_adapter

    document = result_adapter.json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "threadkeep result"
    document["version"] = SCHEMA_VERSION
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


COMMANDS = (convert, schema)
