"""Re-capture a list of threads on a schedule and report tweets removed or edited since.

    python examples/watch_threads.py --from threads.txt --every 3600
    python examples/watch_threads.py 1215710451343904768 --rounds 1

Each THREAD is a Thread Reader url, a tweet url or a tweet id (``--from FILE`` reads more, one
a line; ``#`` starts a comment). Every ``--every`` seconds, each thread's unroll is fetched
from Thread Reader (politely: one request per ``--min-interval`` seconds) and added to the
archive (``./threadkeep-archive`` unless ``--store``); the tweets it no longer shows, shows
again, or shows with a new text are printed. Stop it with Ctrl-C, or give ``--rounds N``.

Exit status 0 when every capture worked, 1 when any failed (each failure is printed as it
happens and the watch goes on), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import threadkeep
from threadkeep.archive import AddResult


def read_list(threads: list[str], from_file: Path | None) -> list[str]:
    """Thread ids from the arguments and the list file, in order, without repeats."""
    sources = list(threads)
    if from_file is not None:
        for line in from_file.read_text("utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                sources.append(line)
    return list(dict.fromkeys(threadkeep.thread_id(source) for source in sources))


def changes(archive: threadkeep.Archive, result: AddResult) -> list[str]:
    """One line per removed, returning or edited tweet, with its text."""
    lines = []
    for label, keys in (
        ("removed", result.removed),
        ("back", result.reappeared),
        ("edited", result.changed),
    ):
        for key in keys:
            record = archive.tweet(key)
            texts = [v.text for v in record.versions] if record is not None else []
            text = " ".join((texts[-1] or "").split()) if texts else ""
            if label == "edited" and len(texts) > 1:
                text = f"{' '.join((texts[-2] or '').split())!r} -> {text!r}"
            lines.append(f"    {label} {key}: {text}")
    return lines


class Watch:
    """The archive, the client and the running totals of one watch."""

    def __init__(self, archive: threadkeep.Archive, client: threadkeep.Client, base: str) -> None:
        self.archive, self.client, self.base = archive, client, base
        self.captures = self.failures = self.removed = self.edited = 0

    def round(self, number: int, ids: list[str]) -> None:
        """Capture every thread once and print what changed."""
        print(f"round {number}:")
        for tid in ids:
            try:
                page = self.client.fetch(f"{self.base}/thread/{tid}.html")
                result = self.archive.add_capture(page)
            except threadkeep.ThreadkeepError as exc:
                self.failures += 1
                print(f"  {tid}: FAILED {exc}")
                continue
            self.captures += 1
            self.removed += len(result.removed)
            self.edited += len(result.changed)
            print(
                f"  {tid}: {result.outcome}, {len(result.removed)} removed, "
                f"{len(result.changed)} edited, {len(result.reappeared)} back"
            )
            for line in changes(self.archive, result):
                print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("threads", nargs="*", metavar="THREAD", help="a url or a tweet id")
    add = parser.add_argument
    add("--from", dest="from_file", type=Path, metavar="FILE", help="more threads, one a line")
    add("--store", default="threadkeep-archive", metavar="DIR", help="the archive folder")
    add("--every", type=float, default=3600.0, metavar="SECONDS", help="between rounds")
    add("--rounds", type=int, default=0, metavar="N", help="stop after N (default: never)")
    add("--threadreader-base", default="https://threadreaderapp.com", metavar="URL")
    add("--min-interval", type=float, default=1.0, metavar="SECONDS", help="between requests")
    add("--contact", metavar="EMAIL", help="an email or url sent in the User-Agent")
    args = parser.parse_args(argv)
    try:
        ids = read_list(args.threads, args.from_file)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    if not ids:
        parser.error("give at least one THREAD, or --from FILE")
    archive = threadkeep.Archive(args.store)
    with threadkeep.Client(
        threadreader_base=args.threadreader_base,
        min_interval=args.min_interval,
        contact=args.contact,
    ) as client:
        watch = Watch(archive, client, args.threadreader_base.rstrip("/"))
        number = 0
        try:
            while args.rounds == 0 or number < args.rounds:
                if number:
                    time.sleep(args.every)
                number += 1
                watch.round(number, ids)
        except KeyboardInterrupt:
            print("stopped")
    print(
        f"{number} rounds, {watch.captures} captures, {watch.failures} failed, "
        f"{watch.removed} removed, {watch.edited} edited"
    )
    return 1 if watch.failures else 0


if __name__ == "__main__":
    sys.exit(main())
