"""``threadkeep archive``: capture urls and saved files into an archive.

The work is :mod:`threadkeep.batch.archiving`'s; this module reads the arguments, prints
one line (or one JSON line) a source as each is done, and the failures at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from threadkeep.cli.common import (
    Failed,
    Interrupted,
    PathArg,
    TextPath,
    contact_option,
    format_option,
    given,
    http_base,
    min_interval_option,
    show_progress,
    store_option,
)
from threadkeep.cli.media import fetch_and_say, max_bytes_option, media_wayback_option

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.batch import Report
    from threadkeep.fetch import Client
    from threadkeep.warc.write import FetchRecorder

__all__ = ["COMMANDS", "archive_cmd"]


def _listed(from_file: str | None) -> list[str]:
    """The lines of ``--from`` (``-`` is stdin); unreadable or not UTF-8 is a usage error."""
    from threadkeep.files import os_problem

    if not from_file:
        return []
    try:
        data = sys.stdin.buffer.read() if from_file == "-" else Path(from_file).read_bytes()
        return data.decode("utf-8").splitlines()
    except OSError as exc:
        raise click.BadParameter(f"{from_file}: {os_problem(exc)}", param_hint="--from") from None
    except UnicodeDecodeError as exc:
        raise click.BadParameter(
            f"{from_file}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); save it as UTF-8",
            param_hint="--from",
        ) from None


@click.command("archive")
@click.argument("sources", nargs=-1, type=TextPath())
@store_option
@click.option(
    "--from",
    "from_file",
    type=PathArg(exists=True, dir_okay=False, allow_dash=True),
    help="Read sources from this file, one a line (- for stdin).",
)
@click.option("--refresh", is_flag=True, help="Capture urls again even if already captured.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@format_option(
    "text",
    "json",
    help="text: one line per source; json: one JSON line per source, failures included.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option(
    "--threadreader-base",
    default="https://threadreaderapp.com",
    show_default=True,
    callback=http_base,
    help="Thread Reader's address (a mirror, or a test server).",
)
@min_interval_option(help="Seconds between requests to one host.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let redirects from public servers lead to loopback and private addresses "
    "(never link-local ones).",
)
@click.option(
    "--media",
    "with_media",
    is_flag=True,
    help="Then fetch the photos and videos of this run's sources' tweets (as threadkeep media).",
)
@media_wayback_option
@max_bytes_option(help="With --media: refuse a media file larger than this.")
@click.option(
    "--no-merge",
    is_flag=True,
    help="Write each capture (kept from then on) without merging it: the next archive run "
    "or verify --repair merges them (many writers sharing one store).",
)
@click.option(
    "--warc",
    "warc",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also record every page fetched, as it is fetched, as request and response records "
    "in this WARC file (continued if it exists; .warc.gz: gzipped record by record).",
)
@contact_option
def archive_cmd(
    sources: tuple[str, ...],
    store: str,
    from_file: str | None,
    refresh: bool,
    progress: bool | None,
    fmt: Literal["text", "json"],
    as_json: bool,
    threadreader_base: str,
    min_interval: float,
    allow_private: bool,
    with_media: bool,
    wayback: str,
    max_bytes: int,
    no_merge: bool,
    warc: Path | None,
    contact: str | None,
) -> None:
    """Capture pages into the archive: urls are fetched, saved files read.

    SOURCE is a url (a Thread Reader unroll, a tweet url, which is archived through its
    unroll, an article) or a saved file, or a folder of them (its .html, .htm, .txt, .md,
    .markdown and .json files, subfolders included), or a web-archive file (.warc, .warc.gz,
    .wacz: each page record captured with its url, date and status; records already in the
    archive skipped), or an account export (the zip X/Twitter
    lets you download, or its unpacked folder): every tweet, each thread unrolled from its
    self-replies (show ROOT_ID prints it), deleted tweets kept and marked, media copied into
    the archive once; the same export again writes nothing, a later one marks what is gone
    as removed. With --from, sources are read from a
    file, one a line; urls already captured (a page with no tweets too) are skipped unless
    --refresh, so an interrupted run resumes. Failures are listed at the end and make the exit
    status 1. A page with no tweets (an article that embeds none) is kept and logged as empty
    but makes no document; how many there were is said at the end, and they are no failure.
    With --media, the photos and videos of the tweets of this run's sources (those skipped as
    captured already too) are fetched afterwards, as threadkeep media does (--wayback: the web
    archive asked for those gone from their origin; --max-bytes: the largest file kept); with
    --format json their report is one more line, "kind": "media".

    Example:

    \b
        threadkeep archive https://threadreaderapp.com/thread/1215710451343904768.html
        threadkeep archive saved/*.html --store ./archive
        threadkeep archive --from urls.txt --store ./archive --format json
        threadkeep archive twitter-2024-11-16-abc.zip --store ./archive
        threadkeep archive --from urls.txt --warc fetches.warc.gz --store ./archive
    """
    from threadkeep.archive import Archive
    from threadkeep.batch import Report
    from threadkeep.batch.archiving import Archived, all_missing, still_to_capture
    from threadkeep.batch.archiving import sources as expand
    from threadkeep.fetch import Client

    for name in ("max_bytes", "wayback"):
        if not with_media and given(name):
            option = "--" + name.replace("_", "-")
            raise click.UsageError(f"{option} needs --media (it is a setting of the media fetch)")
    todo = expand(sources, _listed(from_file))
    if not todo:
        raise click.UsageError("give at least one SOURCE, or --from FILE")
    if (nothing := all_missing(todo)) is not None:
        raise Failed.inputs(nothing)
    archive = Archive(store, create=True)
    archive.merging = not no_merge
    todo, skipped = still_to_capture(archive, todo, refresh=refresh)
    as_lines = "json" if as_json else fmt
    for source in skipped:  # a JSON reader sees every source; a person, on stderr
        said = Archived(source, skipped=True)
        click.echo(
            said.json_line() if as_lines == "json" else said.summary(), err=as_lines != "json"
        )
    report = Report(len(todo), "source", "archived")
    with (
        _recorder(warc) as recorder,
        Client(
            threadreader_base=threadreader_base,
            min_interval=min_interval,
            contact=contact,
            allow_private=allow_private,
            on_exchange=recorder,
        ) as client,
    ):
        run = _Run(archive, client, threadreader_base, as_lines)
        run.all(todo, report, bar_on=show_progress(progress))
    if recorder is not None:
        from threadkeep.words import plural

        requests = plural(recorder.count, "request")
        click.echo(f"threadkeep: {warc}: {requests} recorded", err=True)
    media_failed = None
    if with_media:
        documents = run.documents + _documents_of(archive, skipped)
        with Client(
            min_interval=min_interval,
            contact=contact,
            allow_private=allow_private,
            max_bytes=max_bytes,
        ) as media_client:
            try:
                fetch_and_say(
                    archive,
                    media_client,
                    tuple(documents),
                    wayback=wayback,
                    avatars=False,
                    fmt=as_lines,
                )
            except Failed as exc:  # said after the sources' own failures, never instead
                media_failed = exc
    if (empties := report.empties()) is not None:
        click.echo(f"threadkeep: {empties}", err=True)
    if report.failures:
        if media_failed is not None:
            media_failed.show()
        raise Failed.inputs(report)
    if media_failed is not None:
        raise media_failed


@contextmanager
def _recorder(path: Path | None) -> Iterator[FetchRecorder | None]:
    """The WARC file ``--warc`` records fetches into, open for the run (None without it)."""
    if path is None:
        yield None
        return
    from threadkeep.warc.write import FetchRecorder

    try:
        recorder = FetchRecorder(path)
    except OSError as exc:
        raise Failed(f"--warc {path}: {exc.strerror or exc}") from None
    with recorder:
        yield recorder


def _documents_of(archive: Archive, urls: list[str]) -> list[str]:
    """The documents the latest captures of ``urls`` (skipped as captured already) made."""
    if not urls:
        return []
    wanted = set(urls)
    made: dict[str, str] = {}
    for capture in archive.captures():
        if capture.url in wanted and capture.document:
            made[capture.url] = capture.document
    return [made[url] for url in urls if url in made]


@dataclass(frozen=True)
class _Run:
    archive: Archive
    client: Client
    threadreader_base: str
    fmt: str
    documents: list[str] = field(default_factory=list)
    """The documents this run's sources made, as each is done (what --media fetches for)."""

    def all(self, todo: list[str], report: Report, *, bar_on: bool) -> None:
        """Each source's line on stdout as it is done; Ctrl-C says what was done."""
        from tqdm import tqdm

        from threadkeep.batch.archiving import archive_sources, is_warc

        captures = archive_sources(
            self.archive, self.client, todo, report=report, threadreader_base=self.threadreader_base
        )
        stdout = sys.stdout
        try:
            # A web-archive file is a source per record: how many is known as it is read.
            total = None if any(is_warc(source) for source in todo) else len(todo)
            for done in tqdm(captures, total=total, desc="archiving", unit="source",
                             file=sys.stderr, disable=not bar_on):  # fmt: skip
                if done.result is not None and done.result.document:
                    self.documents.append(done.result.document)
                if self.fmt == "json" or done.result is not None:
                    line = done.json_line() if self.fmt == "json" else done.summary()
                    tqdm.write(line, file=stdout)
                    stdout.flush()  # each source's line reaches a pipe as it is done
        except KeyboardInterrupt:
            raise Interrupted.after(report) from None


COMMANDS = (archive_cmd,)
