"""Check that parse() takes time linear in its input on adversarial repetitions.

    python fuzz/linear.py               # every pattern in every context, 40 KB then 320 KB
    python fuzz/linear.py --size 200000 # bigger: 200 KB then 1.6 MB
    python fuzz/linear.py --deep        # the same, 250 elements down (ancestor walks)

Each pattern (a run of spaces, digits, dashes, "Image", "(@", nested tweets, …) is repeated to
the given size inside each context (a tweet, an embed, a text copy, a card, a JSON answer),
and parsed at that size and at 8 times it. Linear work takes about 8 times as long; quadratic
work 64 times. A ratio over 20 (when the larger parse takes over 50 ms) is reported, and
makes the exit status 1. These are the shapes that made the regexes and tree walks fixed for
docs/security.md backtrack or rescan.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

import threadkeep

CONTEXTS = {
    "tweet": '<html><body><div id="tweet_1" class="content-tweet" data-tweet="1">{}</div>',
    "embed": '<html><body><blockquote class="twitter-tweet">{}</blockquote></body></html>',
    "embed-p": '<html><body><blockquote class="twitter-tweet"><p>x</p>{}</blockquote>',
    "card": '<html><body><div class="thread-card">{}</div></body></html>',
    "article": '<html><head><meta property="og:type" content="article"></head><body>{}',
    "text-thread": "Thread by @abc\n{}\n• • •\nKeep Current with Someone\n",
    "text-article": "{}\n\nsecond paragraph\n\nthird\n— A (@a) August 7, 2014\n",
    "text-listing": "Read 3 tweets\n{}\nRead 2 tweets\n",
    "nitter": '<html><body><div class="timeline-item"><div class="tweet-body">'
    '<span class="tweet-date"><a href="/a/status/1#m">1</a></span>'
    '<div class="tweet-content">{}</div></div></div>',
    "status": '<html><head><link href="https://abs.twimg.com/a.css"></head><body>'
    '<div class="permalink"><div class="tweet permalink-tweet" data-tweet-id="1">'
    '<p class="tweet-text">x</p></div><div class="replies-to">{}</div></div>',
    "json": '{{"__typename": "Tweet", "id_str": "1", "text": "{}"}}',
    "markdown": "---\nsource: https://threadreaderapp.com/thread/1.html\n---\n{}\n\n• • •\n",
    "markdown-html": "[a](https://pbs.twimg.com/a)<br>\n{}\n\n• • •\n",
    "start-tag": '<html><body><p>x</p><div class="tweet"{}>x</div>',
}
PATTERNS = {
    "spaces": " ",
    "dash-space": "— ",
    "digits": "1",
    "hash-digits": "#1",
    "image": "Image ",
    "handle": "(@a)",
    "open-handle": "(@",
    "status": "/status/1",
    "archive-host": "archive.a",
    "count": "1 tweets ",
    "min-read": "1 min read ",
    "keep-current": "Keep Current with a ",
    "glued": "1/2… x ",
    "attribution-line": "— A (@a) August 7, 2014 x\n",
    "markdown-attribution": "> — A (@a) [May 1, 2020](https://twitter.com/a/status/1)\n",
    "read-n": "Read 1 tweets\n",
    "newline": "\n",
    "blank-line": "\n\n",
    "bullet": "- x\n",
    "br": "<br>",
    "attribute": " a",
    "quoted-gt": ' a=">"',
    "equals-quote": ' ="',
    "tag-start": "<a",
    "p": "<p>x",
    "div": "<div>",
    "hr": "<hr>",
    "permalink": '<sup class="tw-permalink"></sup>',
    "nested-tweet": '<div id="tweet_2" class="content-tweet" data-tweet="2">x',
    "nested-embed": '<blockquote class="twitter-tweet">',
    "nested-card": '<div class="thread-card"><div class="content-tweet">x',
    "embed": '<blockquote class="twitter-tweet"><p>t</p>&mdash; A (@a) '
    '<a href="https://twitter.com/a/status/1">May 1, 2020</a></blockquote>',
    "bare-status": "<p>https://twitter.com/a/status/1 x</p>",
    "wrapper": '<div class="wp-block-embed-twitter">x</div>',
    "web-link": '<a href="/web/2020/https://x.com/a">x</a>',
    "image-holder": '<span class="entity-image"><img src="https://pbs.twimg.com/a.jpg"></span>',
    "frame": '<iframe data-tweet-id="1"></iframe>',
    "nitter-item": '<div class="timeline-item"><div class="tweet-body">'
    '<a class="tweet-link" href="/a/status/2#m"></a><div class="tweet-content">x</div></div></div>',
    "nitter-nested": '<div class="timeline-item"><div class="tweet-body">'
    '<div class="tweet-content">',
    "nitter-quote": '<div class="quote"><a class="quote-link" href="/b/status/3#m"></a>',
    "nitter-pic": '<a class="still-image" href="/pic/orig/media%2Fa.jpg"><img src="/pic/a"></a>',
    "md-bracket": "[",
    "md-open-link": "[a](",
    "md-link": "[a](https://x.org/a) ",
    "md-image": "![Image](https://pbs.twimg.com/a.jpg)",
    "md-card": "[**a** b](https://x.org/) ",
    "md-video": '<video><source src="https://video.twimg.com/a.mp4"></video>',
    "md-open-video": "<video ",
    "md-hard-break": "x  \n  \n",
    "md-escape": "\\.",
    "md-bold": "**",
    "front-matter": "---\n",
    "status-reply": '<li class="ThreadedConversation"><div class="tweet" data-tweet-id="2"'
    ' data-screen-name="a"><p class="tweet-text">x <a data-expanded-url="https://a.org/">a</a>'
    "</p></div></li>",
    "status-nested": '<div class="tweet" data-tweet-id="3"><p class="tweet-text">x',
    "status-emoji": '<img class="Emoji" alt="x">',
    "nitter-link": '<a href="/search?q=%23tag">#tag</a> <a href="/user">@user</a> ',
}
UNSAFE_IN_JSON = ('"', "\n", "\\")


def seconds(data: bytes) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        with contextlib.suppress(threadkeep.ThreadkeepError):
            threadkeep.parse(data)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--size", type=int, default=40_000, help="bytes of pattern, smaller run")
    options.add_argument("--deep", action="store_true", help="250 elements down")
    args = options.parse_args()
    prefix = "<div>" * 250 if args.deep else ""
    slow = []
    for context_name, context in CONTEXTS.items():
        for name, pattern in PATTERNS.items():
            if context_name == "json" and any(c in pattern for c in UNSAFE_IN_JSON):
                continue
            times = max(1, args.size // len(pattern))
            small = seconds((prefix + context.format(pattern * times)).encode())
            large = seconds((prefix + context.format(pattern * times * 8)).encode())
            ratio = large / max(small, 1e-4)
            flag = ratio > 20 and large > 0.05
            if flag or large > 1:
                print(f"{context_name:13} {name:21} {small:7.3f} s {large:7.3f} s  x{ratio:5.1f}")
            slow += [(context_name, name)] if flag else []
    print(f"{len(slow)} superlinear: {slow}" if slow else "every pattern scales linearly")
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
