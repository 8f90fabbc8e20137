"""Substack's tweets, every generation: the component element, the bare ``div.tweet`` /
``div.twitter-embed`` with ``data-attrs`` (2019–2022, sanitized feeds), quoted tweets with no
id, and the static cards of a post's e-mail and web version as Markdown copies keep them.

Each rule is checked on a real copy in ``fixtures/substack`` (see its SOURCES.md).
"""

from __future__ import annotations

import lxml.html

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.parsing import substack


def parse(name: str) -> threadkeep.Article:
    result = threadkeep.parse(fixture_bytes(f"substack/{name}"))
    assert isinstance(result, threadkeep.Article)
    return result


def test_a_tweet_div_without_the_component_name_is_a_tweet() -> None:
    """2020: ``div.tweet[data-attrs]`` and its rendered header, text and footer."""
    (tweet,) = parse("substack_en_2020_kroger_div-tweet-attrs_gotest_slice.html").tweets
    assert tweet.id == "1271516803756425218"
    assert tweet.author is not None and tweet.author.handle == "kroger"
    assert tweet.text is not None and tweet.text.endswith("Black Lives Matter.")
    assert [m.url for m in tweet.media] == ["https://pbs.substack.com/media/EaVVy4aXsAglkCk.jpg"]


def test_a_quoted_tweet_without_an_id_is_kept() -> None:
    (tweet,) = parse("substack_en_2020_okdunc_quoted-no-id_jsx_slice.html").tweets
    assert tweet.id == "1314065374480986114"  # its url ends in a stray ")"
    quoted = tweet.quoted
    assert quoted is not None and quoted.id is None and quoted.url is None
    assert quoted.author is not None and quoted.author.handle == "OKDunc"
    assert (
        quoted.text
        == "30K users now touching the @Collab_Land_ system 🤲🤖 https://t.co/FtrqnUZSuR"
    )


def test_full_text_newlines_are_line_breaks() -> None:
    first, second = parse(
        "substack_en_2026_mattarderne_twitter-embed-attrs-only_jekyll_slice.html"
    ).tweets
    assert first.text == (
        "in 2025, what option does an LLM have but to do the data modelling in dbt?\n\n"
        "somewhat serious question"
    )
    assert second.text is not None and second.text.endswith(
        "\n\nblog.codecentric.de/en/2017/07/agi…"
    )
    assert second.links[0].url.startswith("https://blog.codecentric.de/en/2017/07/agile-database")


def test_the_data_div_inside_a_component_is_read_once() -> None:
    (tweet,) = parse("substack_en_2026_philogroves_reader-test_slice.html").tweets
    assert tweet.id == "2042195139477557499"
    assert tweet.author is not None and tweet.author.name == "Philo Groves"


def test_a_tweet_div_needs_its_data() -> None:
    """A ``div.tweet`` without ``data-attrs`` (a site's own widget) is not Substack's."""
    own = lxml.html.fromstring('<div class="tweet"><p>Not a tweet</p></div>')
    assert not substack.is_substack_tweet(own)
    data = lxml.html.fromstring('<div class="tweets-list" data-attrs="{}"></div>')
    assert not substack.is_substack_tweet(data)  # the class is a word, not a prefix
