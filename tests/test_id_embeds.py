"""Embeds that carry only an id (issue 13, class 4): placeholders, widget calls, rendered frames.

Each rule is checked on a real copy in ``fixtures/id_embeds/`` (provenance in its SOURCES.md);
the short pages below only vary one thing at a time around it.
"""

from __future__ import annotations

import pytest

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.errors import UnsupportedPage


def ids_of(relative: str) -> list[str | None]:
    result = threadkeep.parse(fixture_bytes(f"id_embeds/{relative}"))
    assert isinstance(result, threadkeep.Article)
    return [tweet.id for tweet in result.tweets]


def page_ids(body: str) -> list[str | None]:
    page = f"<html><body><h1>A post</h1><p>Some words of the writer.</p>{body}</body></html>"
    result = threadkeep.parse(page.encode())
    assert isinstance(result, threadkeep.Article)
    return [tweet.id for tweet in result.tweets]


def test_a_widget_call_in_an_inline_script_is_a_tweet() -> None:
    # Hatena Blog's [twitter:ID]: an empty div named after the id, filled by createTweet('ID').
    assert ids_of("daruyanagi-hatena_ja_2013_twitter-syntax-createTweet_slice.html") == [
        "376007236440428544",
        "376007426748600320",
        "376007600665415680",
    ]


def test_a_widget_call_in_a_comment_or_with_a_variable_is_not() -> None:
    script = (
        "<script>// twttr.widgets.createTweet('463440424141459456', box);\n"
        "twttr.widgets.createTweet(tweetId, box);</script>"
    )
    with pytest.raises(UnsupportedPage):
        page_ids(script)


def test_a_call_after_a_url_on_its_line_still_counts() -> None:
    script = (
        "<script>s='https://platform.twitter.com'; twttr.widgets.createTweet(\"20\", e)</script>"
    )
    assert page_ids(script) == ["20"]


def test_placeholders_a_script_fills_are_tweets_in_page_order() -> None:
    # div.tweet-embed[data-tweet-id] under headings; the pull quote's "- @elonmusk" is not one.
    assert ids_of("musk-timeline-site_en_2024_div-tweet-embed-pullquote_slice.html") == [
        "1514698036760530945",
        "1514564966564651008",
        "1514736109825433606",
        "1514714373260029961",
    ]
    # A renderer's bare div[data-tweet-id], each under a caption that is not tweet text.
    result = threadkeep.parse(
        fixture_bytes(
            "id_embeds/shuntaka-renderer_ja_2026_div-data-tweet-id-placeholders_slice.html"
        )
    )
    assert len(result.tweets) == 5
    assert all(t.text is None and t.author is None for t in result.tweets)


def test_an_id_only_tweet_has_its_url_and_its_time_from_the_id() -> None:
    result = threadkeep.parse(
        fixture_bytes("id_embeds/ocramius-blog_en_2017_div-twitter-tweet-data-tweet-id_slice.html")
    )
    (tweet,) = result.tweets  # the front matter's `tweet: 8243…` is the site's field, not an embed
    assert tweet.url == "https://twitter.com/i/status/808545609468801024"
    assert tweet.created_at == threadkeep.snowflake_time("808545609468801024")


def test_rendered_widgets_keep_only_the_id_and_prose_links_are_not_embeds() -> None:
    assert ids_of("yahoo-huffpost_en_2018_canvas-tweet-twitterwidget-prose-links_slice.html") == [
        "1031137499995930624",
        "1031152483949838336",
    ]
    # creatorScreenName names the site that embedded the tweet, not its author.
    result = threadkeep.parse(
        fixture_bytes("id_embeds/jujumilk3-blog_en_2022_bloomberg-memray-rendered-iframe_slice.md")
    )
    assert [(t.id, t.author) for t in result.tweets] == [("1516859294896906241", None)]


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="embed-twitter" data-embed-id="1514698036760530945"></div>',
        '<div class="twitter-embed" data-id="1514698036760530945"></div>',
        '<div data-embed-type="twitter" data-id="1514698036760530945"></div>',
        '<span class="tweet-placeholder-span" data-tweet-id="1514698036760530945"></span>',
        '<div class="twitter-embed" data-tweetid="1514698036760530945"></div>',
    ],
)
def test_cms_placeholders_name_their_tweet(markup: str) -> None:
    assert page_ids(markup) == ["1514698036760530945"]


