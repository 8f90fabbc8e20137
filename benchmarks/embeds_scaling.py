"""Benchmark: parsing an article scales linearly with the number of embedded tweets.

Builds articles holding N canonical ``blockquote.twitter-tweet`` embeds (N = 1 000, 5 000,
10 000, 20 000 by default), each with a hashtag, a mention, a t.co link and a picture link,
separated by a paragraph of prose, and times ``threadkeep.parse`` on each (best of a few
runs), next to the bare ``lxml.html.fromstring`` of the same bytes. Linear time shows as a
flat "µs per embed" column; anything quadratic doubles it with every doubling of N.

Run from the repository root::

    python benchmarks/embeds_scaling.py
    python benchmarks/embeds_scaling.py --sizes 1000 2000 4000 --repeat 3
"""

from __future__ import annotations

import argparse
import time

import lxml.html

import threadkeep

EMBED = (
    "<p>Paragraph {i} of the story, quoting the next tweet.</p>\n"
    '<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">Tweet number {i} '
    'about <a href="https://twitter.com/hashtag/archives?src=hash">#archives</a> with '
    '<a href="https://twitter.com/someone">@someone</a> <a href="https://t.co/l{i}">'
    'https://t.co/l{i}</a> <a href="https://t.co/p{i}">pic.twitter.com/p{i}</a></p>&mdash; '
    'Author {a} (@author_{a}) <a href="https://twitter.com/author_{a}/status/{id}'
    '?ref_src=twsrc%5Etfw">August 30, 2020</a></blockquote>\n'
)


def article(count: int) -> bytes:
    """An article page with ``count`` embeds by 7 rotating authors (so threads form)."""
    body = "".join(
        EMBED.format(i=i, a=(i // 3) % 7, id=1300000000000000000 + i) for i in range(count)
    )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Many embeds</title></head>"
        f"<body><article><h1>Many embeds</h1>{body}</article></body></html>"
    )
    return page.encode("utf-8")


def best_of(repeat: int, function: object, data: bytes) -> float:
    assert callable(function)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(data)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(f"{'embeds':>8} {'MB':>6} {'parse s':>8} {'lxml s':>7} {'ratio':>6} {'µs/embed':>9}")
    for count in options.sizes:
        data = article(count)
        full = best_of(options.repeat, threadkeep.parse, data)
        floor = best_of(options.repeat, lxml.html.fromstring, data)
        result = threadkeep.parse(data)
        assert isinstance(result, threadkeep.Article) and len(result.tweets) == count
        print(
            f"{count:>8} {len(data) / 1e6:>6.1f} {full:>8.3f} {floor:>7.3f} "
            f"{full / floor:>5.1f}x {full / count * 1e6:>9.1f}"
        )


if __name__ == "__main__":
    main()
