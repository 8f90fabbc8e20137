"""Benchmark: parsing an article scales linearly with the number of embedded tweets, on real
markup.

Each variant is one embed cut from a real fixture, as its site wrote it, repeated N times
(N = 1 000, 5 000, 10 000, 20 000 by default) with its status id made unique per copy:

* ``wordpress-p``: ``fixtures/embeds/basicthinking_de_2018_erfolgreiche-tweets.html``, the
  12-embed German article: WordPress moved the attribution into a ``<p>`` of its own, holding
  the status link, and wrapped the widget script in another ``<p>``;
* ``canonical``: ``fixtures/articles/theverge_2019_facetime_slice.html``, publish.twitter.com's
  ``blockquote.twitter-tweet`` with the attribution in the blockquote, a picture link and a
  ``<br>``-broken text, then the widget script;
* ``wp-figure``: ``fixtures/embeds/folketsmedie_da_2026_wp-embed_body.html``, the Gutenberg
  embed block: ``figure.wp-block-embed-twitter`` around a wrapper ``div``, the blockquote and
  its script;
* ``id-only``: the ``shuntaka-renderer`` fixture in ``fixtures/id_embeds/``: a renderer's
  ``<div data-tweet-id>`` placeholders, each after a one-word ``<p>`` caption.

For each variant and size it times ``threadkeep.parse`` (best of a few runs, garbage collector
on; CPU time of the process, so that other work on the machine does not count) beside the bare
``lxml.html.fromstring`` of the same bytes, and prints the time per embed of both. The last
line of each variant is the ratio of the time per embed at the largest size to that at the
smallest (the target: at most 1.5x). Linear work keeps it near 1; anything quadratic doubles
the time per embed with every doubling of N. The bare parse's own ratio is printed beside it:
a tree too large for the processor's caches makes every walk over it dearer per node, for
lxml too, whatever the algorithm. So is a third measurement, **walks**: the bare parse plus
the search for candidates (``embeds._candidates``: one walk over the elements of the
candidates' tags and two XPaths) and the id-only holders' ``embed_ids._HOLDERS`` (a walk of the
whole tree each), and nothing else: what those walks alone cost per embed as the tree grows.
And a fourth, **floor**, for the variants whose embeds are ``blockquote.twitter-tweet``: the
lean floor of ``benchmarks/floor.py`` (``embeds_only``: the tree, one XPath, each embed read
into the same validated models, nothing else), which shows what the models alone and the
garbage collector's passes over them cost per embed as their number grows.

``--count`` prints instead, for each variant and size, what the count of
``MAX_TOTAL_ATTRIBUTES`` (``html._count_attributes``, which ``parse`` runs on pages over 2 MB
only) costs per embed, called on the page's bytes alone.

Run from the repository root::

    python benchmarks/embeds_scaling.py
    python benchmarks/embeds_scaling.py --sizes 1000 2000 4000 --repeat 3 --variants canonical
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from floor import embeds_only
from lxml import etree

import threadkeep
from threadkeep.parsing import embed_ids, embeds, html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# name -> (fixture, the pattern of one embed's markup in it)
VARIANTS = {
    "wordpress-p": (
        "embeds/basicthinking_de_2018_erfolgreiche-tweets.html",
        r'<blockquote class="twitter-tweet" data-lang="de">.*?</blockquote>\s*<p><script.*?</p>',
    ),
    "canonical": (
        "articles/theverge_2019_facetime_slice.html",
        r'<blockquote class="twitter-tweet">.*?</blockquote>\s*<script.*?</script>',
    ),
    "wp-figure": (
        "embeds/folketsmedie_da_2026_wp-embed_body.html",
        r'<figure class="wp-block-embed.*?</figure>',
    ),
    "id-only": (
        "id_embeds/shuntaka-renderer_ja_2026_div-data-tweet-id-placeholders_slice.html",
        r'<p>[^<]*</p>\s*<div data-tweet-id="\d+"></div>',
    ),
}
_ID_RE = re.compile(r'(status/|data-tweet-id=")\d+')


# The variants whose embeds the lean floor reads (blockquote.twitter-tweet, not placeholders).
FLOOR_VARIANTS = ("wordpress-p", "canonical", "wp-figure")


def embed_markup(variant: str) -> str:
    """The first embed of the variant's fixture, its status id replaced by ``\\x00``."""
    fixture, pattern = VARIANTS[variant]
    found = re.search(pattern, (FIXTURES / fixture).read_text(encoding="utf-8"), re.S)
    assert found is not None, variant
    return _ID_RE.sub(lambda match: match[1] + "\x00", found[0])


