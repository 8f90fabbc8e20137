"""Fidelity: how many real copies that nobody tuned for does threadkeep parse *exactly*?

Issue 13's unseen check, kept so that anyone can measure it again. ``fixtures/unseen/`` holds,
for each real copy of the check, a hand-written ``<case>.expected.json``: what a careful reader
takes from the copy, written by reading it *before any parser ran on it*. The copy itself is a
golden fixture elsewhere in ``fixtures/`` (named by the ``"copy"`` key). The first sample
(``fixtures/unseen/sample/``) was measured before the rules of issue 13 and then used to build
them; the holdout (``fixtures/unseen/holdout/``) was collected afterwards by people who had not
seen the rules, and measured once on the finished code (the figures are in ``docs/pages.md``).

The expected format::

    {
      "copy": "fixtures/text_articles/<case>.txt",
      "source": {...provenance...},
      "expect": "article" | "thread" | "listing" | "error",
      "tweets":   [{"id": "123" | null, "handle": "x", "date": "2019-04-23", "text": "..."}],
      "previews": [{"count": 12, "first_words": "...", "handle": "x"}],
      "url": "https://..."   (optional: passed to parse() as the copy's url)
    }

Exact (issue 13): the kind, the number of tweets and their order match; for each tweet the id
(where expected gives one), handle, date (the created_at day, UTC) and text (whitespace
collapsed, entities decoded, NFC) match. A key left out of an expected tweet is not checked; a
key given as null must be null. For a listing: the number of previews, each one's declared
count and that its first tweet's text starts with first_words. "error" passes when parse()
raises a ThreadkeepError.

Issue 16 adds account exports (``fixtures/unseen/export/``): the copy is the export's folder,
``expect`` is ``"export"``, and besides the tweets' id, handle, date and text the expected
file may give ``account`` (id, handle, name), ``layout``, ``generated_at``, ``threads`` (each
the list of its tweet ids, in order) and, per tweet, ``in_reply_to`` (an id or null),
``retweet_of`` (the handle retweeted, or null), ``retweet_of_id``, ``retweet_of_created_at``,
``media`` (their urls), ``media_count``, ``hashtags``, ``deleted`` and ``edit_ids``.

Issue 17 adds twitter.com status pages (``fixtures/unseen/status/``): two real mobile pages
held back while the status-page parser was built; they parse to an ``"article"`` and are
checked like the others (``FIRST_RUN.txt`` there is the first run).

Run from the repository root::

    python benchmarks/fidelity.py                 # every expected file under fixtures/unseen
    python benchmarks/fidelity.py -v fixtures/unseen/holdout
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import threadkeep
from threadkeep.errors import ThreadkeepError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "unseen"


def norm(text: str | None) -> str | None:
    if text is None:
        return None
    text = unicodedata.normalize("NFC", html.unescape(text))
    return re.sub(r"\s+", " ", text).strip()


def tweets_of(result: object) -> list[object]:
    return list(getattr(result, "tweets", ()))


def check_tweet(n: int, want: dict[str, object], got: object) -> list[str]:
    problems = []
    author = getattr(got, "author", None)
    created = getattr(got, "created_at", None)
    have = {
        "id": getattr(got, "id", None),
        "handle": (author.handle if author and author.handle else None),
        "date": created.date().isoformat() if created else None,
        "text": norm(getattr(got, "text", None)),
    }
    for key, value in want.items():
        if key not in have:
            continue
        expected = norm(value) if key == "text" and isinstance(value, str) else value
        actual = have[key]
        if key == "handle" and isinstance(expected, str) and isinstance(actual, str):
            expected, actual = expected.lower(), actual.lower()
        if expected != actual:
            problems.append(f"tweet {n}: {key} {actual!r} != expected {expected!r}")
    return problems


def _export_facts(tweet: Any) -> dict[str, object]:
    retweet = tweet.retweet_of
    return {
        "in_reply_to": tweet.in_reply_to.id if tweet.in_reply_to else None,
        "retweet_of": retweet.author.handle if retweet and retweet.author else None,
        "retweet_of_id": retweet.id if retweet else None,
        "retweet_of_created_at": retweet.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if retweet and retweet.created_at
        else None,
        "media": [m.url for m in tweet.media],
        "media_count": len(tweet.media),
        "hashtags": list(tweet.hashtags),
        "deleted": tweet.deleted,
        "edit_ids": list(tweet.edit_ids),
    }


def check_export(result: Any, expected: dict[str, Any]) -> list[str]:
    """The export's own facts, and each tweet's beyond check_tweet's four (see above)."""
    problems = []
    account = result.account
    for key, value in (expected.get("account") or {}).items():
        if getattr(account, key, None) != value:
            problems.append(f"account {key} {getattr(account, key, None)!r} != {value!r}")
    if "layout" in expected and result.layout != expected["layout"]:
        problems.append(f"layout {result.layout!r} != {expected['layout']!r}")
    if "generated_at" in expected:
        made = result.generated_at.isoformat() if result.generated_at else None
        want = expected["generated_at"].replace("Z", "+00:00")
        if made is None or datetime.fromisoformat(want) != result.generated_at:
            problems.append(f"generated_at {made!r} != {expected['generated_at']!r}")
    if "threads" in expected:
        threads = [[t.id for t in thread.tweets] for thread in result.threads]
        if threads != expected["threads"]:
            problems.append(f"threads {threads} != {expected['threads']}")
    pairs = zip(expected.get("tweets", []), result.tweets, strict=False)
    for n, (want, got) in enumerate(pairs, 1):
        facts = _export_facts(got)
        for key, value in want.items():
            if key in facts and facts[key] != value:
                problems.append(f"tweet {n}: {key} {facts[key]!r} != expected {value!r}")
    return problems


