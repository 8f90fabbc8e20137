"""Pure merge rules: how a newly parsed copy updates the records. No storage here.

The rules, in the words of the promise that nothing once captured is lost:

* every tweet a copy shows becomes (or updates) a record keyed by its id, or by a content
  hash when the copy carries no id; the record changes only when what it holds does (each
  copy that showed it is a sighting, known from the capture log and the snapshot index);
* a text never seen before for that tweet becomes a new version; older versions stay;
* a tweet that an earlier capture of a **thread** showed and a later capture of the same
  thread does not show is marked removed, with when it was first missed; its last content
  stays. When a capture shows fewer tweets than its page declares and the missing ones are
  all at its end, that is a cut-off download, and they are not marked removed;
* listing previews, articles and text copies never mark tweets removed (they never claimed to
  show all), and never bring a removed tweet back: an article keeps its embed after the tweet
  is gone upstream. Only a thread page or a live answer (oEmbed, syndication) shows presence;
* an account export (and each thread unrolled from it) is the account's whole own record: a
  tweet an earlier export showed and a later one does not is removed, one it shows is there,
  except a tweet it marks deleted (``deleted``), which it keeps with its content: removed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from threadkeep.archive.records import CaptureRef, DocumentKind, StoredTweet
from threadkeep.models import Article, Export, Listing, Sighting, Thread, Tweet, fill_missing
from threadkeep.urls import checked_id

__all__ = [
    "Member",
    "Merged",
    "content_hash",
    "document_key",
    "mark_removed",
    "members",
    "merge_tweet",
    "missing",
    "order_tweets",
    "shows_presence",
    "text_hash",
    "tweet_key",
]

Result = Thread | Listing | Article | Tweet | Export


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
    if isinstance(result, Export):
        account = result.account
        account_id = checked_id(account.id) if account else None
        if account_id:
            return f"export-{account_id}", "export"
        handle = account.handle.lower() if account and account.handle else None
        return "export-h" + _digest(handle)[:24], "export"
    return f"tweet-{tweet_key(result)}", "tweet"


def text_hash(text: str) -> str:
    """A short hash of a tweet's text: how a snapshot names the version it shows.

    Not the version's index: that depends on which captures the record has seen, and a
    capture cut short may have added a version the log does not have.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# Fields added in schema version 2 (issue 16): left out of the hash while they hold nothing, so
# a copy hashes as it did before them and the snapshots of older stores still verify.
_ADDED_ANYWHERE = frozenset({"retweet_of", "deleted", "deleted_at", "file"})