def article(variant: str, count: int) -> bytes:
    """An article page holding ``count`` copies of the variant's embed, each its own id."""
    markup = embed_markup(variant)
    body = "\n".join(markup.replace("\x00", str(1300000000000000000 + i)) for i in range(count))
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Many embeds</title></head>"
        f"<body><article><h1>Many embeds</h1>{body}</article></body></html>"
    )
    return page.encode("utf-8")


def best_of(repeat: int, function: Callable[[bytes], object], data: bytes) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function(data)
        best = min(best, time.process_time() - start)
    return best


def parse_and_walk(data: bytes) -> object:
    """A bare parse, then the embeds parser's search for candidates and for id holders."""
    root = etree.fromstring(data, etree.HTMLParser())
    embeds._candidates(root)
    for _, path in embed_ids._HOLDERS:
        path(root)
    return root


def run(variant: str, sizes: list[int], repeat: int) -> None:
    print(f"\n{variant} ({VARIANTS[variant][0]})")
    print(
        f"{'embeds':>8} {'MB':>6} {'parse s':>8} {'lxml s':>7} {'µs/embed':>9}"
        f" {'lxml µs/embed':>14} {'walks µs/embed':>15} {'floor µs/embed':>15}"
    )
    per_embed: list[tuple[float, float, float]] = []
    floors: list[float] = []
    for count in sizes:
        data = article(variant, count)
        result = threadkeep.parse(data)
        assert isinstance(result, threadkeep.Article) and len(result.tweets) == count
        full = best_of(repeat, threadkeep.parse, data)
        floor = best_of(repeat, lxml.html.fromstring, data)
        walks = best_of(repeat, parse_and_walk, data)
        per_embed.append((full / count * 1e6, floor / count * 1e6, walks / count * 1e6))
        lean = "-"
        if variant in FLOOR_VARIANTS:
            assert len(embeds_only(data).tweets) == count
            floors.append(best_of(repeat, embeds_only, data) / count * 1e6)
            lean = f"{floors[-1]:.1f}"
        print(
            f"{count:>8,} {len(data) / 1e6:>6.1f} {full:>8.3f} {floor:>7.3f} "
            f"{per_embed[-1][0]:>9.1f} {per_embed[-1][1]:>14.1f} {per_embed[-1][2]:>15.1f}"
            f" {lean:>15}"
        )
    (small, small_floor, small_walks), (large, large_floor, large_walks) = (
        per_embed[0],
        per_embed[-1],
    )
    print(
        f"µs per embed at {sizes[-1]:,} / at {sizes[0]:,}: {large / small:.2f}x "
        f"(target ≤ 1.5x; bare lxml: {large_floor / small_floor:.2f}x; "
        f"bare lxml and the candidate walks: {large_walks / small_walks:.2f}x"
        + (f"; lean floor: {floors[-1] / floors[0]:.2f}x)" if floors else ")")
    )


def count_cost(variant: str, sizes: list[int], repeat: int) -> None:
    """µs per embed of the total attribute count alone, at each size."""
    print(f"\n{variant}: µs per embed of html._count_attributes")
    limit = html.MAX_TOTAL_ATTRIBUTES + 1

    def counted(page: bytes) -> int:
        return html._count_attributes(page, limit)

    for count in sizes:
        data = article(variant, count)
        seconds = best_of(repeat, counted, data)
        print(f"{count:>8,} {len(data) / 1e6:>6.1f} MB {seconds / count * 1e6:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--count", action="store_true", help="time the attribute count alone")
    options = parser.parse_args()
    for variant in options.variants:
        (count_cost if options.count else run)(variant, options.sizes, options.repeat)


if __name__ == "__main__":
    main()
