"""Text copies of articles (issue 13, class 1): where an embedded tweet's text starts.

Each rule of ``threadkeep/parsing/text_article.py`` and ``text_tweet_body.py`` is checked on
the real copies in ``fixtures/text_articles/`` (provenance in its SOURCES.md); the few
shapes no real copy shows are small constructed strings, marked as such.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import threadkeep
from threadkeep.models import Article
from threadkeep.parsing.text_article import find_text_embeds

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "text_articles"


def article(name: str) -> Article:
    result = threadkeep.parse((FIXTURES / name).read_bytes())
    assert isinstance(result, Article)
    return result


def texts(name: str) -> list[str | None]:
    return [tweet.text for tweet in article(name).tweets]


def test_an_attribution_at_the_end_of_the_tweets_own_line() -> None:
    # "… pic.twitter.com/3Y4nvfD0K5 — Philippine Red Cross (@philredcross) April 23, 2019"
    (tweet,) = article("rappler_en_2019_quake_sameline.txt").tweets
    assert tweet.text is not None and tweet.text.startswith("Initial image on the damage")
    assert tweet.text.endswith("Rolando Espino. pic.twitter.com/3Y4nvfD0K5")
    assert (tweet.author.handle, tweet.author.name) == ("philredcross", "Philippine Red Cross")


def test_no_space_before_the_dash_and_one_line_per_tweet() -> None:
    tweets = article("buzzfeed_en_2024_quake_nospace_dash.txt").tweets
    assert [t.author.handle for t in tweets][1:3] == ["ExVilln", "ElieNYC"]
    assert tweets[1].text == "Y’all felt that too? #earthquake pic.twitter.com/6Lp1TfUZ17"
    assert tweets[4].author.name == "Andrew LaSane"


def test_lines_of_links_after_an_attribution_are_the_tweets_last_lines() -> None:
    first = article("buzzfeed_en_2024_quake_nospace_dash.txt").tweets[0]
    assert first.text is not None and first.text.endswith(
        "Updates at:\n📱https://t.co/IbUfG7TFOL\n🌐https://t.co/AXvOM7I4Th\n"
        "🖥https://t.co/wPtMW5ND1t pic.twitter.com/8bBRdU6A9S"
    )
    brennan, weather = article("sputnik_en_2019_quake_pic_after.txt").tweets
    assert brennan.text is not None and brennan.text.endswith(".\npic.twitter.com/YPsmnOGtDV")
    assert weather.text is not None and weather.text.startswith("Terrifying footage")
    # The extractor kept a tweet's first line above its attribution and put the rest below,
    # up to the picture link Twitter puts last (read first as the writer's prose: see
    # fixtures/text_articles/SOURCES.md).
    second = texts("laranchada_es_2020_alferdez_quoted.txt")[1]
    assert second is not None and second.startswith("versión acústica del gran #MarioBarassi\n")
    assert second.endswith("quedarse en casa#QuedateEnCasa pic.twitter.com/It20DZobC9")
    # The writer's next paragraph, which quotes the tweet, is not the tweet's.
    assert "expresó Barassi" not in second


def test_a_tweets_lines_below_its_attribution_run_to_its_picture_link() -> None:
    # Found by the lead (breakingnews 2017): "I tried to make a GIF…" above the attribution,
    # three more lines of the tweet below it, the last ending in its pic.twitter.com link.
    first, second, third = article(
        "breakingnews_en_2017_threadreader_lines_after_attribution.txt"
    ).tweets
    assert first.text == "1/ In Defense of Rachel and Joey: A Thread"
    assert second.text == (
        "I tried to make a GIF that explain @tttthreads\nDo you understand it?\n"
        "RT => yes / Like => no / Reply for critics\n"
        "Thank you for your help :) pic.twitter.com/RB7pDNp722"
    )
    assert third.text is not None and third.text.endswith(
        "This is genius https://t.co/WhcKBBORDr @tttthreads"
    )
    # Lines below an attribution with no such link are the writer's (constructed).
    tweets = find_text_embeds(
        "Intro line here.\nA tweet\n— A (@a) May 1, 2020\nThe writer goes on.\n"
    )
    assert [t.text for t in tweets] == ["A tweet"]


def test_dates_in_the_copys_language() -> None:
    trump, _gov = article("maliweb_fr_2017_trump_date_fr.txt").tweets
    assert trump.date_text == "3 novembre 2017"
    assert trump.created_at is not None and trump.created_at.date().isoformat() == "2017-11-03"


@pytest.mark.parametrize(
    ("name", "index", "text"),
    [
        # "#1: Auf den Punkt gebracht!" on the line above
        ("twitterperlen_de_2022_numbered_headings.txt", 2, "Treffer – versenkt! 🤣👍"),
        # "#1:" alone on the line above
        ("twitterperlen_de_2020_headings_own_line.txt", 0, "mood"),
        # "1. Oh this one's a banger" right above the attribution: the tweet's text is lost
        ("gtrends_en_2021_heading_only_image_tweet.txt", 0, None),
    ],
)
def test_a_numbered_heading_is_not_tweet_text(name: str, index: int, text: str | None) -> None:
    assert texts(name)[index] == text


def test_a_tweet_of_several_lines_is_kept_whole_up_to_its_heading() -> None:
    perlen = texts("twitterperlen_de_2020_headings_own_line.txt")
    assert perlen[6] == '"Mama, wenn Du tot bist, machen wir aus Dir ein Kissen."\nGuten Morgen.'
    lockwood, hussain = texts("newsbreak_en_2022_headings_multiline.txt")
    # above them: the headings "Jail for mother", "Christmas, from an anthropological …"
    assert lockwood is not None and lockwood.startswith("me, lightly touching miette")
    assert hussain is not None and hussain.count("\n") == 2
    assert hussain.startswith("Growing up, my Muslim family")


@pytest.mark.parametrize(
    ("name", "index", "start"),
    [
        ("twitchy_en_2020_quake_prose_colon.txt", 2, "earthquake twitter is the best"),
        ("liputan6_id_2017_quake_names.txt", 1, "Be safe, everyone in Indonesia"),
        ("phillyinfluencer_en_2016_colon_headings.txt", 0, "#LoveTwitter because of"),
        # a heading without a colon: "And the girl who recognized the real reason for …"
        ("phillyinfluencer_en_2016_colon_headings.txt", 2, "i appreciate that #LoveTwitter"),
    ],
)
def test_a_writers_lead_in_above_the_tweet_is_not_its_text(
    name: str, index: int, start: str
) -> None:
    text = texts(name)[index]
    assert text is not None and text.startswith(start)


def test_a_line_in_another_script_or_language_is_the_writers() -> None:
    # Chinese prose on the line above an English tweet
    assert texts("ettoday_zh_2019_quake_nextline.txt")[0] == (
        "Earthquake was felt in Masbate City during youth consultation workshop. Children and "
        "staff are safe and accounted for. @planphilippines pic.twitter.com/T8u5WxrjFJ"
    )
    # the Russian caption above an English tweet of two paragraphs: both paragraphs are kept
    (egg,) = texts("telekritika_ru_2019_egg_two_paragraphs.txt")
    assert egg is not None and egg.startswith("Let's set a world record") and "\n\nWe got" in egg
    # Hungarian prose above "Tell the world…", the first paragraph of the club's tweet
    (lfc,) = article("infostart_hu_2020_lfc_parens_name.txt").tweets
    assert lfc.text is not None and lfc.text.startswith("Tell the world…\n\nWe are Liverpool")
    assert lfc.author.name == "Liverpool FC (Premier League Champions ?)"


def test_a_paragraph_with_markdown_emphasis_is_the_writers() -> None:
    (tweet,) = texts("fusionblog_en_2022_md_two_paragraph_tweet_slice.md")
    assert tweet == (
        "Tesla is using only internal & open source software & operates Bitcoin nodes "
        "directly.\n\nBitcoin paid to Tesla will be retained as Bitcoin, not converted to fiat "
        "currency."
    )


def test_without_a_mark_only_the_line_above_is_taken() -> None:
    # Spanish prose lines right above each tweet, no heading or lead-in between
    assert texts("publico_es_2020_name_placeholders.txt")[:2] == [
        "Think you had a bad tweet once? You have no idea pic.twitter.com/7rYJFrj1C0",
        "Alguien sabe donde vive? Digo pa quemarle la casa https://t.co/QB67Sbqt15",
    ]
    assert texts("maliweb_fr_2017_trump_date_fr.txt")[0] == (
        "My Twitter account was taken down for 11 minutes by a rogue employee. I guess the word "
        "must finally be getting out-and having an impact."
    )


def test_a_status_url_alone_on_its_line_is_an_unrendered_embed() -> None:
    tweet = article("twitterperlen_de_2020_headings_own_line.txt").tweets[3]
    assert (tweet.id, tweet.author.handle, tweet.text) == ("1244522464757022720", "Moormoewe", None)
    assert tweet.created_at is not None and tweet.created_at.date().isoformat() == "2020-03-30"


def test_markdown_copies_blockquoted_embeds() -> None:
    (elon,) = article("clipping_ja_2023_md_numbered_points_slice.md").tweets
    assert elon.id == "1624660886572126209"
    assert elon.text is not None and "addressed:\n\n1. Fanout service" in elon.text
    # the writer's own quote of the tweet, a blockquote of its own above the embed, is not one
    (kumagi,) = article("clipping_ja_2023_md_quote_above_embed_slice.md").tweets
    assert kumagi.text is not None and kumagi.text.endswith("できるのに #DataEngineeringStudy")
    assert kumagi.hashtags == ("DataEngineeringStudy",)
    (readme,) = texts("synthnext_en_2024_md_readme_blockquote_slice.md")
    assert readme is not None and readme.endswith("auspicious day https://t.co/QEVwFb6Qb4")


def test_display_names_with_emoji_flags_symbols_and_at_signs() -> None:
    names = [t.author.name for t in article("liputan6_id_2017_quake_names.txt").tweets]
    assert names[1] == "Hana🕊 勋骑" and names[4] == "shiwo@sketch commissions are open!"
    assert article("twitterperlen_de_2022_numbered_headings.txt").tweets[0].author.name == (
        "Doc Hundemüde🇺🇦"
    )


@pytest.mark.parametrize(
    "name",
    [
        "petel_bg_2019_egg_no_attribution.txt",  # a tweet's text, its attribution lost
        "thinkprogress_en_2010_prose_quote_no_embed.txt",  # prose quotes a tweet
        "twitterperlen_de_2021_headings_no_embeds.txt",  # headings whose embeds vanished
    ],
)
def test_an_article_without_attributions_has_no_tweets(name: str) -> None:
    assert article(name).tweets == ()


# -- shapes no real copy in the sample shows (CONSTRUCTED) ----------------------------------


def test_constructed_a_numbered_list_ending_a_tweet_is_not_a_heading() -> None:
    text = (
        "Intro prose of the article here.\n\nThree things:\n1. one\n2. two\n— A (@a) May 1, 2020\n"
    )
    assert [t.text for t in find_text_embeds(text)] == ["Three things:\n1. one\n2. two"]


def test_constructed_a_dash_and_handle_in_prose_without_a_date_is_no_attribution() -> None:
    text = "We asked the author — Jane Doe (@jane) — what she thought.\n— B (@b)19 September 2020\n"
    (tweet,) = find_text_embeds(text)
    assert (tweet.author.handle, tweet.date_text) == ("b", "19 September 2020")


def test_constructed_several_attributions_on_one_line_are_several_tweets() -> None:
    text = "one — A (@a) May 1, 2020 two — B (@b) May 2, 2020 three — C (@c) 3 mai 2020\n"
    tweets = find_text_embeds(text)
    assert [(t.text, t.author.handle) for t in tweets] == [
        ("one", "a"),
        ("two", "b"),
        ("three", "c"),
    ]


def test_a_line_longer_than_any_tweet_marks_where_the_tweet_starts() -> None:
    boric = texts("publico_es_2021_long_prose_line_bullets.txt")[0]
    assert boric == "La esperanza le ganó al miedo.\nGracias! pic.twitter.com/avAvx8CG9C"


def test_a_bulleted_list_is_the_tweets_and_a_lone_bullet_line_a_heading() -> None:
    names = texts("publico_es_2021_long_prose_line_bullets.txt")[4]
    assert names is not None and names.startswith("– Albert Rivera\n– Pablo Casado\n")
    # "- Cuando no se había iniciado el recuento …", the writer's, above a one-line tweet
    spoilers = texts("verne_es_2016_dates_bullet_heading.txt")[1]
    assert spoilers == "No hagáis spoilers que en Canarias siguen votando."


def test_the_next_items_of_a_list_moved_below_the_attribution_are_the_tweets() -> None:
    # Holdout copy (gazetadopovo, 2017): the extractor left "1) …" above each attribution and
    # put "2) …" and "3) …" below it; "1.Roubar pouco" has no space after its number.
    tweets = article("gazetadopovo_pt_2017_numbered_lines_after_attribution.txt").tweets
    assert [t.author.handle for t in tweets if t.author] == [
        "julio_cmv", "amaralalexandro", "MarceloApollo", "engfabioreis", "dilmabr",
    ]  # fmt: skip
    first = tweets[0].text
    assert first is not None and first.startswith("1) Estocar vento")
    assert [line[:3] for line in first.splitlines()] == ["1) ", "2) ", "3) "]
    assert tweets[2].text == "1.Roubar pouco\n2.Roubar bastante\n3.Roubar Bilhões"
    assert tweets[3].text is not None and tweets[3].text.endswith("3) Ferrar o Brasil de vez.")
    # The writer's sentence ending in ":" above the first list is not the tweet's: with the
    # items moved below, it would make the tweet longer than a tweet can be.
    assert not first.startswith("Mas o que")


def test_a_list_written_on_one_line_is_no_heading() -> None:
    tweets = article("gazetadopovo_pt_2017_numbered_lines_after_attribution.txt").tweets
    assert tweets[1].text == "1) assumir seus crimes 2) delatar seus cúmplices 3) nos deixar em paz"
    # A heading above a vanished embed still gives a tweet with no text (constructed).
    (tweet,) = find_text_embeds(
        "Intro.\n\n#14: Elon Musk says\n— Elon Musk (@elonmusk) May 1, 2022\n"
    )
    assert tweet.text is None


def test_a_hard_wrapped_article_that_quotes_tweets_in_prose_has_none() -> None:
    # Holdout copy (a 2011 wire story): lines of ten words ending mid-sentence, tweets quoted
    # with "wrote @handle" and no attribution line. It reads as an article by its sentences.
    result = article("reuters_en_2011_jobs_hardwrapped_quotes_no_embed.txt")
    assert result.tweets == ()


@pytest.mark.parametrize(
    ("attribution", "day"),
    [
        ("— Liverpool FC (@LFC)19 September 2020", "2020-09-19"),
        ("— 気象庁 (@JMA_kishou) 2016年7月21日", "2016-07-21"),
        ("— Emmanuel Macron (@EmmanuelMacron) 21 juillet 2016", "2016-07-21"),
        ("— X (@x) 1er mars 2019", "2019-03-01"),
        ("— Pedro Sánchez (@sanchezcastejon) 21 de julio de 2016", "2016-07-21"),
        ("— Y (@y) 1º de marzo de 2019", "2019-03-01"),
        ("— Matteo Renzi (@matteorenzi) 21 luglio 2016", "2016-07-21"),
        ("— BMKG (@infoBMKG) 5 Agustus 2018", "2018-08-05"),
        ("— Olaf Scholz (@OlafScholz) 21. Juli 2016", "2016-07-21"),
        ("— Z (@z) 2nd June 2020", "2020-06-02"),
        ("— W (@w) March 6th, 2018", "2018-03-06"),
        ("— 국방부 (@mnd) 2019년 3월 1일", "2019-03-01"),
        ("— Dan Critchlow (@afcDW) 15 iunie 2018", "2018-06-15"),
        ("— A (@a) 15. června 2018", "2018-06-15"),
        ("— A (@a) 2018. június 15.", "2018-06-15"),
        ("— A (@a) 15 tháng 6, 2018", "2018-06-15"),
        ("— A (@a) ١٥ يونيو ٢٠١٨", "2018-06-15"),
        ("— A (@a) 15 अगस्त 2018", "2018-08-15"),
        ("— A (@a) 15 Μαΐου 2018", "2018-05-15"),
        ("— A (@a) 15 травня 2018", "2018-05-15"),
        ("— A (@a) 15. kesäkuuta 2018", "2018-06-15"),
        ("— A (@a) 2020 skábmamánnu 5", "2020-11-05"),
    ],
)
def test_constructed_attribution_dates_in_the_languages_embeds_print(
    attribution: str, day: str
) -> None:
    # CONSTRUCTED: one attribution line each, in the date forms embeds print (and the
    # ordinals of copies retyped by hand); the real copies cover these in context.
    (tweet,) = find_text_embeds(f"The writer's sentence.\n\nThe tweet\n{attribution}\n")
    assert tweet.created_at is not None and tweet.created_at.date().isoformat() == day
    assert tweet.text == "The tweet"


def test_a_copy_flattened_to_one_line_gives_each_tweet_its_last_sentences() -> None:
    # Holdout-2 copy (Vísir, 2020): headline, byline, prose and nine tweets on one line.
    tweets = article("visir_is_2020_one_line_glued_attributions.txt").tweets
    assert len(tweets) == 9
    # After a lead-in ending ":" and after a sentence in another language, the tweet starts.
    assert tweets[0].text == "How it started How it’s going pic.twitter.com/jn0El8jN0u"
    assert tweets[1].text == "How it started. How it’s going. pic.twitter.com/vEgxf1L7ev"
    # The copy ends right after an attribution with no date, glued to the tweet's picture
    # link: still a tweet, with no date.
    assert tweets[-1].author is not None and tweets[-1].author.handle == "kaffivest"
    assert tweets[-1].created_at is None


def test_a_tweet_at_280_with_a_trailing_link_is_whole() -> None:
    # Holdout-2 copy (InoSMI, 2018): 258 characters and a quoted tweet's t.co link.
    tweets = article("inosmi_ru_2018_numbered_translations_dash_lines.txt").tweets
    assert tweets[1].text is not None and tweets[1].text.startswith("I have said hundreds of times")
    # The Russian translation above, credited "— Кристофер Миллер, корреспондент @RFERL",
    # is no attribution and no tweet.
    assert [t.author.handle for t in tweets if t.author] == ["ChristopherJM", "McFaul"]


def test_constructed_a_long_post_on_its_own_line_is_kept_whole() -> None:
    # CONSTRUCTED: X allows posts longer than 280 characters since 2023. On a line of its own
    # such a post is the tweet, whole; only a copy flattened to one line is cut by sentences.
    post = "This is a long post. " * 30
    (tweet,) = find_text_embeds(f"Intro prose of the writer.\n\n{post}\n— A (@a) May 1, 2024\n")
    assert tweet.text == post.strip()


def test_an_attribution_dated_by_a_markdown_reference_link() -> None:
    # Holdout-4 copy (LCTT's copy of an It's FOSS article, 2025): "[October 30, 2025][6]" with
    # "[6]: https://twitter.com/FFmpeg/status/…" at the end; "[pic.twitter.com/…][5]" in the text.
    (tweet,) = article("itsfoss_lctt_en_2025_md_reference_links.md").tweets
    assert tweet.id == "1983949866725437791"
    assert tweet.text is not None and tweet.text.endswith(
        "every video file ever made. pic.twitter.com/9WryDgDpER"
    )


def test_a_tweet_before_november_2017_is_at_most_140_characters() -> None:
    # Holdout-4 copy (Bengali, 2014, flattened to one line): a thread whose tweets end "১/চ",
    # the writer's sentences before the first. 140 characters tell where the tweet starts.
    tweets = article("muktangon_bn_2014_one_line_glued_thread.txt").tweets
    assert tweets[0].text is not None and tweets[0].text.startswith("আমি তো শুনেছি")
    assert tweets[0].text.endswith("১/চ")
