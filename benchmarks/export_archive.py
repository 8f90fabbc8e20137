"""Benchmark: ``Archive.export`` of a large account export, its time and peak memory.

The export is **constructed** (no real export this large is public): the real alrocar
manifest (``fixtures/export/modern-alrocar-2024/data/manifest.js``) and a ``data/tweets.js``
of ``--tweets`` tweets in the real 2024 entry shape, one in five a thread root and the four
after it its self-replies (so ``--tweets`` / 5 threads of five tweets). Measured in this
process, garbage collector on:

1. the first ``Archive.export`` (parse, media none, the bundle, every record and document
   written and synced, the log line): seconds and peak resident memory (``ru_maxrss``);
2. the same export again (nothing written): seconds;
3. ``Archive.verify()`` of the store: seconds.

Run from the repository root::

    python benchmarks/export_archive.py --tweets 20000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
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
    entries = []
    for i in range(tweets):
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
        entries.append({"tweet": tweet})
    text = "window.YTD.tweets.part0 = " + json.dumps(entries, indent=2)
    (data / "tweets.js").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tweets", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "export"
        construct(export, args.tweets)
        archive = Archive(Path(scratch) / "store")
        start = time.perf_counter()
        done = archive.export(export)
        first = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        again = archive.export(export)
        second = time.perf_counter() - start
        start = time.perf_counter()
        report = archive.verify()
        checked = time.perf_counter() - start
    print(f"constructed export: {args.tweets} tweets, {len(done.threads)} threads")
    print(f"archive.export: {first:.1f} s, peak RSS {peak:.0f} MB")
    print(f"the same export again: {second:.1f} s (written: {again.written})")
    print(f"verify: {checked:.1f} s (ok: {report.ok})")


if __name__ == "__main__":
    main()