def _without_added(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_added(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _without_added(item)
        for key, item in value.items()
        if item is not None
        or not (key in _ADDED_ANYWHERE or (key == "id" and "avatar" in value))  # Author.id
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(result: Result) -> str:
    """Hash of what a copy says, without where and when it was captured: the sha256 of the
    canonical JSON of the result without its ``source``.

    An export's hash is of the same bytes, made a tweet (and a thread) at a time: the dump of a
    200,000-tweet export as one JSON tree and one string took gigabytes.
    """
    if isinstance(result, Export):
        return _export_hash(result)
    document = _without_added(result.model_dump(mode="json", exclude={"source"}))
    return hashlib.sha256(_canonical(document).encode("utf-8")).hexdigest()


_ITEMS = ("threads", "tweets")  # an export's long fields, hashed item by item


def _export_hash(result: Export) -> str:
    """:func:`content_hash` of an export: the canonical JSON of its fields in key order, its
    lists of tweets and threads written item by item (each item's JSON is the same in the
    whole and on its own)."""
    head = _without_added(result.model_dump(mode="json", exclude={"source", *_ITEMS}))
    digest = hashlib.sha256()
    digest.update(b"{")
    for number, key in enumerate(sorted([*head, *_ITEMS])):
        digest.update((("," if number else "") + _canonical(key) + ":").encode("utf-8"))
        if key not in _ITEMS:
            digest.update(_canonical(head[key]).encode("utf-8"))
            continue
        digest.update(b"[")
        for index, item in enumerate(getattr(result, key)):
            dumped = _canonical(_without_added(item.model_dump(mode="json")))
            digest.update((("," if index else "") + dumped).encode("utf-8"))
        digest.update(b"]")
    digest.update(b"}")
    return digest.hexdigest()


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
    elif isinstance(result, (Thread, Article, Export)):
        own = list(result.tweets)
    else:
        own = [result]
    listed = [Member(t, t.position if t.position is not None else i) for i, t in enumerate(own, 1)]
    referred = [
        Member(other, None)
        for t in own
        for other in (t.quoted, t.in_reply_to, t.retweet_of)
        if other is not None and (other.id or other.text)
    ]
    return listed, referred


def shows_presence(result: Result, sighting: Sighting) -> bool:
    """Whether this copy proves its tweets still exist upstream (see the module docstring)."""
    if isinstance(result, Thread):
        return sighting.kind in ("threadreader", "export")
    if isinstance(result, Export):
        return True
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
    if isinstance(result, Export):  # the account's whole record: what it lacks is gone
        return [key for key in previous if key not in current]
    if not isinstance(result, Thread) or sighting.kind not in ("threadreader", "text", "export"):
        return []
    gone = [key for key in previous if key not in current]
    if result.complete is False:
        last = max((i for i, key in enumerate(previous) if key in current), default=-1)
        gone = [key for key in gone if previous.index(key) < last]
    return gone


def _clean(tweet: Tweet) -> Tweet:
    return tweet.model_copy(update={"position": None, "source": None})


class Merged:
    """What one copy did to a tweet's record: its status, and whether the record changed (the
    caller names the capture in its ``changes`` when it writes it)."""

    __slots__ = ("changed", "record", "status")

    def __init__(self, record: StoredTweet, status: str, changed: bool):
        self.record = record
        self.status = status
        self.changed = changed


def merge_tweet(
    record: StoredTweet | None,
    member: Member,
    *,
    document: str,
    capture: CaptureRef,
    present: bool,
) -> Merged:
    """Apply one copy of a tweet to its record; the status says "new", "changed",
    "reappeared" or "same". A record is changed only when what it holds changes (a new text,
    new content, a new document, removed or back): a copy that shows it as it was changes
    nothing, its sighting is the capture's log line."""
    tweet = _clean(member.tweet)
    if record is None:
        record = StoredTweet(
            key=member.key,
            id=checked_id(tweet.id),
            author=tweet.author,
            latest=tweet,
            versions=[tweet.text],
            documents={document: member.position},
        )
        if _gone(tweet):
            record.removed, record.removed_at = True, capture.time
        return Merged(record, "new", True)
    status, changed = "same", False
    if tweet.text is not None:
        status, changed = _add_version(record, tweet.text)
    latest = fill_missing(tweet, record.latest)  # newest first, older fill gaps
    if latest != record.latest:
        record.latest, record.author, changed = latest, latest.author, True
    if record.id is None and checked_id(tweet.id):
        record.id, changed = checked_id(tweet.id), True
    if (member.position is not None or document not in record.documents) and (
        record.documents.get(document, ...) != member.position
    ):
        record.documents[document], changed = member.position, True
    if _gone(tweet) and not record.removed:
        record.removed, record.removed_at, changed = True, capture.time, True
    elif present and not _gone(tweet) and record.removed:
        record.removed, record.removed_at, changed = False, None, True
        status = "reappeared"
    return Merged(record, status, changed)


def _gone(tweet: Tweet) -> bool:
    """The copy says the tweet is gone: a tombstone, or an export's deleted tweet (whose
    content it keeps). Its record is removed, since the capture that said so."""
    return tweet.unavailable is not None or tweet.deleted is True


def _add_version(record: StoredTweet, text: str) -> tuple[str, bool]:
    """Record a text; a text never seen before is a new version (older ones stay). The status,
    and whether the versions changed."""
    versions = record.versions
    current = next((v for v in reversed(versions) if v is not None), None)
    if text in versions:
        return "same", False
    if len(versions) == 1 and versions[0] is None:
        versions[0] = text  # its first real text
        return "same", True
    versions.append(text)
    return ("changed" if current is not None else "same"), True


def mark_removed(record: StoredTweet, capture: CaptureRef) -> None:
    """A thread capture no longer shows this tweet: removed, since this capture."""
    record.removed, record.removed_at = True, capture.time


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