@pytest.mark.parametrize(
    "markup",
    [
        # SociableKIT's widgets: a number of the service's own, not a tweet (index id 55625389713).
        '<div class="sk-ww-linkedin-page-post" data-embed-id="25680745"></div>',
        '<div class="sk-ww-twitter-feed" data-embed-id="1514698036760530945"></div>',
        '<div class="twitter-embed" data-id="42"></div>',  # a CMS counter
        '<button class="retweet-button" data-tweet-id="1514698036760530945">Retweet</button>',
        '<a class="twitter-share-button" data-tweet-id="1514698036760530945" href="#">Tweet</a>',
        '<iframe src="https://platform.twitter.com/embed/Timeline.html?id=1514698036760530945">'
        "</iframe>",
        "<style>.twitter-tweet { margin: auto }</style>",
    ],
)
def test_ids_outside_embeds_are_not_tweets(markup: str) -> None:
    with pytest.raises(UnsupportedPage):
        page_ids(markup)


def test_a_placeholder_inside_another_belongs_to_it() -> None:
    markup = (
        '<div class="tweet-embed" data-tweet-id="1514698036760530945">'
        '<div class="quoted" data-tweet-id="1514564966564651008"></div></div>'
    )
    assert page_ids(markup) == ["1514698036760530945"]


def test_a_blockquote_inside_a_placeholder_gives_its_text_to_the_tweet() -> None:
    markup = (
        '<div class="tweet-embed" data-tweet-id="1300000000000000000">'
        '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello there</p>&mdash; Jane'
        ' (@jane) <a href="https://twitter.com/jane/status/1300000000000000000">August 30, 2020'
        "</a></blockquote></div>"
    )
    page = f"<html><body><h1>A post</h1>{markup}</body></html>"
    (tweet,) = threadkeep.parse(page.encode()).tweets
    assert (tweet.id, tweet.text, tweet.author and tweet.author.handle) == (
        "1300000000000000000",
        "Hello there",
        "jane",
    )


def test_an_action_bar_naming_its_tweet_is_not_an_embed() -> None:
    # div[data-tweet-id] is an embed (a rendered widget's wrapper) unless it is a control.
    markup = '<div class="tweet-actions" data-tweet-id="1514698036760530945"><a>Like</a></div>'
    with pytest.raises(UnsupportedPage):
        page_ids(markup)


def test_a_placeholder_link_names_the_author_of_its_own_tweet_only() -> None:
    link = (
        '<a class="tweet-embed" data-tweet-id="{id}" href="https://x.com/jack/status/20">'
        "https://x.com/jack/status/20</a>"
    )
    page = "<html><body><h1>A post</h1>{}</body></html>"
    (tweet,) = threadkeep.parse(page.format(link.format(id="20")).encode()).tweets
    assert (tweet.url, tweet.author and tweet.author.handle) == (
        "https://twitter.com/jack/status/20",
        "jack",
    )
    other = threadkeep.parse(page.format(link.format(id="21")).encode()).tweets
    assert [(t.id, t.author) for t in other] == [("21", None)]


def test_a_twitterwidget_in_a_markdown_post_makes_it_a_page_of_embeds() -> None:
    # Holdout copy (a 2017 translation in Markdown): the only markup is a rendered
    # <twitterwidget>, its inside turned into Markdown. It was read as text, with no tweet.
    assert (
        threadkeep.detect(
            fixture_bytes(
                "id_embeds/eternalrocks-lctt_zh_2017_twitterwidget-markdown-inside-refs.md"
            )
        )
        == "article"
    )
    assert ids_of("eternalrocks-lctt_zh_2017_twitterwidget-markdown-inside-refs.md") == [
        "865494946974900224"
    ]


def test_an_id_only_tweet_takes_its_author_from_a_link_to_the_same_status() -> None:
    # Holdout copy (a 2015 CMS body): a rendered frame with only data-tweet-id, and the
    # editor's `data-url=".../Taymastar/statuses/ID"` beside it.
    result = threadkeep.parse(
        fixture_bytes(
            "id_embeds/badha-cms_dv_2015_medium-insert-rendered-iframe-statuses-meta_slice.html"
        )
    )
    (tweet,) = result.tweets
    assert tweet.author is not None and tweet.author.handle == "Taymastar"
    assert tweet.url == "https://twitter.com/Taymastar/status/679393206191136769"


def test_two_handles_for_one_id_name_no_author() -> None:
    frame = '<div data-tweet-id="1516859294896906241"></div>'
    one = '<p>See <a href="https://twitter.com/1st1/status/1516859294896906241">this</a>.</p>'
    other = '<p>Or <a href="https://x.com/someone/status/1516859294896906241">that</a>.</p>'
    for body, handle in [(frame + one, "1st1"), (frame + one + other, None)]:
        page = f"<html><body><h1>A post</h1>{body}</body></html>"
        (tweet,) = threadkeep.parse(page.encode()).tweets
        assert (tweet.author.handle if tweet.author else None) == handle


