"""Pure merge rules: how a newly parsed copy updates the records. No storage here.

The rules, in the words of the promise that nothing once captured is lost:

* every tweet a copy shows becomes (or updates) a record keyed by its id, or by a content
  hash when the copy carries no id; each copy that showed it is kept as a sighting;
* a text never seen before for that tweet becomes a new version; older versions stay;
* a tweet that an earlier capture of a **thread** showed and a later capture of the same
  thread does not show is marked removed, with when it was first missed; its last content
  stays. When a capture shows fewer tweets than its page declares and the missing ones are
  all at its end, that is a cut-off download, and they are not marked removed;
* listing previews, articles and text copies never mark tweets removed (they never claimed to
  show all), and never bring a removed tweet back: an article keeps its embed after the tweet
  is gone upstream. Only a thread page or a live answer (oEmbed, syndication) shows presence.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from threadkeep.archive.records import DocumentKind, SightingRecord, TweetRecord, Version
from threadkeep.models import Article, Listing, Sighting, Thread, Tweet, fill_missing
from threadkeep.urls import checked_id

__all__ = [
    "Member",
    "content_hash",
    "document_key",
    "members",
    "merge_tweet",
    "missing",
    "order_tweets",
    "shows_presence",
    "tweet_key",
]

Result = Thread | Listing | Article | Tweet


def _digest(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def tweet_key(tweet: Tweet) -> str:
    """A record key: the tweet id, or ``h<hash>`` of author and text for a copy with no id."""
    tweet_id = checked_id(tweet.id)
    if tweet_id:
        return tweet_id
    handle = tweet.author.handle.lower() if tweet.author and tweet.author.handle else None
    return "h" + _digest(handle, " ".join((tweet.text or "").split()))[:32]


def document_key(result: Result) -> tuple[str, DocumentKind]:
    """The key of the document a result is a capture of, and its kind."""
    if isinstance(result, Thread):
        thread_id = checked_id(result.id)
        key = f"thread-{thread_id}" if thread_id else "thread-u" + _digest(result.url)[:24]
        if not thread_id and not result.url:  # a text copy with no url: its first tweet
            first = result.tweets[0] if result.tweets else None
            key = "thread-h" + _digest(first.text if first else None)[:24]
        return key, "thread"
    if isinstance(result, Listing):
        return "listing-" + _digest(result.url, result.title if not result.url else None)[
            :24
        ], "listing"
    if isinstance(result, Article):
        basis = result.url or result.title or json.dumps([t.id or t.text for t in result.tweets])
        return "article-" + _digest(basis)[:24], "article"
    return f"tweet-{tweet_key(result)}", "tweet"


def content_hash(result: Result) -> str:
    """Hash of what a copy says, without where and when it was captured."""
    document = result.model_dump(mode="json", exclude={"source"})
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Member:
    """A tweet of a document (``position`` set) or one it refers to (quoted, replied to)."""

    __slots__ = ("key", "position", "tweet")

    def __init__(self, tweet: Tweet, position: int | None) -> None:
        self.tweet = tweet
        self.position = position
        self.key = tweet_key(tweet)


def members(result: Result) -> tuple[list[Member], list[Member]]:
    """The document's own tweets in order, and the tweets they quote or answer."""
    if isinstance(result, Listing):
        own = [t for preview in result.threads for t in preview.tweets]
    elif isinstance(result, (Thread, Article)):
        own = list(result.tweets)
    else:
        own = [result]
    listed = [Member(t, t.position if t.position is not None else i) for i, t in enumerate(own, 1)]
    referred = [
        Member(other, None)
        for t in own
        for other in (t.quoted, t.in_reply_to)
        if other is not None and (other.id or other.text)
    ]
    return listed, referred


def shows_presence(result: Result, sighting: Sighting) -> bool:
    """Whether this copy proves its tweets still exist upstream (see the module docstring)."""
    if isinstance(result, Thread):
        return sighting.kind == "threadreader"
    if isinstance(result, Tweet):
        return sighting.kind in ("oembed", "syndication") and result.unavailable is None
    return False


