"""Property tests: every parser keeps the contract on any input (hypothesis).

The contract, for every input to ``parse()``: a model, or a ``ThreadkeepError`` whose message
is one line naming the input; never another exception. Every model survives its JSON round
trip, ``Model.model_validate_json(m.model_dump_json()) == m``.

Inputs: arbitrary bytes and text; markup and JSON assembled from the pieces real copies are
made of; and the real fixtures mutated (truncated at tag boundaries, tags deleted, attributes
shuffled, encodings swapped). The default run samples; ``pytest --slow`` truncates every
fixture at every boundary (about a minute).
"""

from __future__ import annotations

import codecs
import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import threadkeep
from tests.conftest import FIXTURES, golden_cases
from threadkeep.encoding import detect_encoding
from threadkeep.models import (
    Article,
    Author,
    Link,
    Listing,
    Media,
    Sighting,
    Thread,
    ThreadPreview,
    Tweet,
    result_adapter,
)
from threadkeep.parsing.schemes import http_only

Result = Thread | Listing | Article | Tweet
SOURCE = "<property>"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INPUTS = golden_cases() + sorted((FIXTURES / "broken").glob("*.*"))
PAGES = [p for p in INPUTS if p.suffix in (".html", ".md") and p.name != "expected.json"]
TEXTS = [p for p in INPUTS if p.suffix == ".txt"]
ANSWERS = [p for p in INPUTS if p.name.endswith(".input.json")]
BIG = 8_000  # bytes: fixtures above it are truncated at a sample of boundaries by default


def keeps_contract(data: bytes | str, source: str = SOURCE) -> Result | None:
    """Parse ``data``; fail the test unless the contract holds. The model, or None on error."""
    try:
        result = threadkeep.parse(data, source=source)
    except threadkeep.ThreadkeepError as exc:
        message = str(exc)
        assert "\n" not in message, message
        assert message.startswith(f"{source}: "), message
        return None
    text = result.model_dump_json()
    assert type(result).model_validate_json(text) == result
    assert result_adapter.validate_json(text) == result
    return result


def without_source(result: Result | None) -> Any:
    """A result as comparable content: the sighting's hash of the raw bytes left out."""
    return None if result is None else result.model_dump(exclude={"source"})


# -- anything at all ---------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=4000))
def test_any_bytes(data: bytes) -> None:
    keeps_contract(data)


@FAST
@given(st.text(st.characters(exclude_categories=()), max_size=2000))
def test_any_text_lone_surrogates_included(data: str) -> None:
    keeps_contract(data)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_after_a_byte_order_mark(data: bytes) -> None:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE):
        keeps_contract(bom + data)


# -- markup, text and JSON made of the pieces real copies are made of --------------------------

