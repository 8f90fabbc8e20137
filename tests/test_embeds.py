"""Embedded tweets in articles: every markup variant, deduplication, quoted tweets, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import threadkeep
from tests.conftest import fixture_bytes


def article(body: str, head: str = "<title>An article</title>") -> threadkeep.Article:
    page = f"<!DOCTYPE html><html><head>{head}</head><body><article>{body}</article></body></html>"
    result = threadkeep.parse(page.encode("utf-8"))
    assert isinstance(result, threadkeep.Article)
    return result


def only(result: threadkeep.Article) -> threadkeep.Tweet:
    assert len(result.tweets) == 1
    return result.tweets[0]


CANONICAL = (
    '<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">Saving '
    '<a href="https://twitter.com/hashtag/archives?src=hash&amp;ref_src=twsrc%5Etfw">#archives</a>'
    ' with <a href="https://twitter.com/someone?ref_src=twsrc%5Etfw">@someone</a> '
    '<a href="https://t.co/AbCdEf">https://t.co/AbCdEf</a> '
    '<a href="https://t.co/XyZ">pic.twitter.com/XyZ</a></p>&mdash; Jane Doe (@jane_doe) '
    '<a href="https://twitter.com/jane_doe/status/1300000000000000000?ref_src=twsrc%5Etfw">'
    "August 30, 2020</a></blockquote>"
)


def test_canonical_embed() -> None:
    tweet = only(article(CANONICAL))
    assert tweet.id == "1300000000000000000"
    assert tweet.url == "https://twitter.com/jane_doe/status/1300000000000000000"
    assert tweet.author == threadkeep.Author(
        handle="jane_doe", name="Jane Doe", url="https://twitter.com/jane_doe"
    )
    assert tweet.text == "Saving #archives with @someone https://t.co/AbCdEf pic.twitter.com/XyZ"
    assert tweet.hashtags == ("archives",)
    assert tweet.mentions == ("someone",)
    assert [link.short_url for link in tweet.links] == ["https://t.co/AbCdEf"]
    assert [(m.kind, m.url) for m in tweet.media] == [("photo", "https://pic.twitter.com/XyZ")]
    assert tweet.lang == "en"
    assert tweet.date_text == "August 30, 2020"
    assert tweet.created_at == threadkeep.snowflake_time("1300000000000000000")


@pytest.mark.parametrize(
    ("label", "markup"),
    [
        (
            "literal dash, extra spaces",
            '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello there</p>'
            '— Jane   Doe   (@jane_doe) <a href="https://twitter.com/jane_doe/status/1300000000000000000">'
            "August 30, 2020</a></blockquote>",
        ),
        (
            "mojibake dash",
            '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello there</p>'
            'â€” Jane Doe (@jane_doe) <a href="https://twitter.com/jane_doe/status/1300000000000000000"'
            ' rel="nofollow">August 30, 2020</a></blockquote>',
        ),
        (
            "attribution in its own <p> (WordPress), dir before lang",
            '<blockquote class="twitter-tweet" width="550">\n  <p dir="ltr" lang="en">\n    Hello there'
            "\n  </p>\n  <p>\n    &mdash; Jane Doe (@jane_doe) "
            '<a href="https://twitter.com/jane_doe/status/1300000000000000000">August\n30, 2020</a>'
            "\n  </p>\n</blockquote>",
        ),
        (
            "x.com host, mobile host",
            '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello there</p>&mdash; Jane Doe '
            '(@jane_doe) <a href="https://mobile.x.com/jane_doe/status/1300000000000000000?ref_src=x">'
            "August 30, 2020</a></blockquote>",
        ),
    ],
)
def test_attribution_variants(label: str, markup: str) -> None:
    tweet = only(article(markup))
    assert tweet.text == "Hello there", label
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("jane_doe", "Jane Doe"), label
    assert tweet.id == "1300000000000000000", label
    assert tweet.date_text == "August 30, 2020", label


def test_pre_2015_embed_without_p_and_statuses_link() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-tweet" lang="en">There is too much configuration. '
            "&mdash; Rob Pike (@rob_pike) "
            '<a href="https://twitter.com/rob_pike/statuses/360557625756229632">July 26, 2013</a>'
            "</blockquote>"
        )
    )
    assert tweet.text == "There is too much configuration."
    assert tweet.id == "360557625756229632"
    assert tweet.author is not None and tweet.author.handle == "rob_pike"


def test_several_paragraphs_and_line_breaks() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-tweet"><p lang="de" dir="ltr">Erste Zeile<br>zweite Zeile</p>'
            "<p>Zweiter Absatz</p>&mdash; Name (@handle) "
            '<a href="https://twitter.com/handle/status/1300000000000000000">30. August 2020</a>'
            "</blockquote>"
        )
    )
    assert tweet.text == "Erste Zeile\nzweite Zeile\n\nZweiter Absatz"
    assert tweet.lang == "de"


@pytest.mark.parametrize(
    ("shown", "day"),
    [
        ("6. März 2018", datetime(2018, 3, 6, tzinfo=UTC)),
        ("7 août 2014", datetime(2014, 8, 7, tzinfo=UTC)),
        ("7 de agosto de 2014", datetime(2014, 8, 7, tzinfo=UTC)),
        ("23 January 2017", datetime(2017, 1, 23, tzinfo=UTC)),
        ("December\n15, 2020", datetime(2020, 12, 15, tzinfo=UTC)),
        ("2018年3月6日", datetime(2018, 3, 6, tzinfo=UTC)),
    ],
)
def test_dates_are_read_in_the_widget_language_when_the_id_is_lost(
    shown: str, day: datetime
) -> None:
    # A CMS rewrote the status link, so only the date text tells when the tweet was made.
    tweet = only(
        article(
            f'<blockquote class="twitter-tweet"><p>Bonjour</p>&mdash; Nom (@nom) '
            f'<a href="/redirect?to=tweet">{shown}</a></blockquote>'
        )
    )
    assert tweet.id is None
    assert tweet.date_text == " ".join(shown.split())
    assert tweet.created_at == day
    assert tweet.author is not None and tweet.author.handle == "nom"


def test_rendered_amp_wordpress_and_bare_links() -> None:
    result = article(
        '<div class="twitter-tweet twitter-tweet-rendered"><iframe id="twitter-widget-0" '
        'src="https://platform.twitter.com/embed/Tweet.html?id=1100000000000000001" '
        'data-tweet-id="1100000000000000001"></iframe></div>'
        '<amp-twitter width="375" height="472" data-tweetid="1100000000000000002"></amp-twitter>'
        '<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter">'
        '<div class="wp-block-embed__wrapper">\nhttps://twitter.com/someone/status/1100000000000000003\n'
        "</div></figure>"
        '<p><a href="https://twitter.com/other/status/1100000000000000004">'
        "https://twitter.com/other/status/1100000000000000004</a></p>"
        '<p>As <a href="https://twitter.com/third/status/1100000000000000005">she said</a>, no.</p>'
    )
    assert [t.id for t in result.tweets] == [
        "1100000000000000001",
        "1100000000000000002",
        "1100000000000000003",
        "1100000000000000004",
    ]  # the prose link "she said" is not an embed
    assert result.tweets[2].author is not None
    assert result.tweets[2].author.handle == "someone"
    assert all(t.text is None for t in result.tweets)
    assert all(t.created_at is not None for t in result.tweets)


def test_same_tweet_three_ways_appears_once_with_its_text() -> None:
    result = article(
        '<div class="twitter-tweet twitter-tweet-rendered"><iframe '
        'data-tweet-id="1300000000000000000"></iframe></div>'
        + CANONICAL
        + '<amp-twitter data-tweetid="1300000000000000000"></amp-twitter>'
    )
    tweet = only(result)
    assert tweet.text is not None and tweet.text.startswith("Saving #archives")
    assert tweet.author is not None and tweet.author.name == "Jane Doe"


def test_nested_blockquote_is_the_quoted_tweet() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-tweet"><p>Look at this</p>'
            '<blockquote class="twitter-tweet"><p>Original words</p>&mdash; Orig (@orig) '
            '<a href="https://twitter.com/orig/status/1200000000000000000">Dec 1, 2019</a></blockquote>'
            '&mdash; Quoter (@quoter) <a href="https://twitter.com/quoter/status/1300000000000000000">'
            "Aug 30, 2020</a></blockquote>"
        )
    )
    assert tweet.id == "1300000000000000000"
    assert tweet.text == "Look at this"
    assert tweet.quoted is not None
    assert (tweet.quoted.id, tweet.quoted.text) == ("1200000000000000000", "Original words")


def test_twitter_video_embed() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-video" data-lang="en"><p lang="en" dir="ltr">Watch '
            '<a href="https://t.co/V1d">pic.twitter.com/V1d</a></p>&mdash; Vid (@vid) '
            '<a href="https://twitter.com/vid/status/1300000000000000000">August 30, 2020</a>'
            "</blockquote>"
        )
    )
    assert [m.kind for m in tweet.media] == ["video"]


def test_a_class_that_only_starts_with_twitter_video_is_no_video() -> None:
    # "twitter-video" is a class of its own, read as the embed's other classes are.
    tweet = only(
        article(
            '<blockquote class="twitter-tweet twitter-video-frame"><p>Look '
            '<a href="https://t.co/P1c">pic.twitter.com/P1c</a></p>&mdash; Pic (@pic) '
            '<a href="https://twitter.com/pic/status/1300000000000000000">August 30, 2020</a>'
            "</blockquote>"
        )
    )
    assert [(m.kind, m.url) for m in tweet.media] == [("photo", "https://pic.twitter.com/P1c")]


def test_empty_shell_gives_id_only() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-tweet" data-lang="en">'
            '<a href="https://twitter.com/someone/status/27541546787"></a></blockquote>'
        )
    )
    assert tweet.id == "27541546787"
    assert tweet.text is None
    assert tweet.created_at is None  # a pre-Snowflake id carries no time


def embed(handle: str, tweet_id: int, date: str = "Aug 30, 2020") -> str:
    """A canonical embed of a tweet whose text is "Tweet <id>"."""
    return (
        f'<blockquote class="twitter-tweet"><p>Tweet {tweet_id}</p>&mdash; N (@{handle}) '
        f'<a href="https://twitter.com/{handle}/status/{tweet_id}">{date}</a></blockquote>'
    )


def test_runs_of_one_author_are_threads() -> None:
    result = article(
        embed("a", 1300000000000000001)
        + "<p>Prose between.</p>"
        + embed("a", 1300000000000000002)
        + embed("b", 1300000000000000003)
        + embed("a", 1300000000000000004)
        + embed("a", 1300000000000000005)
        + embed("a", 1300000000000000006)
    )
    assert [[t.id for t in thread.tweets] for thread in result.threads] == [
        ["1300000000000000001", "1300000000000000002"],
        ["1300000000000000004", "1300000000000000005", "1300000000000000006"],
    ]
    assert [t.position for t in result.threads[1].tweets] == [1, 2, 3]


def test_article_with_no_tweets_is_valid_and_empty() -> None:
    result = article("<h1>Headline</h1><p>Nothing embedded here.</p>")
    assert result.tweets == ()
    assert result.title == "An article"


def test_real_article_slice_keeps_prose_links_out() -> None:
    result = threadkeep.parse(fixture_bytes("articles/theverge_2019_facetime_slice.html"))
    assert isinstance(result, threadkeep.Article)
    tweet = only(result)
    assert tweet.id == "1146359923158089728"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("schukin", "Dave Schukin")
    assert tweet.text is not None
    assert "adjusts the eyes accordingly.\n\nNotice the warping" in tweet.text
    assert tweet.date_text == "July 3, 2019"


def test_blog_post_quoting_thread_reader_markup_is_an_article() -> None:
    result = threadkeep.parse(fixture_bytes("articles/polettix_2020_scrape_post_md.html"))
    assert isinstance(result, threadkeep.Article)
    assert result.title == "Scrape a Thread of Tweets"
    assert only(result).id == "1215710451343904768"


def test_wordpress_attribution_paragraph_real() -> None:
    result = threadkeep.parse(fixture_bytes("articles/kwmt_2013_wordpress_ja_md.html"))
    assert isinstance(result, threadkeep.Article)
    tweet = only(result)
    assert tweet.text == "@yasi_kawamoto All strings contain the empty string."
    assert tweet.author is not None and tweet.author.name == "Rob Pike"
    assert tweet.date_text == "October 9, 2013"


def test_web_archive_copy_parses_like_the_original() -> None:
    result = threadkeep.parse(fixture_bytes("articles/constructed_webarchive_verge_2019.html"))
    assert isinstance(result, threadkeep.Article)
    original = (
        "https://www.theverge.com/2019/7/3/20680681/"
        "ios-13-beta-3-facetime-attention-correction-eye-contact"
    )
    assert result.url == original
    assert result.source is not None
    assert result.source.url == original
    assert result.source.captured_at == datetime(2019, 7, 4, 8, 30, 12, tzinfo=UTC)
    tweet = only(result)  # the toolbar's link to the tweet is not an embed
    assert tweet.url == "https://twitter.com/schukin/status/1146359923158089728"
    assert tweet.media[0].url == "https://pic.twitter.com/U7PMa4oNGN"
    assert "web.archive.org" not in result.model_dump_json()


def test_archive_url_given_by_the_caller_is_restored() -> None:
    archived = "https://web.archive.org/web/20200110190213/https://news.example/story.html"
    result = threadkeep.parse(
        (
            "<html><head><title>Story</title></head><body><article>"
            + CANONICAL
            + "</article></body></html>"
        ).encode(),
        url=archived,
    )
    assert result.url == "https://news.example/story.html"
    assert result.source is not None
    assert result.source.captured_at == datetime(2020, 1, 10, 19, 2, 13, tzinfo=UTC)


# -- pre-2017 widgets saved rendered, and Substack's own tweet component ----------------------

RENDERED_2016 = (
    '<div class="EmbeddedTweet js-clickToOpenTarget" id="twitter-widget-0" lang="en">'
    '<div class="EmbeddedTweet-tweet"><blockquote class="Tweet h-entry js-tweetIdInfo subject '
    'expanded" cite="https://twitter.com/kevinmarks/status/700752598123433985" '
    'data-tweet-id="700752598123433985"><div class="Tweet-header u-cf">'
    '<div class="TweetAuthor"><a class="TweetAuthor-link Identity u-linkBlend" '
    'href="https://twitter.com/kevinmarks"><span class="TweetAuthor-name Identity-name" '
    'title="Kevin Marks">Kevin Marks</span> <span class="TweetAuthor-screenName '
    'Identity-screenName" title="@kevinmarks">@kevinmarks</span></a></div></div>'
    '<div class="Tweet-body e-entry-content"><p class="Tweet-text e-entry-title" lang="en" '
    'dir="ltr">I wish people would stop using u- as a prefix for utility classes in CSS.</p>'
    '<div class="Tweet-metadata dateline"><a class="u-linkBlend u-url long-permalink" '
    'href="https://twitter.com/kevinmarks/status/700752598123433985"><time class="dt-updated" '
    'datetime="2016-02-19T18:43:33+0000">10:43 AM - 19 Feb 2016</time></a></div></div>'
    "</blockquote></div></div>"
)


def test_widget_saved_rendered_without_its_wrapper() -> None:
    # A 2016 page saved after the widget script ran, with no <twitterwidget> around it.
    tweet = only(threadkeep.parse(RENDERED_2016.encode()))  # type: ignore[arg-type]
    assert tweet.id == "700752598123433985"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("kevinmarks", "Kevin Marks")
    assert tweet.text == "I wish people would stop using u- as a prefix for utility classes in CSS."
    assert tweet.date_text == "10:43 AM - 19 Feb 2016"


SUBSTACK_ATTRS = (
    "<p>Before</p>"
    '<div class="twitter-embed" data-attrs="{&quot;url&quot;:&quot;https://twitter.com/'
    "notdetails/status/961570492162494464&quot;,&quot;full_text&quot;:&quot;Hey, I'm "
    "open-sourcing the framework I put together &lt;a class=\\&quot;tweet-url\\&quot; "
    "href=\\&quot;https://docs.google.com/spreadsheets/d/1huE/edit\\&quot;&gt;docs.google.com/"
    "spreadsheets/d…&lt;/a&gt; #jobs&quot;,&quot;username&quot;:&quot;notdetails&quot;,"
    "&quot;name&quot;:&quot;Joel Califa&quot;,&quot;profile_image_url&quot;:&quot;https://"
    "pbs.substack.com/profile_images/1/a_normal.jpg&quot;,&quot;date&quot;:&quot;Thu Feb 08 "
    "12:00:45 +0000 2018&quot;,&quot;photos&quot;:[{&quot;img_url&quot;:&quot;https://"
    "pbs.substack.com/media/DVa.jpg&quot;,&quot;link_url&quot;:&quot;https://t.co/x&quot;}],"
    '&quot;quoted_tweet&quot;:{},&quot;video_url&quot;:null}" '
    'data-component-name="Twitter2ToDOM"></div><p>After</p>'
)
SUBSTACK_RENDERED = (
    '<p>The FTC is finally looking at the AI labs.</p><a href="https://x.com/andrewcurran_/'
    'status/2105316112061599997" data-component-name="Twitter2ToDOM" class="pencraft '
    'pc-display-contents pc-reset"><div class="pencraft tweet-fWkQfo twitter-embed"><div '
    'class="pencraft pc-display-flex"><div class="container-TAtrWj"><picture><img src="https:'
    "//substackcdn.com/image/fetch/w_40/https%3A%2F%2Fpbs.substack.com%2Fprofile_images%2F1%2F"
    '_X3.jpg" alt="X avatar for @AndrewCurran_"></picture></div><div class="pencraft '
    'flex-grow-hUPOlM"><span class="pencraft weight-semibold-LL37we">Andrew Curran</span>'
    '<span class="pencraft color-secondary-B3TpYa">@AndrewCurran_</span></div></div>'
    '<div class="pencraft pc-reset size-15-gjMpX1 reset-PDs18X text-aFN1BV">The FTC has '
    'opened a probe into Anthropic and OpenAI. </div><div class="pencraft container-aGHQ9p">'
    '<img src="https://pbs.substack.com/media/HTeV2MCa8AANqVb.jpg" loading="lazy"></div>'
    '<div class="pencraft"><div class="pencraft size-13-yQMlsX"><span class="pencraft">3:17 PM'
    ' · Sep 30, 2026</span><span class="pencraft"> · </span><span class="pencraft">14.3K Views'
    "</span></div></div></div></a>"
)


def test_substack_component_with_its_data() -> None:
    tweet = only(article(SUBSTACK_ATTRS))
    assert tweet.id == "961570492162494464"
    assert tweet.url == "https://twitter.com/notdetails/status/961570492162494464"
    assert tweet.author == threadkeep.Author(
        handle="notdetails",
        name="Joel Califa",
        url="https://twitter.com/notdetails",
        avatar="https://pbs.substack.com/profile_images/1/a_normal.jpg",
    )
    assert tweet.text == (
        "Hey, I'm open-sourcing the framework I put together docs.google.com/spreadsheets/d… #jobs"
    )
    assert tweet.links == (
        threadkeep.Link(
            url="https://docs.google.com/spreadsheets/d/1huE/edit",
            display="docs.google.com/spreadsheets/d…",
        ),
    )
    assert tweet.hashtags == ("jobs",)
    assert tweet.date_text == "Thu Feb 08 12:00:45 +0000 2018"
    assert tweet.created_at == threadkeep.snowflake_time("961570492162494464")
    assert [(m.kind, m.url) for m in tweet.media] == [
        ("photo", "https://pbs.substack.com/media/DVa.jpg")
    ]


def test_substack_component_rendered() -> None:
    tweet = only(article(SUBSTACK_RENDERED))
    assert tweet.id == "2105316112061599997"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("AndrewCurran_", "Andrew Curran")
    assert tweet.text == "The FTC has opened a probe into Anthropic and OpenAI."
    assert tweet.date_text == "3:17 PM · Sep 30, 2026"
    assert [m.url for m in tweet.media] == ["https://pbs.substack.com/media/HTeV2MCa8AANqVb.jpg"]


def test_substack_page_is_detected_without_an_article_marker() -> None:
    result = threadkeep.parse(SUBSTACK_RENDERED.encode())
    assert isinstance(result, threadkeep.Article) and len(result.tweets) == 1


def test_a_hyphen_in_the_text_is_not_the_attribution_dash() -> None:
    # A 2014 embed with no <p>: the tweet quotes someone with " - @housecor" before the
    # attribution's em dash.
    markup = (
        '<blockquote class="twitter-tweet" lang="en">"Code is like humor. When you *have* to '
        'explain it, it\'s bad" - <a href="https://twitter.com/housecor">@housecor</a>\n\n'
        '— About Programming (@abt_programming) <a href="https://twitter.com/abt_programming/'
        'statuses/448101448564629504">March 24, 2014</a></blockquote>'
    )
    tweet = only(article(markup))
    assert tweet.author is not None and tweet.author.name == "About Programming"
    assert tweet.text == (
        '"Code is like humor. When you *have* to explain it, it\'s bad" - @housecor'
    )
    assert tweet.mentions == ("housecor",)


def test_amp_placeholder_gives_the_whole_tweet() -> None:
    markup = (
        '<amp-twitter width="400" height="250" layout="responsive" '
        'data-tweetid="1007758301788925953"><blockquote placeholder><p lang="en" dir="ltr">'
        'I hate to say but <a href="https://twitter.com/Twitter?ref_src=twsrc%5Etfw">@Twitter'
        '</a> sucks for knowledge.</p>&mdash; Smerity (@Smerity) <a href="https://twitter.com/'
        'Smerity/status/1007758301788925953?ref_src=twsrc%5Etfw">June 15, 2018</a></blockquote>'
        "</amp-twitter>"
    )
    tweet = only(article(markup))
    assert tweet.id == "1007758301788925953"
    assert tweet.author is not None and tweet.author.handle == "Smerity"
    assert tweet.text == "I hate to say but @Twitter sucks for knowledge."
    assert tweet.date_text == "June 15, 2018"


def test_an_authors_tweets_months_apart_are_not_one_thread() -> None:
    # 1954792229806936385 is 2025-08-11; 1954800000000000000 is 31 minutes later;
    # 2039325011564269822 is 2026-04-01 (a real post showed these three in a row).
    result = article(
        embed("a", 1954792229806936385, "August 11, 2025")
        + embed("a", 1954800000000000000, "August 11, 2025")
        + embed("a", 2039325011564269822, "April 1, 2026")
    )
    assert [[t.id for t in thread.tweets] for thread in result.threads] == [
        ["1954792229806936385", "1954800000000000000"]
    ]


def test_embed_cut_down_to_a_labelled_link() -> None:
    # Real (rustdesk, 2026): the blockquote holds only a link whose text is a call to action.
    tweet = only(
        article(
            '<blockquote class="twitter-video" data-media-max-width="560">'
            '<a href="https://twitter.com/rustdesk/status/2087945266855026744">'
            "X でデモ動画を見る</a></blockquote>"
        )
    )
    assert tweet.id == "2087945266855026744"
    assert tweet.author is not None and tweet.author.handle == "rustdesk"
    assert tweet.text is None and tweet.date_text is None
    assert [(m.kind, m.url) for m in tweet.media] == [("video", None)]


def test_embed_cut_down_to_its_date_link_keeps_the_date() -> None:
    tweet = only(
        article(
            '<blockquote class="twitter-tweet">'
            '<a href="https://twitter.com/a/status/462998235913244672">May 4, 2014</a>'
            "</blockquote>"
        )
    )
    assert tweet.text is None
    assert tweet.date_text == "May 4, 2014"


@pytest.mark.parametrize(
    "inner",
    [
        "\nhttps://twitter.com/dnystedt/status/2087701990302437703\n",
        '<a href="https://twitter.com/dnystedt/status/2087701990302437703">'
        "https://twitter.com/dnystedt/status/2087701990302437703</a>",
    ],
    ids=["bare-url", "anchor"],
)
def test_wordpress_embed_with_a_caption(inner: str) -> None:
    # Gutenberg keeps the editor's caption (with its own link) beside the url's wrapper.
    tweet = only(
        article(
            '<figure class="wp-block-embed is-type-rich is-provider-twitter '
            'wp-block-embed-twitter"><div class="wp-block-embed__wrapper">'
            f'{inner}</div><figcaption class="wp-element-caption"><em>What '
            '<a href="https://example.org/">he</a> says about testing.</em></figcaption>'
            "</figure>"
        )
    )
    assert tweet.id == "2087701990302437703"
    assert tweet.author is not None and tweet.author.handle == "dnystedt"
