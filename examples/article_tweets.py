"""Every tweet embedded in a set of articles, merged into one archive.

    python examples/article_tweets.py fixtures/articles/*.html
    python examples/article_tweets.py https://example.org/post.html --store ./archive

Each ARTICLE is a saved page or a url (fetched politely). Every page is added to the archive
(``./threadkeep-archive`` unless ``--store``), where a tweet embedded in several articles, or
also archived from its thread, is one record with a sighting per copy. The tweets of these
articles are then printed, one a line, each with the documents that showed it. With
``--jsonl FILE`` the merged records are also written as JSON lines (each tweet's latest
content, every version of its text, every sighting).

A source that is not an article (a thread page, say) is archived but not listed. Exit status
0 when every source was read, 1 when some could not be fetched or parsed (each
named on stderr; the others are still archived and listed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import threadkeep
from threadkeep.archive import TweetRecord


def add(archive: threadkeep.Archive, client: threadkeep.Client, source: str) -> str | None:
    """Archive one page; return its document key if it is an article, else None."""
    if source.startswith(("http://", "https://")):
        page = client.fetch(source)
        result = archive.add_capture(page)
    else:
        result = archive.add(Path(source).read_bytes())
    if result.kind != "article":
        print(f"article_tweets: {source} is a {result.kind}, not an article: archived, not listed")
        return None
    return result.document


def tweets_of(archive: threadkeep.Archive, documents: list[str]) -> list[TweetRecord]:
    """The merged records of every tweet these documents showed, first appearance first."""
    keys: dict[str, None] = {}
    for key in documents:
        document = archive.document(key)
        if document is not None:
            keys.update(dict.fromkeys(document.tweets))
    records = [archive.tweet(key) for key in keys]
    return [record for record in records if record is not None]


def line(record: TweetRecord) -> str:
    handle = f"@{record.author.handle}" if record.author and record.author.handle else "@?"
    text = " ".join((record.latest.text or "").split())
    text = text if len(text) <= 60 else text[:59] + "…"
    kinds = ", ".join(sorted(key.split("-", 1)[0] for key in record.documents))
    return f"{record.id or record.key} {handle} [{kinds}] {text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="+", help="saved pages or urls")
    parser.add_argument("--store", default="threadkeep-archive", help="the archive folder")
    parser.add_argument("--jsonl", type=Path, help="also write the merged tweets here")
    parser.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--contact", help="an email or url for the User-Agent")
    args = parser.parse_args(argv)
    archive = threadkeep.Archive(args.store)
    documents: list[str] = []
    failed = 0
    with threadkeep.Client(min_interval=args.min_interval, contact=args.contact) as client:
        for source in args.articles:
            try:
                key = add(archive, client, source)
            except (threadkeep.ThreadkeepError, OSError) as exc:
                failed += 1
                reason = exc.reason if isinstance(exc, threadkeep.ParseError) else exc
                print(f"article_tweets: {source}: {reason}", file=sys.stderr)
                continue
            if key is not None:
                documents.append(key)
    records = tweets_of(archive, documents)
    for record in records:
        print(line(record))
    shared = sum(len(record.documents) > 1 for record in records)
    print(
        f"{len(documents)} articles of {len(args.articles)} sources, {len(records)} tweets, "
        f"{shared} shown in more than one document"
    )
    if args.jsonl is not None:
        with args.jsonl.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(record.model_dump_json() + "\n")
        print(f"wrote {len(records)} tweets to {args.jsonl}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