TAGS = [
    "<html>",
    "<body>",
    "</div>",
    "</p>",
    "</blockquote>",
    "</a>",
    "<br>",
    "<hr>",
    "<p>",
    '<p lang="en" dir="ltr">',
    '<div id="tweet_1" class="content-tweet" data-tweet="1300000000000000001">',
    '<div id="tweet_2" class="content-tweet allow-preview" data-screenname="a" data-tweet="2">',
    '<div data-tweet="1300000000000000009">',
    '<div class="thread-card">',
    '<div class="thread-info">3 tweets, 1 min read</div>',
    '<span class="count">12,399 tweets</span>',
    '<a class="time" data-time="1578682933" href="https://twitter.com/a/status/1">Jan 10</a>',
    '<span class="username">Name</span><span class="screenName">@handle</span>',
    '<sup class="tw-permalink"></sup>',
    '<span class="entity-image"><img data-src="https://pbs.twimg.com/media/x.jpg" alt="alt"></span>',
    '<span class="entity-video"><video poster="/p.jpg"><source src="/v.mp4"></video></span>',
    '<span class="entity-embed"><iframe data-tweet-id="1604794352794218497"></iframe></span>',
    '<span class="entity-embed"><iframe src="https://platform.twitter.com/embed?id=5"></iframe></span>',
    '<div class="entity-url-preview"><a href="https://e.example/"><strong>T</strong></a></div>',
    '<a class="entity-url" href="https://t.co/x">example.org</a>',
    '<a class="entity-mention" href="/a">@a</a>',
    '<a class="entity-hashtag" href="/hashtag/x">#x</a>',
    '<span class="nop">2/ </span>',
    '<blockquote class="twitter-tweet">',
    '<blockquote class="twitter-tweet" data-lang="de">',
    '<a href="https://twitter.com/many/status/1305000000000000000">September 13, 2020</a>',
    '<a href="https://web.archive.org/web/20190704083012/https://twitter.com/a/status/7">x</a>',
    '<iframe data-tweet-id="1146359923158089728"></iframe>',
    '<amp-twitter data-tweetid="1146359923158089728"></amp-twitter>',
    '<figure class="wp-block-embed-twitter">',
    '<meta property="og:type" content="article">',
    '<meta property="og:site_name" content="Thread Reader App">',
    '<meta property="og:url" content="https://threadreaderapp.com/thread/1215710451343904768.html">',
    "<title>Thread by @handle on Thread Reader App</title>",
    "<h1>Thread not found</h1>",
    '<span class="subtitle">Most recents (24)</span>',
    '<a href="/thread/1215710451343904768.html">Read 24 tweets</a>',
    '<meta charset="shift_jis">',
    '<meta charset="utf-16">',
    "<!DOCTYPE html>",
    "<!-- a comment -->",
    "<script>var a = '<div>';</script>",
    '<template><blockquote class="twitter-tweet"><p>x</p></blockquote></template>',
    '<div id="wm-ipp-base">',
]
WORDS = [
    "1/3",
    "(2 of 11)",
    "3.",
    "1️⃣",
    "⬇️",
    "🧵",
    "THREAD",
    "&mdash; Name (@handle)",
    "— Ilham Aliyev (@presidentaz) August 7, 2014",
    "&amp;",
    "&lol9;",
    "&#0;",
    "&#xD800;",
    "#tag",
    "@someone",
    "https://twitter.com/a/status/1215710451343904768",
    "pic.twitter.com/abc",
    "Image",
    "Read 3 tweets",
    "• • •",
    "Keep Current with Name",
    "Missing some Tweet in this thread?",
    "12 tweets, 3 min read",
    "\n",
    "\n\n",
    " ",
    "\x00",
    "\x0c",
    "é",
    "\ufffe",
    "字",
    "word",
]
soup = st.lists(st.sampled_from(TAGS + WORDS), max_size=60).map("".join)


@FAST
@given(soup)
def test_markup_soup(markup: str) -> None:
    keeps_contract(markup)
    keeps_contract(markup.encode("utf-8"))


@FAST
@given(st.lists(st.sampled_from(WORDS), max_size=80).map("".join))
def test_text_soup(text: str) -> None:
    keeps_contract(text)


KEYS = [
    "__typename",
    "id_str",
    "id",
    "text",
    "full_text",
    "user",
    "screen_name",
    "name",
    "entities",
    "urls",
    "hashtags",
    "user_mentions",
    "mediaDetails",
    "photos",
    "video",
    "variants",
    "card",
    "binding_values",
    "quoted_tweet",
    "parent",
    "edit_control",
    "edit_tweet_ids",
    "isEdited",
    "created_at",
    "lang",
    "tombstone",
    "data",
    "html",
    "url",
    "author_name",
    "author_url",
    "provider_name",
    "kind",
    "tweets",
    "threads",
    "author",
    "handle",
    "source",
    "declared_count",
    "position",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "Tweet",
            "TweetTombstone",
            "thread",
            "tweet",
            "article",
            "listing",
            "Twitter",
            "1300000000000000001",
            "9" * 30,
            "2020-09-13T12:26:40.000Z",
            "2020-09-13T12:26:40",
            "0001-01-01T00:00:00+05:00",
            "Wed Oct 10 20:19:24 +0000 2018",
            '<blockquote class="twitter-tweet"><p>hi</p>&mdash; A (@a) '
            '<a href="https://twitter.com/a/status/1">May 1, 2020</a></blockquote>',
            "https://twitter.com/a/status/1",
            "../../etc/passwd",
            "\ud800",
        ]
    ),
    st.text(max_size=20),
)
json_documents = st.recursive(
    VALUES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=40,
)


