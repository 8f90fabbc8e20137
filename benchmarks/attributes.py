"""What the attribute limits cost: the scan before libxml2, beside the whole parse and the floor.

    python benchmarks/attributes.py

For the largest real pages of each family, the time of ``_check_attributes`` (the scan that
enforces ``MAX_ATTRIBUTES`` and ``MAX_TOTAL_ATTRIBUTES``, issue 14), of a whole
``threadkeep.parse()`` and of a bare lxml parse of the same bytes: the best of 7 rounds, the
garbage collector on. The scan is two searches in C on nearly every page; on pages where a
quoted attribute value may hold a ">", the bytes after it are read as libxml2 reads them.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import threadkeep  # noqa: E402
from threadkeep.parsing.html import _check_attributes  # noqa: E402

PAGES = [
    "threadreader/quinnypig_2020_full.html",
    "listing/homepage_2018.html",
    "articles/theverge_2019_facetime_slice.html",
    "embeds/basicthinking_de_2018_erfolgreiche-tweets.html",
]


def best_ms(work: object, number: int) -> float:
    timer = timeit.Timer(work, setup="gc.enable()", globals={"gc": __import__("gc")})  # type: ignore[arg-type]
    return min(timer.repeat(repeat=7, number=number)) / number * 1000


def measure(data: bytes) -> tuple[float, float, float]:
    """Milliseconds of the scan, of a whole parse and of a bare lxml parse of ``data``."""
    scan = best_ms(lambda: _check_attributes(data, None), 20)
    full = best_ms(lambda: threadkeep.parse(data), 5)
    bare = best_ms(lambda: etree.fromstring(data, etree.HTMLParser()), 10)
    return scan, full, bare


def main() -> None:
    print(f"{'page':56} {'scan ms':>8} {'parse ms':>9} {'bare lxml ms':>13} {'scan/parse':>10}")
    for name in PAGES:
        scan, full, bare = measure((ROOT / "fixtures" / name).read_bytes())
        print(f"{name:56} {scan:8.2f} {full:9.2f} {bare:13.2f} {scan / full:10.0%}")


if __name__ == "__main__":
    main()
