"""The ``threadkeep`` command line: a thin layer over the library.

Machine output goes to stdout, progress and diagnostics to stderr. Exit status: 0 when every
input succeeded, 1 when some failed (each named on stderr with its reason), 2 on bad usage.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import click
from tqdm import tqdm

from threadkeep import cli_archive
from threadkeep._version import __version__
from threadkeep.errors import ThreadkeepError
from threadkeep.limits import MAX_INPUT_BYTES, read_limited, too_large
from threadkeep.models import Article, Listing, Thread, Tweet, result_adapter
from threadkeep.parsing import parse
from threadkeep.render import printable, to_markdown

__all__ = ["main"]

_INPUT_SUFFIXES = (".html", ".htm", ".txt", ".json")
_PROGRESS_THRESHOLD = 3

Result = Thread | Listing | Article | Tweet
Format = Literal["json", "jsonl", "md"]


@dataclass(frozen=True)
class _Input:
    """One input: ``label`` names it in messages, ``relative`` places its output file."""

    label: str
    path: Path | None  # None for standard input
    relative: Path


def _inputs(paths: Sequence[str]) -> Iterator[_Input]:
    for raw in paths:
        if raw == "-":
            yield _Input(label="<stdin>", path=None, relative=Path("stdin"))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _INPUT_SUFFIXES
            )
            for file in found:
                yield _Input(label=str(file), path=file, relative=file.relative_to(path))
        else:
            yield _Input(label=raw, path=path, relative=Path(path.name))


def _serialise(result: Result, fmt: Format) -> str:
    if fmt == "md":
        return printable(to_markdown(result))
    if fmt == "jsonl":
        return result.model_dump_json() + "\n"
    return result.model_dump_json(indent=2) + "\n"


def _write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a rename: never half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # mkstemp makes 0600; an output file is for everyone to read
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _read(item: _Input, stdin: IO[bytes]) -> bytes:
    """The input's bytes, never more than MAX_INPUT_BYTES of them (MalformedPage past it)."""
    if item.path is None:
        return read_limited(stdin, source=item.label)
    try:
        size = item.path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise too_large(size, source=item.label)
        with item.path.open("rb") as stream:  # a pipe or device may hold more than stat says
            return read_limited(stream, source=item.label)
    except FileNotFoundError as exc:
        raise click.FileError(item.label, "no such file") from exc
    except OSError as exc:
        raise click.FileError(item.label, exc.strerror or str(exc)) from exc


def _os_reason(exc: OSError) -> str:
    return f"could not write ({exc.strerror or exc})"


def _failure(item: _Input, target: Path | None, exc: Exception) -> str:
    """One line naming the input (or the output) that failed, and why; never a traceback."""
    if isinstance(exc, click.FileError):
        return exc.format_message()
    if isinstance(exc, ThreadkeepError):
        return str(exc)
    if isinstance(exc, OSError) and target is not None:
        return f"{target}: {_os_reason(exc)}"
    # The last line of defence: parse() raises only ThreadkeepError for any input, so this is
    # a bug in threadkeep. Name the input so that it can be reported, in one line.
    detail = (str(exc).splitlines() or [""])[0][:200]
    return (
        f"{item.label}: internal error ({type(exc).__name__}: {detail}); this is a bug in "
        "threadkeep: please report it with this input"
    )


def _targets(items: list[_Input], suffix: str) -> dict[str, Path]:
    """Each input's output file in a folder: ``page.html`` → ``page.json``.

    Two inputs that would land on one file (``a/page.html`` and ``b/page.html`` given as
    files, or ``x.html`` beside ``x.txt``) keep their own suffix (``x.html.json``), and a
    number if that still collides, so that no output overwrites another.
    """
    targets: dict[str, Path] = {}
    taken: dict[Path, int] = {}
    plain = [item.relative.with_suffix(suffix) for item in items]
    for item, target in zip(items, plain, strict=True):
        if plain.count(target) > 1:
            target = item.relative.with_name(item.relative.name + suffix)
        while target in taken:
            taken[target] += 1
            target = target.with_name(f"{target.stem}-{taken[target]}{suffix}")
        taken[target] = 1
        targets[item.label] = target
    return targets


def _output_is_folder(output: str, count: int) -> bool:
    path = Path(output)
    return path.is_dir() or output.endswith(("/", os.sep)) or (count > 1 and not path.suffix)


def _joined(results: list[str], fmt: Format) -> str:
    if fmt == "json" and len(results) > 1:
        documents = [json.loads(text) for text in results]
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    separator = "\n---\n\n" if fmt == "md" else ""
    return separator.join(results)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="threadkeep")
def cli() -> None:
    """Keep tweets that would otherwise be lost: parse, archive and compare saved copies.

    threadkeep does not log in to X and does not bypass access controls: it reads copies you
    have, and fetches only public pages you name.

    Example:

    \b
        threadkeep convert saved-page.html --format md
        threadkeep archive saved-page.html
        threadkeep show 1215710451343904768
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    help="Write here instead of stdout: a file, or a folder (one file per input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "md"]),
    default="json",
    show_default=True,
    help="JSON document, one JSON line per input, or readable Markdown.",
)
@click.option("--url", help="Where the page came from (resolves links; one input only).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
def convert(
    paths: tuple[str, ...],
    output: str | None,
    fmt: Format,
    url: str | None,
    progress: bool | None,
) -> None:
    """Convert saved pages (Thread Reader threads and listings, text copies) to JSON or Markdown.

    PATH is a file, a folder (every .html, .htm, .txt and .json below it) or - for standard
    input. A bad input is named on stderr with its reason; the others are still converted and
    the exit status is 1.

    Example:

        threadkeep convert page.html > thread.json

        threadkeep convert saved-pages/ -o out/

        threadkeep convert page.html --format md
    """
    items = list(_inputs(paths))
    if not items:
        raise click.UsageError("no .html, .htm, .txt or .json files found in the given paths")
    if url and len(items) > 1:
        raise click.UsageError("--url applies to one input only")
    to_folder = output is not None and _output_is_folder(output, len(items))
    targets = _targets(items, ".md" if fmt == "md" else ".json") if to_folder else {}
    show = progress if progress is not None else sys.stderr.isatty()
    stdin = sys.stdin.buffer
    rendered: list[str] = []
    failures = 0
    bar = tqdm(
        items,
        desc="converting",
        unit="page",
        file=sys.stderr,
        disable=not show or len(items) <= _PROGRESS_THRESHOLD,
    )
    for item in bar:
        target = Path(output) / targets[item.label] if to_folder and output else None
        try:
            data = _read(item, stdin)
            result = parse(data, url=url, source=item.label)
            text = _serialise(result, fmt)
            if target is not None:
                _write_atomic(target, text)
            else:
                rendered.append(text)
        except Exception as exc:  # each failure named on one line, see _failure
            failures += 1
            tqdm.write(f"threadkeep: {_failure(item, target, exc)}", file=sys.stderr)
    if not to_folder and rendered:
        joined = _joined(rendered, fmt)
        if output is None:
            click.echo(joined, nl=False)
        else:
            try:
                _write_atomic(Path(output), joined)
            except OSError as exc:
                raise cli_archive.CommandFailed(f"{output}: {_os_reason(exc)}") from exc
    if failures:
        click.echo(f"threadkeep: {failures} of {len(items)} inputs failed", err=True)
        sys.exit(1)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of threadkeep's JSON output (every result kind).

    Example:

        threadkeep schema > threadkeep.schema.json
    """
    document = result_adapter.json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "threadkeep result"
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


cli_archive.register(cli)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``threadkeep`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="threadkeep")
