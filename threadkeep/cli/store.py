"""The commands that read or mend an archive: show, history, verify, export, reparse.

Each opens the store (never making one: a missing store is named with where to look),
makes one library call and prints what it gave.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from threadkeep.cli.common import Failed, format_option, store_option

if TYPE_CHECKING:
    from threadkeep.archive import Archive
    from threadkeep.archive.view_models import History

__all__ = ["COMMANDS"]


def _open(store: str) -> Archive:
    from threadkeep.archive import Archive

    if not store.startswith("s3://") and not Path(store).exists():
        raise Failed(
            f"no threadkeep archive at {store}: run this where the archive folder is, or give "
            "--store DIR (`threadkeep archive` makes one)"
        )
    return Archive(store, create=False)


def _not_found(identifier: str, store: str) -> Failed:
    return Failed(f"no thread or tweet {identifier!r} in the archive at {store}")


@click.command("show")
@click.argument("identifier", metavar="ID")
@store_option
@format_option(
    "md",
    "json",
    "text",
    help="md: readable Markdown; text: plain lines (grep REMOVED); json: every field.",
)
def show_cmd(identifier: str, store: str, fmt: Literal["md", "json", "text"]) -> None:
    """Print a thread as archived: every tweet ever seen, removed and edited ones marked.

    ID is a thread id, the id of any tweet in it, or a document key from `history`. A tweet
    only copies from the web archive showed (`threadkeep recover`) is marked with their time.

    Example:

        threadkeep show 1215710451343904768 --format md
    """
    from threadkeep.render import archived_to_markdown, archived_to_text, printable

    archive = _open(store)
    document = archive.thread(identifier)
    if document is None:
        raise _not_found(identifier, store)
    if fmt == "json":
        click.echo(document.model_dump_json(indent=2))
        return
    history = archive.history(document.document)  # which captures were web-archive copies
    if fmt == "text":
        click.echo(printable(archived_to_text(document, history)), nl=False)
    else:
        click.echo(printable(archived_to_markdown(document, history)), nl=False)


@click.command("history")
@click.argument("identifier", metavar="ID")
@store_option
@format_option("text", "json", help="text: one line a capture and a snapshot; json: every field.")
def history_cmd(identifier: str, store: str, fmt: Literal["text", "json"]) -> None:
    """List a thread's captures and snapshots, with what changed between snapshots.

    Example:

        threadkeep history 1215710451343904768
    """
    found = _open(store).history(identifier)
    if found is None:
        raise _not_found(identifier, store)
    if fmt == "json":
        click.echo(found.model_dump_json(indent=2))
        return
    for line in _history_lines(found):
        click.echo(line)


def _history_lines(found: History) -> list[str]:
    from threadkeep.words import plural

    lines = [
        f"{found.document}: {plural(len(found.captures), 'capture')}, "
        f"{plural(len(found.snapshots), 'snapshot')}"
    ]
    for capture in found.captures:
        when = capture.time.isoformat()
        line = f"  capture {when} {capture.outcome:<9} {capture.url or '(file)'}"
        if capture.origin is not None:  # the WARC record its bytes were read from
            line += f" from {capture.origin.file} @ {capture.origin.offset}"
        lines.append(line)
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
        lines.append(f"  snapshot {number} {when} {plural(snapshot.tweets, 'tweet')}: {said}")
        for label, keys in (
            ("added", snapshot.added),
            ("removed", snapshot.removed),
            ("edited", snapshot.changed),
        ):
            lines.extend(f"      {label} {key}" for key in keys)
    return lines


@click.command("verify")
@store_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild damaged derived files from the raw captures and the log (never rewritten).",
)
def verify_cmd(store: str, repair: bool) -> None:
    """Recompute every hash in the archive and report any damage, file by file.

    With --repair, derived files (snapshots, records) are rebuilt from the raw captures and
    the capture log into a new generation; raw captures and the log are never rewritten. A
    damaged media file is set aside into media/damaged/ (threadkeep media fetches it again),
    a damaged line of media.jsonl into media.jsonl.damaged.
    What could not be repaired is listed, and makes the exit status 1.

    Example:

        threadkeep verify --store ./archive

        threadkeep verify --repair --store ./archive
    """
    from threadkeep.words import plural

    if repair:
        _repair(store)
        return
    report = _open(store).verify()
    counts = [
        plural(report.captures, "capture"),
        plural(report.raw_files, "raw file"),
        plural(report.snapshots, "snapshot"),
        plural(report.documents, "document"),
        plural(report.tweets, "tweet"),
    ]
    if report.media_files:
        counts.append(plural(report.media_files, "media file"))
    click.echo(f"{store}: {', '.join(counts)} checked")
    if report.format == 1:
        click.echo(
            "format 1 store (threadkeep 0.1.0): hashes and snapshots checked; its records are "
            "checked against the log once it is upgraded, which the next command that writes "
            "(archive, reparse, verify --repair) does"
        )
    for problem in report.problems:
        owners = f" (captures: {'; '.join(problem.captures)})" if problem.captures else ""
        click.echo(f"DAMAGED {problem.path}: {problem.problem}{owners}", err=True)
    for note in report.ahead:
        click.echo(f"AHEAD OF THE LOG {note.path}: {note.problem}; --repair rebuilds it", err=True)
    for note in report.orphans:
        click.echo(f"ORPHANED {note.path}: {note.problem}", err=True)
    if report.unrecorded:
        from threadkeep.archive.recover import UNRECORDED

        for path in report.unrecorded:
            click.echo(f"UNRECORDED {path}: {UNRECORDED}", err=True)
    if report.added_order:
        click.echo(
            "ADDED ORDER: the records were merged in the order their captures were added, as "
            "threadkeep did before it merged them in capture-time order, and some were added "
            "out of time order (not damage); --repair merges them again in time order",
            err=True,
        )
    for path in report.set_aside:
        click.echo(
            f"SET ASIDE {path}: damaged, set aside by verify --repair (not damage now); "
            "fetch it again with threadkeep media",
            err=True,
        )
    for path in report.unindexed:
        click.echo(
            f"UNINDEXED {path}: a media file no line of media.jsonl names (a copy cut short, "
            "not damage); --repair indexes it, the next archive of its export names it",
            err=True,
        )
    if report.temporary:
        click.echo(
            f"TEMPORARY {_temporaries(report.temporary)}: left by a writer stopped in the "
            "middle of a write (not damage); --repair removes them",
            err=True,
        )
    if report.pending:
        click.echo(
            f"PENDING {plural(len(report.pending), 'capture')}: written and kept, not merged "
            "yet (not damage); the next capture or --repair merges them",
            err=True,
        )
    if report.dead_pointers:
        click.echo(
            f"DEAD POINTERS {plural(len(report.dead_pointers), 'inbox pointer')} with no "
            "capture object (a writer stopped before writing it; not damage); --repair "
            "removes them",
            err=True,
        )
    if not report.ok:
        sys.exit(1)
    click.echo("ok: every file matches its hash")


def _temporaries(paths: tuple[str, ...]) -> str:
    """How many temporary files, and in which folders (the first few)."""
    from threadkeep.words import plural

    folders = sorted({path.rpartition("/")[0] or "." for path in paths})
    shown = ", ".join(folders[:3]) + (f" and {len(folders) - 3} more" if len(folders) > 3 else "")
    return f"{plural(len(paths), 'file')} in {plural(len(folders), 'folder')} ({shown})"


def _repair(store: str) -> None:
    report = _open(store).repair()
    if report.merged:
        from threadkeep.words import plural

        click.echo(f"MERGED {plural(report.merged, 'pending capture')}")
    if report.temporary:
        click.echo(f"REMOVED TEMPORARY {_temporaries(report.temporary)}")
    for path, aside in report.media_set_aside:
        click.echo(
            f"SET ASIDE {path}: did not match its hash, its bytes kept in {aside}; "
            "fetch it again with threadkeep media"
        )
    for place in report.media_lines_set_aside:
        click.echo(
            f"SET ASIDE {place}: damaged, kept as it was in "
            "media.jsonl.damaged; the files it may have named are indexed again"
        )
    for path in report.media_indexed:
        click.echo(f"INDEXED {path}: a media file no line of the media index named")
    if report.generation is None:
        done = report.media_set_aside or report.media_lines_set_aside or report.media_indexed
        click.echo(
            f"{store}: ok: every file matches its hash; nothing {'else ' if done else ''}to repair"
        )
        return
    click.echo(f"{store}: derived files rebuilt into generation {report.generation}")
    for problem in report.repaired:
        click.echo(f"REPAIRED {problem.path}: {problem.problem}")
    for capture in report.from_snapshots:
        click.echo(f"REBUILT FROM SNAPSHOT {capture} (its raw capture is damaged)")
    for capture in report.recovered:
        click.echo(f"RECOVERED {capture}")
    for problem in report.unrepaired:
        owners = f" (captures: {'; '.join(problem.captures)})" if problem.captures else ""
        click.echo(f"NOT REPAIRED {problem.path}: {problem.problem}{owners}", err=True)
    if not report.ok:
        sys.exit(1)


@click.command("export")
@click.argument("identifiers", metavar="[ID]...", nargs=-1)
@store_option
@format_option(
    "jsonl",
    "html",
    "warc",
    help="jsonl: one tweet record a line; html: an offline site in -o DIR; warc: the raw "
    "captures as a web-archive file -o FILE (.warc.gz: gzipped record by record).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="html: the folder to write the site into (new, empty, or a site written before); "
    "warc: the file to write (replaced if it exists).",
)
@click.option(
    "--media/--no-media",
    default=None,
    help="html: copy the media files the archive keeps into the site (the default), or not; "
    "jsonl: add to each tweet the media files kept of it (`media_kept`), or not (the default).",
)
def export_cmd(
    identifiers: tuple[str, ...], store: str, fmt: str, output: Path | None, media: bool | None
) -> None:
    """Print the tweet records, or write an offline site or a WARC file.

    With --format html, writes DIR/index.html (every document), one page a thread in DIR/t/
    (removed tweets with their last content, edited ones with their versions, the stored
    media) and DIR/search.html; the pages open from disk and load nothing from the network.
    IDs (thread ids, tweet ids or document keys) limit the site to those documents.

    With --format warc, writes FILE: each capture kept with its raw body as a WARC record
    (its url, capture time, status and payload digest; a later capture of the same bytes a
    revisit), which pywb and other replay tools open; failed captures (no body) are left
    out and counted. IDs limit it to those documents' captures. The same store exported
    again gives the same bytes.

    Example:

    \b
        threadkeep export --store ./archive > tweets.jsonl
        threadkeep export --format html -o ./browse --store ./archive
        threadkeep export --format html --no-media -o ./light --store ./archive
        threadkeep export --format warc -o captures.warc.gz --store ./archive
    """
    if fmt == "jsonl":
        if identifiers or output is not None:
            raise click.UsageError("IDs and -o go with --format html or warc")
        from threadkeep.archive.views import archived_tweet

        archive = _open(store)
        index = archive.media_store.index() if media else {}
        for record in archive.records():
            tweet = archived_tweet(record)
            if not media:
                click.echo(tweet.model_dump_json())
                continue
            kept = [
                item.model_dump(mode="json") for item in archive.kept_media([tweet], index=index)
            ]
            line = tweet.model_dump(mode="json") | {"media_kept": kept}
            click.echo(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        return
    if fmt == "warc":
        _export_warc(identifiers, store, output, media)
        return
    if output is None:
        raise click.UsageError("--format html needs -o DIR, the folder to write the site into")
    if output.exists() and not output.is_dir():
        raise click.UsageError(f"-o {output}: a file; --format html writes a folder there")
    from threadkeep.html import build_site
    from threadkeep.words import plural

    report = build_site(_open(store), output, identifiers, media=media is not False)
    for path in report.damaged:
        click.echo(
            f"threadkeep: warning: {path}: stored file damaged, not in the site "
            "(run threadkeep verify --repair, then threadkeep media)",
            err=True,
        )
    click.echo(
        f"{output}: {plural(report.documents, 'document')}, {plural(report.tweets, 'tweet')} "
        f"({report.removed} removed), {plural(report.media, 'media file')}; "
        f"open {output / 'index.html'}"
    )


def _export_warc(
    identifiers: tuple[str, ...], store: str, output: Path | None, media: bool | None
) -> None:
    if output is None:
        raise click.UsageError("--format warc needs -o FILE, the WARC file to write")
    if output.is_dir():
        raise click.UsageError(f"-o {output}: a folder; --format warc writes a file there")
    if media is not None:
        raise click.UsageError("--media/--no-media go with --format html and jsonl")
    done = _open(store).export_warc(output, identifiers)
    for problem in done.damaged:
        click.echo(
            f"threadkeep: warning: raw capture {problem}: not in the file (run threadkeep verify)",
            err=True,
        )
    click.echo(done.summary())


@click.command("reparse")
@store_option
def reparse_cmd(store: str) -> None:
    """Rebuild every derived record from the raw captures with today's parsers.

    Raw captures and the capture log are untouched; the previous derived files stay on disk.

    Example:

        threadkeep reparse --store ./archive
    """
    from threadkeep.words import plural

    report = _open(store).reparse()
    click.echo(
        f"{store}: replayed {plural(report.replayed, 'capture')} into generation "
        f"{report.generation}, {plural(report.documents, 'document')}"
    )
    for failure in report.failed:
        click.echo(f"  still unparseable: {failure}", err=True)
    for emptied in report.emptied:
        click.echo(f"  now holds no tweets (raw capture kept, no document): {emptied}", err=True)


@click.command("upgrade")
@store_option
def upgrade_cmd(store: str) -> None:
    """Upgrade a store written by an older threadkeep to this one's format (3).

    Every command that writes does this first; run it to upgrade a store before copying it
    into object storage, or before a threadkeep that only reads it. Nothing is copied and
    nothing is lost: a format 2 store's log and media index are kept as they are and
    continued (every offset in them stays valid); a format 1 store's records are rebuilt
    into a new generation, the old one kept on disk.

    Example:

        threadkeep upgrade --store ./archive
    """
    archive = _open(store)
    before = archive.files.format()
    generation = archive.upgrade()
    if generation is None:
        click.echo(f"{store}: format {archive.files.format()} already; nothing to upgrade")
        return
    click.echo(
        f"{store}: upgraded from format {before} to {archive.files.format()} "
        f"(generation {generation} in use)"
    )


COMMANDS = (show_cmd, history_cmd, verify_cmd, export_cmd, reparse_cmd, upgrade_cmd)