@FAST
@given(st.dictionaries(st.sampled_from(KEYS), json_documents, max_size=8), st.booleans())
def test_json_answers_of_any_shape(document: dict[str, Any], ascii_only: bool) -> None:
    text = json.dumps(document, ensure_ascii=ascii_only)
    keeps_contract(text.encode("utf-8", errors="surrogatepass"))


# -- the real fixtures, mutated --------------------------------------------------------------

_TAG_RE = re.compile(rb"<[^<>]*>")


def tag_boundaries(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"<", data)] + [len(data)]


def line_boundaries(data: bytes) -> list[int]:
    return [m.end() for m in re.finditer(rb"\n", data)]


@pytest.mark.parametrize("path", PAGES + TEXTS + ANSWERS, ids=lambda p: p.name)
def test_truncated_at_tag_and_line_boundaries(path: Path) -> None:
    data = path.read_bytes()
    cuts = tag_boundaries(data) + line_boundaries(data)
    if path.name.endswith(".json"):
        cuts += [m.end() for m in re.finditer(rb"[,{\[:]", data)]
    cuts = sorted(set(cuts))
    if len(data) > BIG:  # the default run samples the bigger pages; --slow does all
        cuts = sorted(random.Random(path.name).sample(cuts, min(len(cuts), 40)))
    for number, cut in enumerate(cuts):
        keeps_contract(data[:cut])
        if number % 4 == 0:
            keeps_contract(data[:cut] + b"\xe2\x80")  # and cut inside a UTF-8 character


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [p for p in INPUTS if p.stat().st_size > BIG], ids=lambda p: p.name
)
def test_big_inputs_truncated_at_every_boundary(path: Path) -> None:
    data = path.read_bytes()
    for cut in sorted(set(tag_boundaries(data) + line_boundaries(data))):
        keeps_contract(data[:cut])


