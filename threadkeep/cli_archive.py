"""The archive commands of the command line: archive, show, history, verify, export, reparse.

They are registered on the ``threadkeep`` group by :mod:`threadkeep.cli`. Library errors
become one-line messages (:class:`CommandFailed`), never tracebacks.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, ParamSpec

import click
from tqdm import tqdm

from threadkeep.archive import DEFAULT_STORE, AddResult, Archive
from threadkeep.archive.views import archived_tweet
from threadkeep.errors import ArchiveError, FetchError, ParseError, ThreadkeepError
from threadkeep.fetch import Client
from threadkeep.fetch.endpoints import threadreader_url
from threadkeep.fetch.redirects import is_http
from threadkeep.render import archived_to_markdown, archived_to_text, printable
from threadkeep.urls import thread_id

__all__ = ["CommandFailed", "register"]


class CommandFailed(click.ClickException):
    """A command that could not do its work: ``threadkeep: <message>`` on stderr, exit 1.

    (click's own prefix, "Error:", stays for usage errors, which exit 2.)
    """

    def show(self, file: object = None) -> None:
        click.echo(f"threadkeep: {self.format_message()}", err=True)


store_option = click.option(
    "--store",
    default=DEFAULT_STORE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="The archive folder.",
)


P = ParamSpec("P")


def _friendly(command: Callable[P, None]) -> Callable[P, None]:
    """Library errors become one-line messages and exit status 1, never tracebacks."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except ThreadkeepError as exc:
            raise CommandFailed(str(exc)) from exc

    return run


def _open(store: str, *, create: bool = False) -> Archive:
    if not create and not Path(store).exists():
        raise CommandFailed(
            f"no threadkeep archive at {store}: run this where the archive folder is, or give "
            "--store DIR (`threadkeep archive` makes one)"
        )
    try:
        return Archive(store, create=create)
    except ThreadkeepError as exc:
        raise CommandFailed(str(exc)) from exc


def _os_problem(exc: OSError) -> str:
    """``[Errno 2] No such file or directory: 'x'`` → ``no such file``."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder (give the files in it: folder/*.html)"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror.lower() if exc.strerror else str(exc)


# What a folder given to `archive` contributes: the files `convert` would read in it.
_PAGE_SUFFIXES = (".html", ".htm", ".txt", ".json")


def _sources(sources: tuple[str, ...], from_file: str | None) -> list[str]:
    found: list[str] = []
    for source in sources:
        folder = Path(source)
        if not is_http(source) and folder.is_dir():
            found += sorted(
                str(p)
                for p in folder.rglob("*")
                if p.is_file() and p.suffix.lower() in _PAGE_SUFFIXES
            )
        else:
            found.append(source)
    if from_file:
        text = Path(from_file).read_text("utf-8") if from_file != "-" else sys.stdin.read()
        found += [s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#")]
    return found


def _status_url(source: str, threadreader_base: str) -> str:
    """A tweet url is archived through its Thread Reader unroll; other urls as given."""
    host = source.split("/")[2].lower() if source.count("/") >= 2 else ""
    if host.endswith(("twitter.com", "x.com")) and "/status" in source:
        return threadreader_url(threadreader_base, thread_id(source))
    return source


def _summary(source: str, result: AddResult) -> str:
    parts = [f"{result.outcome} {result.document}"]
    counts = [
        f"{len(values)} {name}"
        for name, values in (
            ("new", result.new),
            ("edited", result.changed),
            ("removed", result.removed),
            ("back", result.reappeared),
        )
        if values
    ]
    if counts:
        parts.append("(" + ", ".join(counts) + ")")
    return f"{source}: " + " ".join(parts)


class _Batch:
    """One ``archive`` run: fetches and files in order, failures kept for the end."""

    def __init__(self, archive: Archive, client: Client, *, threadreader_base: str) -> None:
        self.archive = archive
        self.client = client
        self.threadreader_base = threadreader_base
        self.failures: list[str] = []

    def one(self, source: str) -> AddResult | None:
        try:
            if is_http(source):
                url = _status_url(source, self.threadreader_base)
                capture = self.client.fetch(url)
                return self.archive.add(
                    capture.content,
                    url=capture.final_url,
                    captured_at=capture.fetched_at,
                    status=capture.status,
                )
            return self.archive.add(Path(source).read_bytes())
        except FetchError as exc:
            self.archive.record_failure(
                url=source, error=str(exc), status=getattr(exc, "status", None)
            )
            self.failures.append(f"{source}: {exc}")
        except ParseError as exc:
            self.failures.append(f"{source}: {exc.reason} (the raw capture is kept)")
        except OSError as exc:
            self.failures.append(f"{source}: {_os_problem(exc)}")
        except ValueError as exc:
            self.failures.append(f"{source}: {exc}")
        return None


@click.command("archive")
@click.argument("sources", nargs=-1)
@store_option
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read sources from this file, one a line (- for stdin).",
)
@click.option("--refresh", is_flag=True, help="Capture urls again even if already captured.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per source on stdout.")
@click.option(
    "--threadreader-base",
    default="https://threadreaderapp.com",
    show_default=True,
    help="Thread Reader's address (a mirror, or a test server).",
)
@click.option(
    "--min-interval",
    default=1.0,
    show_default=True,
    type=float,
    help="Seconds between requests to one host.",
)
@click.option("--contact", help="An email or url added to the User-Agent, so sites can reach you.")
@_friendly
def archive_cmd(
    sources: tuple[str, ...],
    store: str,
    from_file: str | None,
    refresh: bool,
    progress: bool | None,
    as_json: bool,
    threadreader_base: str,
    min_interval: float,
    contact: str | None,
) -> None:
    """Capture pages into the archive: urls are fetched, saved files read.

    SOURCE is a url (a Thread Reader unroll, a tweet url, which is archived through its
    unroll, an article) or a saved file, or a folder of them (its .html, .htm, .txt and .json
    files, subfolders included). With --from, sources are read from a file, one a
    line; urls already captured are skipped unless --refresh, so an interrupted run resumes.
    Failures are listed at the end and make the exit status 1.

    Example:

    \b
        threadkeep archive https://threadreaderapp.com/thread/1215710451343904768.html
        threadkeep archive saved/*.html --store ./archive
        threadkeep archive --from urls.txt --store ./archive
    """
    todo = _sources(sources, from_file)
    if not todo:
        raise click.UsageError("give at least one SOURCE, or --from FILE")
    missing = [s for s in todo if not is_http(s) and not Path(s).exists()]
    if missing and len(missing) == len(todo):  # nothing to capture: no store is made for it
        click.echo(f"threadkeep: {len(missing)} of {len(todo)} sources failed:", err=True)
        for source in missing:
            click.echo(f"  {source}: no such file", err=True)
        sys.exit(1)
    archive = _open(store, create=True)
    done = set() if refresh else archive.captured_urls()
    skipped = [s for s in todo if is_http(s) and s in done]
    todo = [s for s in todo if s not in skipped]
    for source in skipped:
        click.echo(f"{source}: skipped (already captured; --refresh to capture again)", err=True)
    show = progress if progress is not None else sys.stderr.isatty()
    with Client(
        threadreader_base=threadreader_base, min_interval=min_interval, contact=contact
    ) as client:
        batch = _Batch(archive, client, threadreader_base=threadreader_base)
        for source in tqdm(
            todo, desc="archiving", unit="source", file=sys.stderr, disable=not show
        ):
            result = batch.one(source)
            if result is None:
                continue
            line = (
                json.dumps({"source": source, **result.model_dump(mode="json")})
                if as_json
                else _summary(source, result)
            )
            tqdm.write(line, file=sys.stdout)
    if batch.failures:
        click.echo(f"threadkeep: {len(batch.failures)} of {len(todo)} sources failed:", err=True)
        for failure in batch.failures:
            click.echo(f"  {failure}", err=True)
        sys.exit(1)


@click.command("show")
@click.argument("identifier", metavar="ID")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json", "text"]),
    default="md",
    show_default=True,
    help="md: readable Markdown; text: plain lines (grep REMOVED); json: every field.",
)
@_friendly
def show_cmd(identifier: str, store: str, fmt: Literal["md", "json", "text"]) -> None:
    """Print a thread as archived: every tweet ever seen, removed and edited ones marked.

    ID is a thread id, the id of any tweet in it, or a document key from `history`.

    Example:

        threadkeep show 1215710451343904768 --format md
    """
    archive = _open(store)
    try:
        document = archive.thread(identifier)
    except ArchiveError as exc:
        raise CommandFailed(str(exc)) from exc
    if document is None:
        raise CommandFailed(f"no thread or tweet {identifier!r} in the archive at {store}")
    if fmt == "json":
        click.echo(document.model_dump_json(indent=2))
    elif fmt == "text":
        click.echo(printable(archived_to_text(document)), nl=False)
    else:
        click.echo(printable(archived_to_markdown(document)), nl=False)


@click.command("history")
@click.argument("identifier", metavar="ID")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line a capture and a snapshot; json: every field.",
)
@_friendly
def history_cmd(identifier: str, store: str, fmt: Literal["text", "json"]) -> None:
    """List a thread's captures and snapshots, with what changed between snapshots.

    Example:

        threadkeep history 1215710451343904768
    """
    archive = _open(store)
    found = archive.history(identifier)
    if found is None:
        raise CommandFailed(f"no thread or tweet {identifier!r} in the archive at {store}")
    if fmt == "json":
        click.echo(found.model_dump_json(indent=2))
        return
    click.echo(
        f"{found.document}: {len(found.captures)} captures, {len(found.snapshots)} snapshots"
    )
    for capture in found.captures:
        click.echo(
            f"  capture {capture.time.isoformat()} {capture.outcome:<9} {capture.url or '(file)'}"
        )
    for number, snapshot in enumerate(found.snapshots, start=1):
        changes = [
            f"+{len(snapshot.added)} added" if snapshot.added else "",
            f"-{len(snapshot.removed)} removed" if snapshot.removed else "",
            f"~{len(snapshot.changed)} edited" if snapshot.changed else "",
        ]
        said = ", ".join(c for c in changes if c) or (
            "first" if number == 1 else "other fields changed"
        )
        when = snapshot.captured_at.isoformat()
        click.echo(f"  snapshot {number} {when} {snapshot.tweets} tweets: {said}")
        for label, keys in (
            ("added", snapshot.added),
            ("removed", snapshot.removed),
            ("edited", snapshot.changed),
        ):
            for key in keys:
                click.echo(f"      {label} {key}")


@click.command("verify")
@store_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild damaged derived files from the raw captures and the log (never rewritten).",
)
@_friendly
def verify_cmd(store: str, repair: bool) -> None:
    """Recompute every hash in the archive and report any damage, file by file.

    With --repair, derived files (snapshots, records) are rebuilt from the raw captures and
    the capture log into a new generation; raw captures and the log are never rewritten.
    What could not be repaired is listed, and makes the exit status 1.

    Example:

        threadkeep verify --store ./archive

        threadkeep verify --repair --store ./archive
    """
    if repair:
        _repair(store)
        return
    report = _open(store).verify()
    click.echo(
        f"{store}: {report.captures} captures, {report.raw_files} raw files, {report.snapshots} "
        f"snapshots, {report.documents} documents, {report.tweets} tweets checked"
    )
    for problem in report.problems:
        owners = f" (captures: {'; '.join(problem.captures)})" if problem.captures else ""
        click.echo(f"DAMAGED {problem.path}: {problem.problem}{owners}", err=True)
    for note in report.ahead:
        click.echo(f"AHEAD OF THE LOG {note.path}: {note.problem}; --repair rebuilds it", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo("ok: every file matches its hash")


def _repair(store: str) -> None:
    report = _open(store).repair()
    if report.generation is None:
        click.echo(f"{store}: ok: every file matches its hash; nothing to repair")
        return
    click.echo(f"{store}: derived files rebuilt into generation {report.generation}")
    for problem in report.repaired:
        click.echo(f"REPAIRED {problem.path}: {problem.problem}")
    for capture in report.from_snapshots:
        click.echo(f"REBUILT FROM SNAPSHOT {capture} (its raw capture is damaged)")
    for problem in report.unrepaired:
        owners = f" (captures: {'; '.join(problem.captures)})" if problem.captures else ""
        click.echo(f"NOT REPAIRED {problem.path}: {problem.problem}{owners}", err=True)
    if not report.ok:
        sys.exit(1)


def _exported(archive: Archive) -> Iterator[str]:
    for record in archive.records():
        yield archived_tweet(record).model_dump_json()


@click.command("export")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one tweet record a line.",
)
@_friendly
def export_cmd(store: str, fmt: str) -> None:
    """Print every tweet record in the archive, one JSON document a line.

    Example:

        threadkeep export --store ./archive > tweets.jsonl
    """
    for line in _exported(_open(store)):
        click.echo(line)


@click.command("reparse")
@store_option
@_friendly
def reparse_cmd(store: str) -> None:
    """Rebuild every derived record from the raw captures with today's parsers.

    Raw captures and the capture log are untouched; the previous derived files stay on disk.

    Example:

        threadkeep reparse --store ./archive
    """
    report = _open(store).reparse()
    click.echo(
        f"{store}: replayed {report.replayed} captures into generation {report.generation}, "
        f"{report.documents} documents"
    )
    for failure in report.failed:
        click.echo(f"  still unparseable: {failure}", err=True)


def register(group: click.Group) -> None:
    """Add the archive commands to the ``threadkeep`` command group."""
    for command in (archive_cmd, show_cmd, history_cmd, verify_cmd, export_cmd, reparse_cmd):
        group.add_command(command)
