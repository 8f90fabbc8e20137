"""Benchmark: threadkeep against a peer, tweetfinder, on the same real article pages.

`tweetfinder <https://pypi.org/project/tweetfinder/>`_ (1.1.0, Apache-2.0) finds the tweets
embedded in news articles: ``tweetfinder.Article(html=...)`` parses the page with
BeautifulSoup and readability-lxml and lists its embeds (``count_embedded_tweets()``). It is no
dependency of threadkeep; install it beside it to run this script::

    .venv/bin/pip install tweetfinder==1.1.0

(it pulls in readability-lxml 0.8.1, lxml_html_clean, py3langid and requests, and pins
beautifulsoup4 to 4.12).

For every real HTML article under ``fixtures/embeds/`` and ``fixtures/articles/`` (the
``constructed_`` ones left out), both run on the same page, interleaved round by round in one
process with the garbage collector on: ``threadkeep.parse(data)`` on the bytes, and
``tweetfinder.Article(html=text)`` on the text decoded beforehand (tweetfinder takes a
``str``; threadkeep's figure includes its own decoding). Each figure is the median over the
rounds of the mean time per call. Printed per page: the milliseconds of each and how many
tweets each found (for tweetfinder, the exception it raised instead, if it did); last,
threadkeep's time as a fraction of tweetfinder's. How many tweets each finds
is not a measure of correctness: the goldens beside the fixtures are (tweetfinder counts a
tweet embedded twice twice, and reads only blockquotes, ``div.embed-twitter`` and rendered
iframes).

Run from the repository root::

    python benchmarks/peers.py
    python benchmarks/peers.py --rounds 9
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import threadkeep

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FOLDERS = ("embeds", "articles")
ROUND_SECONDS = 0.02


def pages() -> list[Path]:
    """The real HTML articles, by folder and name."""
    return [
        path
        for folder in FOLDERS
        for path in sorted((FIXTURES / folder).glob("*.html"))
        if not path.name.startswith("constructed_")
    ]


def threadkeep_count(data: bytes) -> int:
    try:
        result = threadkeep.parse(data)
    except threadkeep.ThreadkeepError:
        return 0
    return len(result.tweets) if isinstance(result, threadkeep.Article) else 0


def tweetfinder_count(text: str) -> int:
    import tweetfinder  # an optional peer: imported only when run

    with contextlib.redirect_stderr(io.StringIO()):  # readability logs to stderr
        return int(tweetfinder.Article(html=text).count_embedded_tweets())


def calls_for(function: Callable[[], object]) -> int:
    """How many calls take about ROUND_SECONDS (at least one)."""
    start = time.perf_counter()
    function()
    once = time.perf_counter() - start
    return max(1, int(ROUND_SECONDS / max(once, 1e-6)))


def mean_seconds(function: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def median_ms(functions: list[Callable[[], object]], rounds: int) -> list[float]:
    """The median ms per call of each function, interleaved round by round (order alternating)."""
    calls = [calls_for(function) for function in functions]
    samples: list[list[float]] = [[] for _ in functions]
    for number in range(rounds):
        order = list(enumerate(functions))
        for index, function in order if number % 2 == 0 else reversed(order):
            samples[index].append(mean_seconds(function, calls[index]))
    return [statistics.median(values) * 1e3 for values in samples]


def measure(path: Path, rounds: int) -> tuple[float, int, float | None, int | str]:
    """threadkeep's ms and count, tweetfinder's ms and count (or the exception it raised)."""
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    try:
        found: int | str = tweetfinder_count(text)
    except Exception as exc:  # a peer's crash is a result to show, not a reason to stop
        found = type(exc).__name__
    functions: list[Callable[[], object]] = [lambda: threadkeep_count(data)]
    if isinstance(found, int):
        functions.append(lambda: tweetfinder_count(text))
    times = median_ms(functions, rounds)
    return times[0], threadkeep_count(data), times[1] if len(times) > 1 else None, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    print(f"{'page':<62} {'threadkeep ms':>13} {'tweets':>6} {'tweetfinder ms':>14} {'tweets':>14}")
    fractions = []
    for path in pages():
        ours, our_count, theirs, their_count = measure(path, options.rounds)
        shown = "-" if theirs is None else f"{theirs:.2f}"
        if theirs is not None:
            fractions.append(ours / theirs)
        name = f"{path.parent.name}/{path.name}"
        print(f"{name[:62]:<62} {ours:>13.2f} {our_count:>6} {shown:>14} {their_count:>14}")
    print(
        f"threadkeep's time / tweetfinder's: median {statistics.median(fractions):.2f}"
        f" (from {min(fractions):.2f} to {max(fractions):.2f}) over the {len(fractions)} pages"
        " tweetfinder read without an exception"
    )


if __name__ == "__main__":
    main()
