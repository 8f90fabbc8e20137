"""The detectors read over elements in Python give what their old XPaths gave (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from threadkeep.parsing import html, listing, nitter, threadreader
from threadkeep.parsing.markers import may_hold_markup
from threadkeep.parsing.threadreader_page import CARD

_NITTER_XPATH = etree.XPath(
    "(/descendant::div[@class = 'tweet-body' or starts-with(@class, 'tweet-content')]"
    " | /descendant::a[@class = 'site-name'][normalize-space() = 'nitter'])[1]"
)
_LISTING_XPATH = etree.XPath(f"/descendant::div[contains(@class, 'thread-card') and {CARD}][1]")
# Every .html fixture but the empty ones (no tree to walk: html.load refuses them).
_FIXTURES = [
    path
    for path in sorted(Path(__file__).parent.parent.joinpath("fixtures").rglob("*.html"))
    if path.stat().st_size > 0
]
_MADE = [
    b"<div class='tweet-content x'>a</div>",
    b"<div class='tweet-body '>a</div>",
    b"<div class='tweet-body'>a</div>",
    b"<div class='tweet-con&#116;ent'>a</div>",
    b"<a class='site-name'> nit <b>ter</b>\n</a>",
    b"<a class='site-name'>nit<!--x-->ter</a>",
    b"<a class='Site-name'>nitter</a>",
    b"<span class='tweet-body'>a</span>",
    b"<div class='x  thread-card\ty'>a</div>",
    b"<div class='thread-cards'>a</div>",
    b"<DIV CLASS='thread-card'>a</DIV>",
    b"<p class='thread-card'>a</p>",
    b"<div class='thread-card&#x20;x'>a</div>",
    b"<div id='tweet_1' class='content-tweet'>a</div>",
    b"<div id='twee&#116;_1' data-tweet='1'>a</div>",
    b"<div data-tweet>a</div>",
    b"<DIV DATA-TWEET='2'>a</DIV>",
    b"<sup class='x tw-permalink'>a</sup>",
    b"<sup class='tw-&#112;ermalink'>a</sup>",
    b"<div class='timeline-item'><div class='tweet-body'>a</div></div>",
    b"<div class='x timeline-item\ty'><div class='unavailable'>a</div></div>",
    b"<div class='tweet-body'><a class='site-name'>nitter</a></div>",
    b"<p id='tweet_1' class='content-tweet' data-tweet='1'>a</p>",
]


def _check(root: etree._Element) -> None:
    assert nitter._has_markers(root) is bool(_NITTER_XPATH(root))
    assert listing.is_listing(root) is bool(_LISTING_XPATH(root))
    if not may_hold_markup(root):  # the gate rules out every detector it stands for
        assert threadreader.thread_tweet_elements(root) == []
        assert threadreader.permalinks(root) == []
        assert not listing.is_listing(root)
        assert nitter.nitter_items(root) is None


@pytest.mark.parametrize("path", _FIXTURES, ids=lambda path: path.name)
def test_fixture(path: Path) -> None:
    _check(html.load(path.read_bytes()).root)


@pytest.mark.parametrize("markup", _MADE)
def test_made(markup: bytes) -> None:
    _check(html.load(b"<html><body><div>" + markup + b"</div></body></html>").root)