def test_a_frame_inside_a_tweet_embed_names_its_status_url_percent_encoded() -> None:
    # Holdout copy (a 2026 Zenn chapter): span.zenn-embedded-tweet > iframe[data-content=
    # "https%3A%2F%2Fx.com%2Fpoteto%2Fstatus%2F…"], then an autolink of the same status.
    result = threadkeep.parse(
        fixture_bytes(
            "id_embeds/zenn-book-pstack_zh_2026_zenn-embedded-tweet-iframe-autolink_slice.md"
        )
    )
    (tweet,) = result.tweets
    assert (tweet.id, tweet.author.handle if tweet.author else None) == (
        "2102050467505430555",
        "poteto",
    )


def test_site_generator_tweet_components_are_embeds() -> None:
    # Holdout copy (an elm-pages post, 2019): <Oembed url="…/czaplic/status/…" /> in Markdown.
    data = fixture_bytes("id_embeds/elm-pages_en_2019_oembed-component-prose-link-same-status.md")
    (tweet,) = threadkeep.parse(data).tweets
    assert tweet.url == "https://twitter.com/czaplic/status/928359289135046656"
    # CONSTRUCTED: MDX components as react-tweet and react-twitter-embed write them.
    for markup in [
        '<Tweet id="1516859294896906241" />',
        '<TwitterTweetEmbed tweetId="1516859294896906241"/>',
    ]:
        result = threadkeep.parse(f"# A post\n\nThe writer's words.\n\n{markup}\n")
        assert [t.id for t in result.tweets] == ["1516859294896906241"]


@pytest.mark.parametrize(
    "markup",
    [
        '<Tweet id="42" />',  # not a tweet's id
        '<div class="tweet-box" data-url="https://example.com/status/1516859294896906241"></div>',
        '<div class="sidebar"><iframe data-content="https%3A%2F%2Fx.com%2Fa%2Fstatus%2F1516859294896906241"></iframe></div>',
    ],
)
def test_components_and_frames_without_a_tweet_are_not_embeds(markup: str) -> None:
    # A page of a heading, a sentence and the look-alike: no tweet, so no article either.
    with pytest.raises(UnsupportedPage, match="HTML page with no tweets"):
        page_ids(markup)


def test_site_generator_components_name_their_status_in_tweet_link() -> None:
    # Holdout-3 copies: SvelteKit's <Tweet tweetLink="user/status/ID" /> (three, in page
    # order) and MDX's <Tweet tweetLink="https://twitter.com/…" />.
    maier = threadkeep.parse(
        fixture_bytes("id_embeds/maiertech-blog_en_2022_sveltekit-embed-tweet-tweetlink-three.html")
    )
    assert [(t.author.handle if t.author else None, t.id) for t in maier.tweets] == [
        ("StephaneVanraes", "1477985831168184323"),
        ("maiertech", "1557290685044125697"),
        ("maiertech", "1548034676635275264"),
    ]
    legnoh = ids_of("legnoh-blog_ja_2017_mdx-tweet-tweetlink-full-url_slice.md")
    assert legnoh == ["924329036100222978"]


def test_an_embed_card_linking_a_status_is_a_tweet() -> None:
    # Holdout-3 copy (2015): Embedly's <a class="embedly-card" href="…/bdbrode/status/…">.
    (tweet,) = threadkeep.parse(
        fixture_bytes("id_embeds/hearthstone-discover-blog_en_2015_embedly-card-anchor_slice.md")
    ).tweets
    assert (tweet.id, tweet.author.handle if tweet.author else None) == (
        "666359351980920832",
        "bdbrode",
    )


