"""Every embedded tweet in a crawl: web-archive files in, one JSON line per tweet out, on Dask.

    python examples/crawl_embedded_tweets.py fixtures/warc/*.warc.gz tweets.jsonl
    python examples/crawl_embedded_tweets.py crawl/ tweets.jsonl --workers 2
    python examples/crawl_embedded_tweets.py crawl/ tweets.jsonl --scheduler tcp://host:8786

Each CRAWL is a ``.warc``, ``.warc.gz`` or ``.wacz`` file, or a folder of them. Every page
record is converted as ``threadkeep convert --engine dask`` converts it (on a local cluster, or
on the cluster whose scheduler is given: the output's folder must then be one every worker
sees). Each tweet of each page (an article's embeds, a thread's tweets, a listing's) is then
one line of OUTPUT::

    {"tweet": {...}, "page": "https://…", "captured_at": "2024-05-01T10:00:00Z",
     "origin": {"file": "crawl.warc.gz", "offset": 1234, "record_id": "<urn:uuid:…>"}}

Pages with no tweets are counted, not listed. Exit status 0 when every record was read, 1 when
some could not be (each named on stderr; the others are still listed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from threadkeep import batch


def tweets_of(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The tweets of one converted page, in page order, quoted tweets left inside theirs."""
    if result["kind"] == "tweet":
        yield result
    yield from result.get("tweets") or ()
    for thread in result.get("threads") or ():  # a listing
        yield from tweets_of(thread)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crawl", nargs="+", help="WARC or WACZ files, or folders of them")
    parser.add_argument("output", type=Path, help="the JSON Lines file to write")
    parser.add_argument("--scheduler", help="a Dask scheduler's address (default: a local one)")
    parser.add_argument("--workers", type=int, help="local worker processes (default: a core)")
    args = parser.parse_args(argv)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    items = batch.input_list(args.crawl, skip=[args.output])  # a few bytes a record
    report = batch.Report(len(items))
    # The pages, one JSON line each, in a folder beside the output (seen by the workers).
    with tempfile.TemporaryDirectory(dir=args.output.parent) as folder:
        pages = Path(folder) / "pages.jsonl"
        run = batch.plan(items, fmt="jsonl", output=str(pages))
        for outcome in batch.convert_dask(
            run, report=report, stdout=sys.stdout, scheduler=args.scheduler, workers=args.workers
        ):
            if outcome.error:
                print(f"crawl_embedded_tweets: {outcome.error}", file=sys.stderr)
        count = 0
        with args.output.open("w", encoding="utf-8") as out:
            for line in pages.open(encoding="utf-8") if pages.exists() else ():
                result = json.loads(line)
                source = result.get("source") or {}
                for tweet in tweets_of(result):
                    found = {"tweet": tweet, "page": source.get("url") or result.get("url"),
                             "captured_at": source.get("captured_at"),
                             "origin": source.get("origin")}  # fmt: skip
                    out.write(json.dumps(found, ensure_ascii=False) + "\n")
                    count += 1
    pages_read = report.succeeded - report.empty
    print(f"crawl_embedded_tweets: {count} tweet{'s' * (count != 1)} from {pages_read} "
          f"page{'s' * (pages_read != 1)} ({report.empty} without tweets, "
          f"{len(report.failures)} failed) → {args.output}")  # fmt: skip
    return 1 if report.failures else 0


if __name__ == "__main__":  # Dask's local workers are spawned processes: this guard is needed
    sys.exit(main())
