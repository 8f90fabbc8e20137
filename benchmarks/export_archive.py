"""Benchmark: ``Archive.export`` of a large account export, its time and peak memory.

The export is **constructed** (no real export this large is public): the real alrocar
manifest (``fixtures/export/modern-alrocar-2024/data/manifest.js``) and a ``data/tweets.js``
of ``--tweets`` tweets in the real 2024 entry shape, one in five a thread root and the four
after it its self-replies (so ``--tweets`` / 5 threads of five tweets). Measured in this
process (the first archive in a child), garbage collector on:

1. the first ``Archive.export`` (parse, media none, the bundle, every record and document
   written and synced, the log line), in a process of its own: seconds and its peak resident
   memory (``ru_maxrss``);
2. the same export again (nothing written): seconds;
3. ``Archive.verify()`` of the store: seconds.

With ``--convert-export``, the export is instead the zip ``benchmarks/export.py`` constructs
(also constructed: real entries of ``fixtures/export/modern-*`` with new ids, threads of five,
long posts, 1 % deleted, ``tweets.js`` in parts of 100 MB), the one ``convert`` is measured on.

Run from the repository root::

    python benchmarks/export_archive.py --tweets 20000
    python benchmarks/export_archive.py --tweets 200000 --convert-export --no-verify
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from threadkeep.archive import Archive

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "fixtures" / "export" / "modern-alrocar-2024" / "data" / "manifest.js"
BASE = 1700000000000000000


def construct(folder: Path, tweets: int) -> None:
    """A constructed export of ``tweets`` tweets (see the module docstring)."""
    data = folder / "data"
    data.mkdir(parents=True)
    shutil.copy(MANIFEST, data / "manifest.js")
    with (data / "tweets.js").open("w", encoding="utf-8") as out:
        out.write("window.YTD.tweets.part0 = [\n")
        for i in range(tweets):
            out.write((",\n" if i else "") + json.dumps(_entry(i), indent=2))
        out.write("\n]")


def _entry(i: int) -> dict[str, object]:
    """The ``i``-th tweet's entry (written one at a time: 200,000 at once took gigabytes)."""
    tweet: dict[str, object] = {
        "id_str": str(BASE + i),
        "id": str(BASE + i),
        "full_text": f"tweet number {i}, constructed for the benchmark " * 3,
        "created_at": "Sat Nov 09 12:14:18 +0000 2024",
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "favorite_count": "0",
        "retweet_count": "0",
        "lang": "en",
        "display_text_range": ["0", "140"],
    }
    if i % 5:
        parent = str(BASE + i - 1)
        tweet.update(
            in_reply_to_status_id_str=parent,
            in_reply_to_status_id=parent,
            in_reply_to_user_id_str="52338276",
            in_reply_to_user_id="52338276",
            in_reply_to_screen_name="alrocar",
        )
    return {"tweet": tweet}


FIRST = """
import resource, sys, time
from threadkeep.archive import Archive
start = time.perf_counter()
done = Archive(sys.argv[1]).export(sys.argv[2])
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.1f} {peak:.0f} {len(done.threads)}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tweets", type=int, default=20000)
    parser.add_argument("--no-verify", action="store_true", help="skip step 3 (minutes)")
    parser.add_argument(
        "--convert-export",
        action="store_true",
        help="archive the zip benchmarks/export.py constructs (real entries, parts of 100 MB)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "export"
        if args.convert_export:
            from export import build  # benchmarks/export.py, beside this file

            export = export.with_suffix(".zip")
            build(export, args.tweets, 100)
        else:
            construct(export, args.tweets)
        store = Path(scratch) / "store"
        child = [sys.executable, "-c", FIRST, str(store), str(export)]
        said = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        first, peak, threads = said.split()
        archive = Archive(store)
        start = time.perf_counter()
        again = archive.export(export)
        second = time.perf_counter() - start
        if not args.no_verify:
            start = time.perf_counter()
            report = archive.verify()
            checked = time.perf_counter() - start
    print(f"constructed export: {args.tweets} tweets, {threads} threads")
    print(f"archive.export: {first} s, peak RSS {peak} MB (a process of its own)")
    print(f"the same export again: {second:.1f} s (written: {again.written})")
    if not args.no_verify:
        print(f"verify: {checked:.1f} s (ok: {report.ok})")


if __name__ == "__main__":
    main()
