"""``threadkeep recover``: find a tweet's copies in the web archive and archive them.

The work is :func:`threadkeep.recover`'s; this module reads the arguments, says what is
happening on stderr as it goes, and prints the report.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

import click

from threadkeep.cli.common import (
    Failed,
    TextPath,
    contact_option,
    format_option,
    min_interval_option,
    store_option,
    wayback_option,
)

__all__ = ["COMMANDS", "recover_cmd"]


def _targets(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Every TARGET names a tweet, or the command stops before any request (exit 2)."""
    from threadkeep.errors import BadTarget
    from threadkeep.wayback import target

    for value in values:
        try:
            target(value)
        except BadTarget as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return values


def _news(line: str) -> None:
    if logging.getLogger("threadkeep").level < logging.ERROR:  # not -q
        click.echo(f"threadkeep: {line}", err=True)


_DAY = click.DateTime(["%Y-%m-%d"])


@click.command("recover")
@click.argument("targets", nargs=-1, required=True, type=TextPath(), callback=_targets)
@store_option
@wayback_option(help="The web archive asked (any server with its CDX and replay interfaces).")
@click.option(
    "--since", type=_DAY, metavar="DATE", help="Only copies captured on or after DATE (YYYY-MM-DD)."
)
@click.option(
    "--until",
    type=_DAY,
    metavar="DATE",
    help="Only copies captured on or before DATE (YYYY-MM-DD).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Fetch at most this many copies (the next run fetches the rest).",
)
@format_option("text", "json", help="text: what was found and what came back; json: every field.")
@min_interval_option(help="Seconds between requests to the web archive.")
@contact_option
def recover_cmd(
    targets: tuple[str, ...],
    store: str,
    wayback: str,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    fmt: Literal["text", "json"],
    min_interval: float,
    contact: str | None,
) -> None:
    """Find the web archive's copies of a tweet or thread and add them to the archive.

    TARGET is a tweet id, a status url or a Thread Reader url. Every url copies of it live
    under is looked up in the web archive's index (its Thread Reader unroll, its status pages,
    the syndication and oEmbed answers embeds load); each distinct copy is fetched, oldest
    first, at most one request a second, and archived with the time the web archive captured
    it, so a tweet since deleted comes back with its old content, marked removed since the
    first later copy that lacks it. Copies already in the archive are not fetched again: an
    interrupted run resumes. What was looked up, found, fetched and what came back is printed;
    a lookup or fetch that failed makes the exit status 1.

    Example:

    \b
        threadkeep recover 1215710451343904768
        threadkeep recover https://x.com/QuinnyPig/status/1215710451343904768 --since 2020-01-01
        threadkeep show 1215710451343904768 --format text
    """
    from threadkeep.wayback import recover

    report = recover(
        targets,
        archive=store,
        wayback=wayback,
        since=since.date() if since else None,
        until=until.date() if until else None,
        limit=limit,
        min_interval=min_interval,
        contact=contact,
        progress=_news,
    )
    if fmt == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    if report.failures:
        raise Failed(f"{len(report.failures)} of the lookups and fetches failed (listed above)")


COMMANDS = (recover_cmd,)