def test_a_widget_frame_kept_as_a_link_on_its_own_line_is_a_tweet() -> None:
    # Holdout-3 copy (a Markdown translation of a Kinja article): each embed is a link to
    # "…/embed/inset/iframe?id=twitter-ID"; two prose links to other statuses are not embeds.
    data = fixture_bytes(
        "id_embeds/lifehacker-zh_zh_2021_kinja-inset-iframe-links-prose-status-links.md"
    )
    result = threadkeep.parse(data)
    assert [t.id for t in result.tweets] == ["1349836787837923329", "1349983599865466881"]
    assert all(t.author is None for t in result.tweets)
    # CONSTRUCTED: Twitter's own frame url kept as a bare line is one too.
    frame = "https://platform.twitter.com/embed/Tweet.html?dnt=false&id=1516859294896906241"
    text = f"# A post\n\nThe writer's words.\n\n{frame}\n"
    assert [t.id for t in threadkeep.parse(text).tweets] == ["1516859294896906241"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Liquid on dev.to, ids only ("{% twitter 1385086684589481984%}" too).
        (
            "devto-adriens_fr_2021_liquid-twitter-id-three-youtube-github.md",
            [
                (None, "1289475231774457857"),
                (None, "1385086684589481984"),
                (None, "1419422023462182912"),
            ],
        ),
        # Hugo, user and id by position.
        (
            "pnpm-devblog_en_2022_hugo-twitter-positional-user-id-comment-url_slice.md",
            [("HemSays", None)],
        ),
        # Hugo, user= and id=.
        (
            "coldwoong-hugo-blowfish_ko_2019_hugo-twitter-user-id-rich-content-demo.md",
            [("DesignReviewed", "1085870671291310081")],
        ),
        # WordPress's [tweet url], Markdoc's {% tweet url=… /%}, Zenn's @[tweet](url).
        (
            "klauer-blog_en_2012_wordpress-jetpack-tweet-shortcode.md",
            [("swannodette", "243866691728183298")],
        ),
        (
            "markdoc-blog-template_en_2022_markdoc-tweet-url-self-closing.md",
            [("flexdinesh", "1605685194312122370")],
        ),
        ("zenn-go-switch_ja_2020_zenn-at-tweet-notation-prose-links.md", [(None, None)]),
        # Jekyll tags left as text in a post that is otherwise HTML.
        (
            "spendstack-indie-diaries_en_2020_jekyll-twitter-plugin-url-s20_slice.md",
            [(None, None)] * 3,
        ),
    ],
)
def test_a_blog_sources_tweet_notations_are_tweets(
    name: str, expected: list[tuple[str | None, str | None]]
) -> None:
    # Holdout-4 copies: Markdown sources as their authors wrote them, before the site
    # generator turned each notation into the widget. None in `expected`: not checked.
    tweets = threadkeep.parse(fixture_bytes(f"id_embeds/{name}")).tweets
    assert len(tweets) == len(expected)
    for tweet, (handle, tweet_id) in zip(tweets, expected, strict=True):
        assert tweet.id is not None and tweet.created_at is not None
        if tweet_id is not None:
            assert tweet.id == tweet_id
        if handle is not None:
            assert tweet.author is not None and tweet.author.handle == handle


def test_a_notation_and_the_quote_of_the_same_tweet_are_one_tweet() -> None:
    # Holdout-4 copy (2013 post moved to Hugo): {{< x user=… id=… >}}, then the Markdown quote
    # of the same tweet with its attribution: two tweets, not four, each with its text.
    tweets = threadkeep.parse(
        fixture_bytes("id_embeds/yteraoka-blog_ja_2013_hugo-x-shortcode-markdown-quote-pair.md")
    ).tweets
    assert len(tweets) == 2 and all(t.text and t.author for t in tweets)
    assert len({t.id for t in tweets}) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alvincrespo-til_en_2019_hashnode-percent-bracket-url-ref-src.md", ["chrisachard"]),
        ("kumo-sls-mentor_en_2024_devto-liquid-embed-url-cta-tags.md", ["PierreChollet22"]),
        ("carlboettiger-notebook_en_2011_wordpress-blackbirdpie-hashbang-url.md", ["tweeting_cpu"]),
        (
            "marcin-legacy-blog_en_2013_wordpress-blackbirdpie-two-urls-handle-case.md",
            ["WoodyZuill", "woodyzuill"],
        ),
        ("jordaneldredge-blog_en_2021_remark-directive-tweet-status-youtube-token.md", [None]),
        (
            "ds4p-course_en_2024_rmarkdown-chunk-try-include-tweet-echo-false_rmd.md",
            ["rfunctionaday"],
        ),
        # The same notation shown in a code block to teach it, then used: one tweet.
        ("retypeset-astro_ja_2025_remark-directive-tweet-url-syntax-and-effect.md", ["hachi_08"]),
        (
            "markdown-customblocks-docs_en_2020_python-markdown-customblock-twitter-user-id-options.md",
            ["votomitico"],
        ),
        ("mike504110403-hugo_zh-hant_2021_hugo-tweet-id-extra-flag-label-line.md", [None]),
        # Only shown as code ({% embed … %} and <Embed …/> in fences): no tweet.
        ("astro-cache-embed_en_2023_lookalike-liquid-mdx-embed-in-code-fences.md", []),
    ],
)
def test_more_notations_and_code_that_only_shows_them(
    name: str, expected: list[str | None]
) -> None:
    # Holdout-5 copies: Hashnode %[url], dev.to {% embed url %}, WordPress [blackbirdpie url=…]
    # (a 2011 "#!" url too), remark ::tweet{…}, R Markdown's include_tweet() in a chunk that runs,
    # ::: twitter blocks, Hugo options after the id.
    tweets = threadkeep.parse(fixture_bytes(f"id_embeds/{name}")).tweets
    assert [t.author.handle if t.author else None for t in tweets] == expected
    assert all(t.id and t.created_at for t in tweets)
