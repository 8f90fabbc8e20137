"""Benchmark: ``threadkeep convert`` of a large account export, as a user runs it.

The export is **constructed**: no real export of 200,000 tweets is public. Its tweets are the
real entries of the fixtures (``fixtures/export/modern-*``: photos, a GIF, a video, links,
retweets, replies, a long post), copied with new ids and times, written as real 2024 exports
write them (``window.YTD.tweets.partN = [``, pretty JSON with ``" : "``) into
``data/tweets.js``, ``data/tweets-part1.js``, … of about ``--part-mb`` MB each, listed in a
``data/manifest.js``; one tweet in five continues a self-reply thread, one in a hundred is a
long post with its ``note-tweet.js`` entry, and 1 % more are in ``deleted-tweets.js``. The
export is zipped (deflate), as X/Twitter delivers it.

Then ``threadkeep convert EXPORT.zip -o OUT.json`` runs in a child process with the garbage
collector on; the figures are its wall time and peak resident memory (``os.wait4``'s
``ru_maxrss``). Targets (issue 16): at most 60 s and 2 GB for 200,000 tweets.

Run from the repository root::

    python benchmarks/export.py                    # 200,000 tweets
    python benchmarks/export.py --tweets 20000     # a quick run
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "fixtures" / "export"
ACCOUNT_ID, HANDLE = "52338276", "alrocar"
_EPOCH_MS = 1288834974657


def _entries(path: Path) -> list[Any]:
    text = path.read_text("utf-8")
    value: list[Any] = json.loads(text[text.index("=") + 1 :])
    return value


def _snowflake(moment: datetime, sequence: int) -> str:
    millis = int(moment.timestamp() * 1000) - _EPOCH_MS
    return str((millis << 22) | (sequence & 0x3FFFFF))


def _templates() -> list[dict[str, Any]]:
    tweets = []
    for case in ("modern-alrocar-2024", "modern-alystyle_-2025"):
        tweets += [entry["tweet"] for entry in _entries(EXPORTS / case / "data" / "tweets.js")]
    return tweets


def _note(tweet: dict[str, Any], text: str) -> dict[str, Any]:
    stamp = datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"noteTweet": {"noteTweetId": str(int(tweet["id_str"]) - 1), "updatedAt": iso,
                          "createdAt": iso, "core": {"urls": [], "text": text, "mentions": [],
                                                     "cashtags": [], "hashtags": []}}}  # fmt: skip


def _moment(index: int, count: int) -> datetime:
    return datetime(2024, 11, 1, tzinfo=UTC) - timedelta(minutes=7 * (count - index))


def tweet(index: int, count: int, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """Tweet ``index`` (0 the oldest) of ``count``: made alone, so parts are built one by one."""
    made = copy.deepcopy(templates[index % len(templates)])
    moment = _moment(index, count)
    tweet_id = _snowflake(moment, index)
    for key in ("in_reply_to_status_id_str", "in_reply_to_status_id", "in_reply_to_user_id",
                "in_reply_to_user_id_str", "in_reply_to_screen_name"):  # fmt: skip
        made.pop(key, None)
    made.update(id_str=tweet_id, id=tweet_id,
                created_at=moment.strftime("%a %b %d %H:%M:%S +0000 %Y"))  # fmt: skip
    if index % 5:  # a thread: a root, then four replies to oneself
        parent = _snowflake(_moment(index - 1, count), index - 1)
        made.update(in_reply_to_status_id_str=parent, in_reply_to_status_id=parent,
                    in_reply_to_user_id=ACCOUNT_ID, in_reply_to_user_id_str=ACCOUNT_ID,
                    in_reply_to_screen_name=HANDLE)  # fmt: skip
    if index % 100 == 7:  # a long post, cut at 280 as exports cut it
        made["full_text"] = _long_text(index)[:270] + "…"
    return made


def _long_text(index: int) -> str:
    return f"A long post number {index}, " + "words that go on " * 30


def _data_file(name: str, entries: list[Any]) -> bytes:
    body = json.dumps(entries, indent=2, ensure_ascii=False, separators=(",", " : "))
    return f"window.YTD.{name} = {body}".encode()


def build(zip_path: Path, count: int, part_mb: int) -> dict[str, int]:
    """Write the constructed export to ``zip_path``, one part at a time; return the sizes of
    its data files."""
    templates = _templates()
    per_part = max(1, int(part_mb * 2**20 / 3000))  # real entries are about 3 KB
    sizes: dict[str, int] = {}
    listed = []
    notes = []
    deleted = []
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:

        def put(name: str, data: bytes) -> None:
            archive.writestr(f"twitter-2024-11-16/{name}", data)
            sizes[name] = len(data)

        newest_first = range(count - 1, -1, -1)
        for part, first in enumerate(range(0, count, per_part)):
            chunk = [tweet(i, count, templates) for i in newest_first[first : first + per_part]]
            name = "data/tweets.js" if part == 0 else f"data/tweets-part{part}.js"
            put(name, _data_file(f"tweets.part{part}", [{"tweet": t} for t in chunk]))
            listed.append({"fileName": name, "globalName": f"YTD.tweets.part{part}",
                           "count": str(len(chunk))})  # fmt: skip
            for made in chunk:
                index = int(made["id_str"]) & 0x3FFFFF
                if index % 100 == 7:
                    notes.append(_note(made, _long_text(index)))
                if index % 100 == 50:  # a deleted tweet beside it, one in a hundred
                    gone = dict(made, deleted_at="Sat Jan 11 15:27:00 +0000 2025")
                    gone["id_str"] = gone["id"] = str(int(made["id_str"]) + 1)
                    deleted.append({"tweet": gone})
            del chunk
        put("data/note-tweet.js", _data_file("note_tweet.part0", notes))
        put("data/deleted-tweets.js", _data_file("deleted_tweets.part0", deleted))
        manifest = {
            "userInfo": {"accountId": ACCOUNT_ID, "userName": HANDLE, "displayName": "alrocar"},
            "archiveInfo": {"generationDate": "2024-11-16T11:33:22.222Z"},
            "dataTypes": {
                "tweets": {"mediaDirectory": "data/tweets_media", "files": listed},
                "noteTweet": {"files": [{"fileName": "data/note-tweet.js"}]},
                "deletedTweets": {"files": [{"fileName": "data/deleted-tweets.js"}]},
            },
        }
        put("data/manifest.js", ("window.__THAR_CONFIG = " + json.dumps(manifest)).encode())
    return sizes


def convert(zip_path: Path, out: Path) -> tuple[float, float, int]:
    """Run ``threadkeep convert``: wall seconds, peak RSS in MB, exit status."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "threadkeep", "convert", str(zip_path),
                              "-o", str(out)], cwd=ROOT)  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--part-mb", type=int, default=100, help="size of each tweets part")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch:
        zip_path = Path(scratch) / "twitter-constructed.zip"
        began = time.perf_counter()
        sizes = build(zip_path, args.tweets, args.part_mb)
        print(f"constructed export: {args.tweets:,} tweets (+{args.tweets // 100:,} deleted) in "
              f"{len(sizes) - 3} tweets parts, {sum(sizes.values()) / 2**20:,.0f} MiB of data "
              f"files, zip {zip_path.stat().st_size / 2**20:,.0f} MiB "
              f"(built in {time.perf_counter() - began:.0f} s)")  # fmt: skip
        out = Path(scratch) / "out.json"
        seconds, peak, status = convert(zip_path, out)
        tweets = threads = 0
        if status == 0:  # counted line by line: the output is too large to load here
            with out.open(encoding="utf-8") as lines:
                for line in lines:
                    tweets += line == '      "kind": "tweet",\n'  # an element of "tweets"
                    threads += line == '      "kind": "thread",\n'
        print(f"threadkeep convert: exit {status}, {seconds:.1f} s, peak RSS {peak:,.0f} MB; "
              f"{tweets:,} tweets, {threads:,} threads in the output")  # fmt: skip
        met = seconds <= 60 and peak <= 2048
        print(f"target (<= 60 s, <= 2 GB for 200,000 tweets): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