@FAST
@given(st.sampled_from(PAGES), st.data())
def test_tags_deleted(path: Path, data: st.DataObject) -> None:
    page = path.read_bytes()
    tags = list(_TAG_RE.finditer(page))
    assume(tags)
    doomed = data.draw(st.sets(st.integers(0, len(tags) - 1), max_size=max(1, len(tags) // 4)))
    pieces, last = [], 0
    for index, tag in enumerate(tags):
        if index in doomed:
            pieces.append(page[last : tag.start()])
            last = tag.end()
    keeps_contract(b"".join([*pieces, page[last:]]))


_ATTRIBUTE = r"""[^\s=/"'<>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?"""
# Attributes separated by whitespace, matched possessively: with ``\s*`` between them a long
# name could be split into "attributes" in exponentially many ways before a tag that fails
# to match (a name runs into ``/`` or a quote) was given up.
_OPEN_TAG_RE = re.compile(rf"<([a-zA-Z][\w:-]*)((?:\s+{_ATTRIBUTE})*+)\s*(/?)>")
_ATTRIBUTE_RE = re.compile(_ATTRIBUTE)


def shuffle_attributes(markup: str, chance: random.Random) -> str:
    """Every start tag's attributes in another order (tags with a repeated name left alone)."""

    def shuffled(tag: re.Match[str]) -> str:
        attributes = [a.group(0) for a in _ATTRIBUTE_RE.finditer(tag.group(2) or "")]
        names = [a.split("=", 1)[0].lower() for a in attributes]
        if len(set(names)) != len(names) or len(attributes) < 2:
            return tag.group(0)
        chance.shuffle(attributes)
        return f"<{tag.group(1)} {' '.join(attributes)}{tag.group(3)}>"

    return _OPEN_TAG_RE.sub(shuffled, markup)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(PAGES), st.randoms(use_true_random=False))
def test_attribute_order_never_changes_the_result(path: Path, chance: random.Random) -> None:
    page = path.read_bytes()
    encoding = detect_encoding(page)
    markup = page.decode(encoding, errors="surrogateescape")
    shuffled = shuffle_attributes(markup, chance).encode(encoding, errors="surrogateescape")
    assert without_source(keeps_contract(shuffled)) == without_source(keeps_contract(page))


WIDE = ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"]


def assume_text(data: bytes) -> None:
    if b"\x00" in data:
        pytest.skip("binary input: it has no text to re-encode")


@pytest.mark.parametrize("encoding", WIDE)
@pytest.mark.parametrize("path", PAGES + TEXTS, ids=lambda p: p.name)
def test_encoding_swapped_to_a_marked_unicode_form(path: Path, encoding: str) -> None:
    data = path.read_bytes()
    assume_text(data)
    text = data.decode(detect_encoding(data))
    swapped = text.encode(encoding)
    if encoding == "utf-16-be":
        swapped = codecs.BOM_UTF16_BE + swapped
    assert without_source(keeps_contract(swapped)) == without_source(keeps_contract(data))


@FAST
@given(
    st.sampled_from(PAGES + TEXTS),
    st.sampled_from(["cp1252", "latin-1", "shift_jis", "koi8-r", "utf-7", "cp037", "gb18030"]),
    st.sampled_from(["", "utf-8", "shift_jis", "iso-2022-jp", "hp-roman8", "nonsense"]),
)
def test_encoding_swapped_and_declared_wrong(path: Path, encoding: str, declared: str) -> None:
    data = path.read_bytes()
    text = data.decode(detect_encoding(data), errors="replace")
    if declared:
        text = text.replace("<head>", f'<head><meta charset="{declared}">', 1)
    keeps_contract(text.encode(encoding, errors="xmlcharrefreplace"))


# -- every model survives JSON ---------------------------------------------------------------

texts = st.text(max_size=30)
optional_texts = st.none() | texts
zones = st.builds(
    lambda seconds: timezone(timedelta(seconds=seconds)), st.integers(-86_399, 86_399)
)
times = st.none() | st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=zones
)
urls = texts | texts.map(lambda path: f"https://example.org/{path}")
optional_urls = st.none() | urls
authors = st.none() | st.builds(
    Author, handle=optional_texts, name=optional_texts, url=optional_urls
)
links = st.builds(Link, url=urls, display=optional_texts, short_url=optional_urls)
media = st.builds(Media, kind=st.sampled_from(["photo", "video", "gif", "card"]), url=optional_urls)
sightings = st.none() | st.builds(
    Sighting,
    kind=st.sampled_from(["threadreader", "listing", "embed", "oembed", "syndication", "text"]),
    url=optional_texts,
    captured_at=times,
    sha256=optional_texts,
)


def tweets(depth: int = 2) -> st.SearchStrategy[Tweet]:
    inner = st.none() if depth == 0 else st.none() | tweets(depth - 1)
    return st.builds(
        Tweet,
        id=optional_texts,
        author=authors,
        text=optional_texts,
        created_at=times,
        links=st.lists(links, max_size=2).map(tuple),
        media=st.lists(media, max_size=2).map(tuple),
        hashtags=st.lists(texts, max_size=2).map(tuple),
        quoted=inner,
        in_reply_to=inner,
        position=st.none() | st.integers(),
        edited=st.none() | st.booleans(),
        source=sightings,
    )


threads = st.builds(
    Thread,
    id=optional_texts,
    author=authors,
    created_at=times,
    tweets=st.lists(tweets(1), max_size=3).map(tuple),
    declared_count=st.none() | st.integers(),
    complete=st.none() | st.booleans(),
    gaps=st.lists(st.integers(), max_size=3).map(tuple),
    source=sightings,
)
results = st.one_of(
    tweets(),
    threads,
    st.builds(
        Listing,
        title=optional_texts,
        threads=st.lists(
            st.builds(
                ThreadPreview, created_at=times, tweets=st.lists(tweets(0), max_size=2).map(tuple)
            ),
            max_size=2,
        ).map(tuple),
        source=sightings,
    ),
    st.builds(
        Article,
        tweets=st.lists(tweets(1), max_size=2).map(tuple),
        threads=st.lists(threads, max_size=1).map(tuple),
        source=sightings,
    ),
)


@settings(max_examples=150, deadline=None)
@given(results)
def test_every_model_round_trips_through_json(result: Result) -> None:
    text = result.model_dump_json()
    assert type(result).model_validate_json(text) == result
    assert result_adapter.validate_json(text) == result
    # parse() reads it back as it was, but for urls of other schemes than http(s): dropped.
    assert keeps_contract(text.encode("utf-8")) == http_only(result)
