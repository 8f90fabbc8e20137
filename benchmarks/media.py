"""Benchmark: the media index at scale, read afresh each time (as before 64568f6) or read on.

A store is made in a temporary folder whose ``media.jsonl`` holds ``--lines`` index lines
(20 000 by default: a large archive's media). Then two things a media fetch or a site does
once an item or a document are timed, ``--calls`` times each:

* **store_media**: one fetched file stored (its file written and synced, its index line
  appended), as :func:`threadkeep.batch.media.fetch_media` does for every item;
* **kept_media**: the files kept of one tweet looked up, as ``Archive.thread`` (``show``,
  each page of the site) does for every document.

Each is timed twice, interleaved call by call: **before**, with the index the store had read
forgotten before each call, so that every call parses the whole file (what each call did
before 64568f6), and **after**, reading on from where the last read ended (the index as it
is). The figure is the median over calls, in milliseconds.

Run from the repository root::

    python benchmarks/media.py                 # 20 000 lines, 40 calls of each
    python benchmarks/media.py --lines 5000 --calls 20
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import threadkeep
from threadkeep.archive.media import MediaEntry

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def entry(data: bytes, url: str) -> MediaEntry:
    return MediaEntry(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        type="photo",
        url=url,
        tweet="1",
        origin=url,
        time=WHEN,
    )


def made(folder: Path, lines: int) -> threadkeep.Archive:
    """A store whose media index holds ``lines`` lines (their files are not needed)."""
    archive = threadkeep.Archive(folder)
    text = b"".join(
        entry(b"%d" % n, f"https://pbs.twimg.com/media/{n}.jpg").model_dump_json().encode() + b"\n"
        for n in range(lines)
    )
    (folder / "media.jsonl").write_bytes(text)
    return archive


def timed(func: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    func(*args)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        archive = made(Path(folder), args.lines)
        store = archive.media_store
        tweet = threadkeep.Tweet(
            id="1", media=[threadkeep.Media(kind="photo", url="https://pbs.twimg.com/media/7.jpg")]
        )
        assert archive.kept_media([tweet]), "the looked-up file is in the index"

        def forget() -> None:
            store._read = (b"", {})  # what the store had read: gone, as before 64568f6

        figures: dict[str, dict[str, list[float]]] = {
            "store_media": {"before": [], "after": []},
            "kept_media": {"before": [], "after": []},
        }
        for call in range(args.calls):
            for when in ("before", "after"):
                data = f"{when} {call}".encode()
                stored = entry(data, f"https://pbs.twimg.com/media/new-{when}-{call}.jpg")
                if when == "before":
                    forget()
                figures["store_media"][when].append(timed(archive.store_media, [(data, stored)]))
                if when == "before":
                    forget()
                figures["kept_media"][when].append(timed(archive.kept_media, [tweet]))
    print(f"media index of {args.lines} lines, median of {args.calls} calls (ms a call)")
    print(f"{'':12} {'before':>10} {'after':>10} {'ratio':>8}")
    for name, by in figures.items():
        before, after = statistics.median(by["before"]), statistics.median(by["after"])
        print(f"{name:12} {before:10.2f} {after:10.2f} {before / after:7.1f}x")


if __name__ == "__main__":
    main()