def check(case: Path, expected: dict[str, object]) -> list[str]:
    url = expected.get("url")
    try:
        data: bytes | Path = case if case.is_dir() else case.read_bytes()  # an export's folder
        result = threadkeep.parse(data, url=url if isinstance(url, str) else None)
    except ThreadkeepError as error:
        if expected["expect"] == "error":
            return []
        return [f"error {type(error).__name__}: {error}"]
    except Exception as error:  # a crash is a miss: reported, not raised
        return [f"CRASH {type(error).__name__}: {error}"]
    kind = getattr(result, "kind", None)
    if kind != expected["expect"]:
        return [f"kind {kind} != expected {expected['expect']}"]
    if kind == "listing":
        return check_listing(result, expected)
    want = expected.get("tweets", [])
    assert isinstance(want, list)
    got = tweets_of(result)
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} tweets != expected {len(want)}")
    for n, (w, g) in enumerate(zip(want, got, strict=False), 1):
        problems += check_tweet(n, w, g)
    if kind == "export":
        problems += check_export(result, expected)
    return problems


def check_listing(result: object, expected: dict[str, object]) -> list[str]:
    want = expected.get("previews", [])
    assert isinstance(want, list)
    got = list(getattr(result, "threads", ()))
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} previews != expected {len(want)}")
    for n, (w, g) in enumerate(zip(want, got, strict=False), 1):
        if "count" in w and g.declared_count != w["count"]:
            problems.append(f"preview {n}: count {g.declared_count} != {w['count']}")
        if "handle" in w:
            handle = g.author.handle if g.author else None
            if (handle or "").lower() != (w["handle"] or "").lower():
                problems.append(f"preview {n}: handle {handle!r} != {w['handle']!r}")
        if "first_words" in w:
            first = norm(g.tweets[0].text) if g.tweets else ""
            if not (first or "").startswith(norm(w["first_words"]) or ""):
                problems.append(f"preview {n}: starts {first[:60]!r} not {w['first_words']!r}")
    return problems


def cases(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [SAMPLE]
    found = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for exp in sorted(root.rglob("*.expected.json")):
            copy = json.loads(exp.read_text("utf-8")).get("copy")
            if not isinstance(copy, str) or not (ROOT / copy).exists():
                print(f"?? {exp}: its copy {copy!r} is missing", file=sys.stderr)
                continue
            found.append(exp)
    return found


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    by_class: dict[str, list[bool]] = {}
    for exp in cases(args):
        expected = json.loads(exp.read_text("utf-8"))
        case = ROOT / expected["copy"]
        problems = check(case, expected)
        group = "/".join(exp.parent.parts[-2:])
        by_class.setdefault(group, []).append(not problems)
        if problems:
            print(f"MISS {group}/{case.name}")
            for p in problems[: (20 if verbose else 3)]:
                print(f"     {p}")
        elif verbose:
            print(f"ok   {group}/{case.name}")
    total = [ok for oks in by_class.values() for ok in oks]
    for name, oks in sorted(by_class.items()):
        print(f"{name:26} {sum(oks):3}/{len(oks):<3} exact")
    if total:
        rate = 100 * sum(total) / len(total)
        print(f"{'all':26} {sum(total):3}/{len(total):<3} exact ({rate:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
