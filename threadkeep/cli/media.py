"""``threadkeep media``: fetch the photos and videos of archived tweets into the archive.

The work is :func:`threadkeep.batch.media.fetch_media`'s; this module reads the arguments,
says what happens on stderr as it goes, and prints the summary. ``threadkeep archive
--media`` calls :func:`fetch_and_say` after archiving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from threadkeep.cli.common import (
    Failed,
    TextPath,
    checked_setting,
    contact_option,
    format_option,
    given,
    min_interval_option,
    store_option,
    wayback_option,
)

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.fetch import Client

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "COMMANDS",
    "fetch_and_say",
    "max_bytes_option",
    "media_cmd",
    "media_wayback_option",
]


def _news(line: str) -> None:
    if logging.getLogger("threadkeep").level < logging.ERROR:  # not -q
        click.echo(f"threadkeep: {line}", err=True)


media_wayback_option = wayback_option(
    help="The web archive asked for media whose origin answers 404, 403 or 410."
)


def max_bytes_option(help: str) -> Callable[[F], F]:
    """``--max-bytes``: the largest media file fetched (``threadkeep media``, ``archive
    --media``)."""
    return click.option(
        "--max-bytes",
        type=click.IntRange(min=1),
        default=20_000_000,
        show_default=True,
        callback=checked_setting,
        help=help,
    )


def fetch_and_say(
    archive: Archive,
    client: Client,
    ids: tuple[str, ...] | None,
    *,
    wayback: str | None,
    avatars: bool,
    fmt: str,
) -> None:
    """Fetch the media (of the documents ``ids`` name; None: every archived tweet's), print
    the summary (text) or the report (json: one line, ``"kind": "media"``), and fail (exit 1)
    when some item could not be fetched."""
    import json

    from threadkeep.batch.media import fetch_media

    report = fetch_media(archive, client, ids, wayback=wayback, avatars=avatars, progress=_news)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "kind": "media",
                    "items": report.items,
                    "stored": [entry.model_dump(mode="json") for entry in report.stored],
                    "from_wayback": report.from_wayback,
                    "held": report.held,
                    "playlists": report.playlists,
                    "failures": [{"url": u, "error": _said(e)} for u, e in report.failures],
                }
            )
        )
    else:
        click.echo(report.lines()[0])
    if report.failures:
        raise Failed(
            f"{len(report.failures)} of {report.items} media items could not be fetched:",
            [f"  {url}: {_said(reason)}" for url, reason in report.failures],
        )


def _said(reason: str) -> str:
    """A failure's reason in the command's words: the library's ``max_bytes`` is
    ``--max-bytes`` here."""
    return reason.replace("raise max_bytes", "raise --max-bytes")


@click.command("media")
@click.argument("ids", nargs=-1, type=TextPath())
@store_option
@media_wayback_option
@click.option("--no-wayback", is_flag=True, help="Never ask the web archive.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Fetch media urls that lead to loopback and private addresses (never link-local).",
)
@max_bytes_option(help="Refuse a file larger than this.")
@click.option("--avatars", is_flag=True, help="Keep the authors' profile pictures too.")
@format_option("text", "json", help="text: a summary; json: every file stored and failure.")
@min_interval_option(help="Seconds between requests to one host.")
@contact_option
def media_cmd(
    ids: tuple[str, ...],
    store: str,
    wayback: str,
    no_wayback: bool,
    allow_private: bool,
    max_bytes: int,
    avatars: bool,
    fmt: Literal["text", "json"],
    min_interval: float,
    contact: str | None,
) -> None:
    """Fetch the photos, videos and card images of archived tweets into the archive.

    ID is a thread id, a tweet id or a document key (every archived tweet when none is
    given). Each file is fetched once, photos at their largest size, and kept once by its
    sha256 however many tweets show it; a url the archive holds already is not fetched
    again, so an interrupted run resumes. When the origin answers 404, 403 or 410, the web
    archive's copy is fetched instead, and the archive records that it came from there.
    Media urls come from pages, so those leading to loopback or private addresses are
    refused unless --allow-private. A file that could not be fetched is listed and makes the
    exit status 1.

    Example:

    \b
        threadkeep media --store ./archive
        threadkeep media 1215710451343904768 --store ./archive --max-bytes 50000000
    """
    from threadkeep.archive import Archive
    from threadkeep.fetch import Client

    if no_wayback and given("wayback"):
        raise click.UsageError("--wayback and --no-wayback cannot both be given")
    archive = Archive(store, create=False)
    with Client(
        min_interval=min_interval,
        contact=contact,
        allow_private=allow_private,
        max_bytes=max_bytes,
    ) as client:
        fetch_and_say(
            archive,
            client,
            ids or None,
            wayback=None if no_wayback else wayback,
            avatars=avatars,
            fmt=fmt,
        )


COMMANDS = (media_cmd,)
