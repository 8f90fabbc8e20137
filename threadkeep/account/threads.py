"""Threads of an account export: every chain of the account's own tweets replying to each other.

A tweet continues a thread when it replies to one of the account's own tweets (its
``in_reply_to`` names the account, by id or handle). A chain of two or more such tweets is a
:class:`~threadkeep.Thread`, in order, positions 1…n. A link missing from the export (a parent
the account deleted and the export does not hold) is a gap: the chain starts at that parent
(position 1, missing) and ``complete`` is False. When the account answered one of its tweets
twice, the chain follows the earliest answer; each later answer starts a chain of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from threadkeep.models import Author, Sighting, Thread, Tweet
from threadkeep.urls import status_url

__all__ = ["threads_of"]


def _own_parent(tweet: Tweet, account: Author | None) -> str | None:
    """The id of the account's own tweet ``tweet`` answers, or None."""
    parent = tweet.in_reply_to
    if parent is None or parent.id is None or account is None or parent.author is None:
        return None
    by_id = account.id is not None and parent.author.id == account.id
    by_handle = (
        account.handle is not None
        and parent.author.handle is not None
        and parent.author.handle.lower() == account.handle.lower()
    )
    return parent.id if by_id or by_handle else None


def _order(tweet: Tweet) -> tuple[int, str]:
    return (len(tweet.id or ""), tweet.id or "")  # ids are numbers: longer is later


def threads_of(
    tweets: Sequence[Tweet], account: Author | None, *, source: Sighting | None = None
) -> list[Thread]:
    """Every self-reply chain of two or more tweets in ``tweets``, newest first.

    Examples:
        >>> from threadkeep.models import Author, Tweet
        >>> me = Author(handle="me", id="1")
        >>> reply = lambda i, p: Tweet(id=i, author=me, in_reply_to=Tweet(id=p, author=me))
        >>> [t.id for t in threads_of([reply("12", "11"), Tweet(id="11")], me)[0].tweets]
        ['11', '12']
        >>> gap = threads_of([reply("13", "12"), reply("12", "10")], me)[0]
        >>> gap.id, [t.position for t in gap.tweets], gap.complete, gap.gaps
        ('10', [2, 3], False, (1,))
    """
    by_id: dict[str, Tweet] = {tweet.id: tweet for tweet in tweets if tweet.id}
    children: dict[str, list[Tweet]] = {}
    for tweet in tweets:
        parent = _own_parent(tweet, account)
        if parent is not None and parent != tweet.id:
            children.setdefault(parent, []).append(tweet)
    for answers in children.values():
        answers.sort(key=_order)
    followed = {answers[0].id for answers in children.values()}
    # A chain starts at a tweet no chain continues into: a root, a later answer, or a
    # missing parent (which stands at position 1, as a gap).
    starts = [
        tweet_id for tweet_id in children if tweet_id not in followed or tweet_id not in by_id
    ]
    starts += [
        answer.id
        for answers in children.values()
        for answer in answers[1:]
        if answer.id and answer.id in children
    ]
    threads = []
    seen: set[str] = set()
    for start in sorted(set(starts), key=lambda i: (len(i), i), reverse=True):
        chain: list[str] = [start]
        seen.add(start)
        while (answers := children.get(chain[-1], [])) and answers[0].id not in seen:
            next_id = answers[0].id
            if next_id is None:
                break
            chain.append(next_id)
            seen.add(next_id)
        if len(chain) < 2:
            continue
        threads.append(_thread(chain, by_id, account, source))
    return threads


def _placed(tweet: Tweet, position: int) -> Tweet:
    """``tweet`` at ``position`` in its thread: its fields shared, not copied (model_copy's
    copying took a second for 20,000 thread tweets)."""
    placed = tweet.model_copy()  # shallow: the same field values, a dict of its own
    placed.__dict__["position"] = position
    placed.__pydantic_fields_set__.add("position")
    return placed


def _thread(
    chain: list[str],
    by_id: dict[str, Tweet],
    account: Author | None,
    source: Sighting | None,
) -> Thread:
    present = [
        _placed(by_id[tweet_id], position)
        for position, tweet_id in enumerate(chain, 1)
        if tweet_id in by_id
    ]
    gaps = tuple(position for position, tweet_id in enumerate(chain, 1) if tweet_id not in by_id)
    root = chain[0]
    handle = account.handle if account else None
    return Thread(
        id=root,
        url=status_url(handle, root),
        author=account,
        created_at=by_id[root].created_at if root in by_id else present[0].created_at,
        tweets=tuple(present),
        complete=not gaps,
        gaps=gaps,
        source=source,
    )