def missing(
    previous: list[str], current: set[str], result: Result, sighting: Sighting
) -> list[str]:
    """Tweets an earlier capture of this thread showed that this one does not: removed.

    Only a whole thread page (or its text copy) can say a tweet is gone. When the page shows
    fewer tweets than it declares, the tweets missing after its last captured one are taken
    for a cut-off download, not for removals; a gap with captured tweets after it is not.
    """
    if not isinstance(result, Thread) or sighting.kind not in ("threadreader", "text"):
        return []
    gone = [key for key in previous if key not in current]
    if result.complete is False:
        last = max((i for i, key in enumerate(previous) if key in current), default=-1)
        gone = [key for key in gone if previous.index(key) < last]
    return gone


def _clean(tweet: Tweet) -> Tweet:
    return tweet.model_copy(update={"position": None, "source": None})


def merge_tweet(
    record: TweetRecord | None,
    member: Member,
    *,
    document: str,
    sighting: Sighting,
    at: datetime,
    present: bool,
) -> tuple[TweetRecord, str]:
    """Apply one copy of a tweet to its record; says "new", "changed", "reappeared" or "same"."""
    tweet = _clean(member.tweet)
    seen = SightingRecord(
        kind=sighting.kind,
        url=sighting.url,
        sha256=sighting.sha256,
        document=document,
        first_seen=at,
        last_seen=at,
    )
    if record is None:
        record = TweetRecord(
            key=member.key,
            id=checked_id(tweet.id),
            author=tweet.author,
            latest=tweet,
            versions=[Version(text=tweet.text, first_seen=at, last_seen=at)],
            sightings=[seen],
            first_seen=at,
            last_seen=at,
            documents={document: member.position},
        )
        if tweet.unavailable is not None:
            record.removed, record.removed_at = True, at
        return record, "new"
    status = "same"
    _add_sighting(record, seen)
    if tweet.text is not None:
        status = _add_version(record, tweet.text, at)
    record.latest = fill_missing(tweet, record.latest)  # newest first, older fill gaps
    record.author = record.latest.author
    record.id = record.id or checked_id(tweet.id)
    record.first_seen = min(record.first_seen, at)
    record.last_seen = max(record.last_seen, at)
    if member.position is not None or document not in record.documents:
        record.documents[document] = member.position
    if tweet.unavailable is not None and not record.removed:
        record.removed, record.removed_at = True, at
    elif present and record.removed:
        record.removed, record.removed_at = False, None
        status = "reappeared"
    return record, status


def _add_sighting(record: TweetRecord, seen: SightingRecord) -> None:
    for known in record.sightings:
        if (known.kind, known.url, known.sha256, known.document) == (
            seen.kind,
            seen.url,
            seen.sha256,
            seen.document,
        ):
            known.first_seen = min(known.first_seen, seen.first_seen)
            known.last_seen = max(known.last_seen, seen.last_seen)
            known.times += 1
            return
    record.sightings.append(seen)


def _add_version(record: TweetRecord, text: str, at: datetime) -> str:
    """Record a text; a text never seen before is a new version (older ones stay)."""
    current = next((v.text for v in reversed(record.versions) if v.text is not None), None)
    for version in record.versions:
        if version.text == text:
            version.first_seen = min(version.first_seen, at)
            version.last_seen = max(version.last_seen, at)
            return "same"
    if record.versions and record.versions[-1].text is None and len(record.versions) == 1:
        record.versions[-1] = Version(text=text, first_seen=at, last_seen=at)  # first real text
        return "same"
    record.versions.append(Version(text=text, first_seen=at, last_seen=at))
    return "changed" if current is not None else "same"


def order_tweets(previous: list[str], current: list[Member]) -> list[str]:
    """Every tweet the document ever showed: today's in order, missing ones where they were.

    A tweet no longer shown goes right after the tweet that preceded it before, so a removed
    tweet stays between its old neighbours even though the page has renumbered the rest.
    """
    order = [m.key for m in sorted(current, key=lambda m: m.position or 0)]
    placed = set(order)
    leading = 0
    for index, key in enumerate(previous):
        if key in placed:
            continue
        before = next(
            (previous[j] for j in range(index - 1, -1, -1) if previous[j] in placed), None
        )
        if before is None:
            order.insert(leading, key)
            leading += 1
        else:
            order.insert(order.index(before) + 1, key)
        placed.add(key)
    return order
