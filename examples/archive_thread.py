"""Archive one thread, from a url or a saved file, and print what changed since last time.

    python examples/archive_thread.py fixtures/threadreader/quinnypig_2020_full.html
    python examples/archive_thread.py examples/data/quinnypig_2020_later.html
    python examples/archive_thread.py https://threadreaderapp.com/thread/1215710451343904768.html

A url (a Thread Reader unroll, a tweet url or a bare tweet id) is fetched politely from
Thread Reader; a file is read as saved. Each run adds one capture to the archive
(``./threadkeep-archive`` unless ``--store``) and prints the tweets that are new, edited or
gone since the thread's previous capture. Exit status 0 on success, 1 when the source could
not be fetched, read or parsed (the reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import threadkeep
from threadkeep.archive import AddResult

THREADREADER = "https://threadreaderapp.com"
SAVED_SUFFIXES = {".html", ".htm", ".txt", ".json"}


def capture(source: str, archive: threadkeep.Archive, args: argparse.Namespace) -> AddResult:
    """Add ``source`` to the archive: a saved file as it is, anything else fetched."""
    path = Path(source)
    if path.exists() or path.suffix.lower() in SAVED_SUFFIXES:
        return archive.add(path.read_bytes())  # a missing file fails here, with its name
    url = f"{args.threadreader_base}/thread/{threadkeep.thread_id(source)}.html"
    with threadkeep.Client(
        threadreader_base=args.threadreader_base,
        min_interval=args.min_interval,
        contact=args.contact,
    ) as client:
        page = client.fetch(url)
    return archive.add_capture(page)  # the bytes, the url after redirects, when, the status


def text_of(archive: threadkeep.Archive, key: str, width: int = 70) -> str:
    """A tweet's latest text from the archive, cut to ``width`` characters."""
    record = archive.tweet(key)
    text = (record.latest.text or "") if record is not None else ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def report(archive: threadkeep.Archive, result: AddResult) -> None:
    """Print what one capture changed: counts first, then each removed or edited tweet."""
    document = archive.document(result.document or "")
    tweets = len(document.tweets) if document is not None else 0
    print(f"{result.outcome}: {result.document} ({tweets} tweets ever seen)")
    print(
        f"  new {len(result.new)}, edited {len(result.changed)}, "
        f"removed {len(result.removed)}, back {len(result.reappeared)}"
    )
    for key in result.removed:
        print(f"  removed {key}: {text_of(archive, key)}")
    for key in result.reappeared:
        print(f"  back    {key}: {text_of(archive, key)}")
    for key in result.changed:
        record = archive.tweet(key)
        versions = record.versions if record is not None else []
        before = " ".join((versions[-2].text or "").split()) if len(versions) > 1 else "?"
        print(f"  edited  {key}: {before!r} -> {text_of(archive, key)!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a saved page, a Thread Reader or tweet url, or an id")
    parser.add_argument("--store", default="threadkeep-archive", help="the archive folder")
    parser.add_argument("--threadreader-base", default=THREADREADER, help="Thread Reader's url")
    parser.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--contact", help="an email or url for the User-Agent")
    args = parser.parse_args(argv)
    archive = threadkeep.Archive(args.store)
    try:
        result = capture(args.source, archive, args)
    except (threadkeep.ThreadkeepError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, threadkeep.ParseError) else exc
        print(f"archive_thread: {args.source}: {reason}", file=sys.stderr)
        return 1
    print(f"archived {args.source} into {args.store}")
    if result.kind != "thread":
        print(f"archive_thread: note: {args.source} is a {result.kind}, not a thread")
    report(archive, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
