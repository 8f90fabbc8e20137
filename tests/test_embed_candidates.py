"""The embeds' candidate elements are found in one walk of the page (issue 15): the same
elements, in the same order, as the one XPath union they replace, which libxml2 merged in
quadratic time; and the id-only placeholders found by their attributes are those one
predicate found. Checked on every fixture and on generated mixed markup."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.etree import _Element as Element

import threadkeep
from tests.conftest import FIXTURES
from threadkeep.parsing import embed_ids, embeds
from threadkeep.parsing.embed_ids import (
    ALL_HINTS,
    id_holders,
    in_page_order,
    selected_elements,
    widget_scripts,
)
from threadkeep.parsing.html import load

# The union as it was before issue 15 (threadkeep 0.x, embeds._CANDIDATES): the oracle.
_TWEET = "contains(@class, 'twitter-tweet') or contains(@class, 'twitter-video')"
_WRAPPERS = (
    "contains(@class, 'wp-block-embed-twitter') or contains(@class, 'embed-twitter')"
    " or contains(@class, 'is-provider-twitter')"
)
_SUBSTACK = (
    "/descendant::*[@data-component-name = 'Twitter2ToDOM'] | /descendant::div[@data-attrs]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' tweet ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' twitter-embed ')]"
    " | /descendant::div[contains(concat(' ', normalize-space(@class), ' '), ' tweet ')]"
    "[a[contains(concat(' ', normalize-space(@class), ' '), ' tweet-link-top ')]]"
)
UNION = etree.XPath(
    f"/descendant::blockquote[{_TWEET}]"
    " | /descendant::iframe[@data-tweet-id or contains(@src, 'platform.twitter.com/embed')]"
    " | /descendant::amp-twitter | /descendant::twitter-widget | /descendant::twitterwidget"
    " | /descendant::div[@data-tweet-id] | /descendant::blockquote[@data-tweet-id]"
    f" | {_SUBSTACK}"
    f" | /descendant::figure[{_WRAPPERS}] | /descendant::div[{_WRAPPERS}]"
    " | /descendant::p[a[contains(@href, '/status')]] | /descendant::p[contains(., '/status')]"
)
HOLDERS = etree.XPath(
    "/descendant::*[@data-tweet-id or @data-tweetid or @data-embed-id or @data-id]"
)
ANY_UNION = etree.XPath(
    f"(/descendant::blockquote[{_TWEET}] | /descendant::amp-twitter"
    " | /descendant::iframe[@data-tweet-id] | /descendant::twitter-widget"
    f" | /descendant::blockquote[@data-tweet-id] | {_SUBSTACK})[1]"
)


def with_id_only_by_sorting(root: Element) -> list[Element]:
    """The candidates and id-only embeds as the old code ordered them: sorted by position."""
    candidates = list(UNION(root))
    known = set(candidates)
    extra = [e for e in id_holders(root, ALL_HINTS) if e not in known] + widget_scripts(root)
    position = {e: n for n, e in enumerate(root.getroottree().getroot().iter())}
    return sorted([*candidates, *extra], key=lambda element: position.get(element, -1))


def assert_same_as_the_union(root: Element) -> None:
    assert embeds._candidates(root) == UNION(root)
    holders = [selected_elements(path, root) for _, path in embed_ids._HOLDERS]
    assert in_page_order(root, holders) == HOLDERS(root)
    assert embeds.has_embeds(root) == bool(ANY_UNION(root))
    found = embeds._with_id_only_embeds(root, embeds._candidates(root), ALL_HINTS)
    assert found == with_id_only_by_sorting(root)


PAGES = sorted(
    path
    for suffix in ("*.html", "*.htm", "*.md")
    for path in FIXTURES.rglob(suffix)
    if path.name not in ("README.md", "SOURCES.md")
)


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_fixture_has_the_unions_candidates_in_its_order(path: object) -> None:
    assert hasattr(path, "read_bytes")
    with contextlib.suppress(threadkeep.ThreadkeepError):
        assert_same_as_the_union(load(path.read_bytes()).root)


# Pieces of real embed markup (fixtures/embeds, fixtures/id_embeds, fixtures/substack), and
# prose around them; `{}` is where a piece may hold others.
STATUS = "https://twitter.com/a/status/1044502590266978309"
OPEN_CLOSE = [
    ('<blockquote class="twitter-tweet" data-lang="de">', "</blockquote>"),
    ('<blockquote class="twitter-video">', "</blockquote>"),
    ('<blockquote class="Tweet" data-tweet-id="1044502590266978309">', "</blockquote>"),
    ('<figure class="wp-block-embed is-provider-twitter wp-block-embed-twitter">', "</figure>"),
    ('<div class="wp-block-embed__wrapper">', "</div>"),
    ('<div class="embed-twitter">', "</div>"),
    ('<div class="tweet-embed" data-tweet-id="1044502590266978309">', "</div>"),
    ('<amp-twitter data-tweetid="1044502590266978309">', "</amp-twitter>"),
    ('<div data-component-name="Twitter2ToDOM">', "</div>"),
    ('<div class="tweet" data-attrs="{}">', "</div>"),
    ('<div class="tweet\tcard">', "</div>"),
    ('<section data-component-name="Twitter2ToDOM">', "</section>"),
    ('<a class="embedly-card" href="https://x.com/a/status/1044502590266978309">', "</a>"),
    ("<p>", "</p>"),
    ("<div>", "</div>"),
    ("<article>", "</article>"),
]
LEAVES = [
    '<p dir="ltr" lang="de">Nach der Mitgliedervereinigung</p>',
    f'<p>— Peter (@diktator) <a href="{STATUS}?ref_src=twsrc%5Etfw">25. September 2018</a></p>',
    f'&mdash; Dave (@schukin) <a href="{STATUS}">July 3, 2019</a>',
    f"<p>{STATUS}</p>",
    f'<p><a href="{STATUS}">{STATUS}</a></p>',
    '<p>Prose with <a href="https://example.com/">a link</a>.</p>',
    '<iframe data-tweet-id="1044502590266978309"></iframe>',
    '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1044502590266978309"></iframe>',
    "<twitter-widget></twitter-widget>",
    "<twitterwidget></twitterwidget>",
    '<div data-tweet-id="2005455430907216136"></div>',
    '<span class="tweet-placeholder" data-tweetid="2005455430907216136"></span>',
    '<div class="twitter-embed" data-embed-id="2005455430907216136"></div>',
    '<div class="embed" data-id="25680745"></div>',
    '<a class="tweet-link-top" href="#">x</a>',
    "<script>twttr.widgets.createTweet('1044502590266978309', e);</script>",
    "<p>text</p>",
    "<p>x.com/a/sta<!-- cut -->tus/1 and <b>/sta</b>tus</p>",
    '<p class="lead"><a href="/status/1">a</a></p>',
    '<a class=" tweet-link-top\n" href="#">y</a>',
    "<script>/* createTweet */</script>",
]


def markup() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(LEAVES)
    return st.recursive(
        leaves,
        lambda inner: st.tuples(st.sampled_from(OPEN_CLOSE), st.lists(inner, max_size=4)).map(
            lambda t: t[0][0] + "".join(t[1]) + t[0][1]
        ),
        max_leaves=25,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(markup(), min_size=1, max_size=12))
def test_generated_markup_has_the_unions_candidates_in_its_order(pieces: list[str]) -> None:
    page = f"<html><head><title>t</title></head><body>{''.join(pieces)}</body></html>"
    assert_same_as_the_union(load(page.encode()).root)


def _hints_oracle(raw: bytes) -> frozenset[str]:
    """page_hints as it was before issue 15 searched its families: one ``in`` per marker
    (and, without the tree, every placeholder attribute)."""
    names = {"cards", *embed_ids._HOLDER_NAMES}
    if any(mark in raw for mark in embed_ids._URL_MARKS):
        names.add("urls")
    if not any(mark in raw[:4096].lower() for mark in embed_ids._RENDERED):
        names.update(
            name
            for name, marks in embed_ids._SOURCE_HINTS.items()
            if any(mark in raw for mark in marks)
        )
    return frozenset(names)


_MARKERS = [m for marks in embed_ids._SOURCE_HINTS.values() for m in marks]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_page_hints_equal_one_search_per_marker_on_every_fixture(path: Path) -> None:
    raw = path.read_bytes()
    assert embed_ids.page_hints(raw) == _hints_oracle(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_MARKERS + list(embed_ids._URL_MARKS) + [b"<html>", b"{", b"[tw"]),
            st.binary(max_size=12),
        ),
        max_size=12,
    )
)
def test_page_hints_equal_one_search_per_marker_on_generated_bytes(pieces: list[bytes]) -> None:
    """A family is hinted exactly when one of its markers is in the bytes, however the
    markers are cut, overlapped or surrounded."""
    raw = b"".join(pieces)
    assert embed_ids.page_hints(raw) == _hints_oracle(raw)


def test_an_embed_card_before_a_placeholder_keeps_its_place() -> None:
    """Found by the property above: the id-only families were joined one after the other, so
    an Embedly card came out after a placeholder that follows it in the page."""
    page = (
        '<html><body><p>x</p><a class="embedly-card" href="https://x.com/a/status/'
        '1044502590266978309"></a><span class="tweet-placeholder" data-tweetid='
        '"2005455430907216136"></span></body></html>'
    )
    result = threadkeep.parse(page.encode())
    assert isinstance(result, threadkeep.Article)
    assert [tweet.id for tweet in result.tweets] == ["1044502590266978309", "2005455430907216136"]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_the_hints_read_from_the_tree_hide_no_embed(path: Path) -> None:
    """page_hints with the tree (the urls family's attributes, the notations in the text)
    finds every embed the hints read from the bytes find: it spares only walks that would
    find nothing."""
    raw = path.read_bytes()
    with contextlib.suppress(threadkeep.ThreadkeepError):
        root = load(raw).root
        from_tree = embeds.find_embeds(root, base=None, hints=embed_ids.page_hints(raw, root))
        assert from_tree == embeds.find_embeds(root, base=None, hints=embed_ids.page_hints(raw))


def test_a_notation_written_with_character_references_is_hinted() -> None:
    """The bytes hold no "[tweet", the text does: the tree's hints find it, and its tweet."""
    raw = b"<div><p>Look: &#91;tweet https://twitter.com/a/status/1044502590266978309]</p></div>"
    root = load(raw).root
    assert "notations" in embed_ids.page_hints(raw, root)
    assert "notations" not in embed_ids.page_hints(raw)
    result = threadkeep.parse(raw)
    assert isinstance(result, threadkeep.Article)
    assert [tweet.id for tweet in result.tweets] == ["1044502590266978309"]


@pytest.mark.parametrize("case", ["lower", "upper"])
def test_a_large_page_finds_its_placeholders_whatever_the_case_of_their_names(case: str) -> None:
    """Past _GATE_BYTES each attribute's walk is gated on the lowered bytes: a name written
    in capitals (libxml2 lowers it) is still walked for, and an absent one is not."""
    holder = b'<span class="tweet" data-tweet-id="1044502590266978309"></span>'
    holder = holder if case == "lower" else holder.replace(b"data-tweet-id", b"DATA-Tweet-ID")
    filler = b"<p>x</p>" * (embed_ids._GATE_BYTES // 8)
    raw = b"<html><body>" + filler + holder + b"</body></html>"
    page = load(raw)
    hints = embed_ids.page_hints(raw, page.root, page.markup)
    assert "data-tweet-id" in hints
    assert "data-id" not in hints
    assert "urls" not in hints
    result = threadkeep.parse(raw)
    assert isinstance(result, threadkeep.Article)
    assert [tweet.id for tweet in result.tweets] == ["1044502590266978309"]


@pytest.mark.parametrize("marker", _MARKERS)
def test_a_marker_after_many_places_of_its_core_is_hinted(marker: bytes) -> None:
    """Past the places of "weet", "embed", "{" or "[" tried one by one, the rest of the bytes
    is searched for each marker: one after a hundred of them is found."""
    raw = b"<p>" + b"tweet embed { [ " * 100 + marker + b"</p>"
    assert embed_ids.page_hints(raw) == _hints_oracle(raw)


def test_every_notation_marker_holds_a_gate_of_the_text_search() -> None:
    for marker in embed_ids._NOTATION_MARKERS:
        assert any(gate in marker for gate in embed_ids._NOTATION_GATES), marker
