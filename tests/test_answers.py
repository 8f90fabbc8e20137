"""oEmbed and syndication answers: one tweet each, tombstones as unavailable tweets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import threadkeep
from tests.conftest import fixture_bytes


def tweet_from(name: str, url: str | None = None) -> threadkeep.Tweet:
    result = threadkeep.parse(fixture_bytes(f"answers/{name}"), url=url)
    assert isinstance(result, threadkeep.Tweet)
    return result


def test_real_oembed_answer() -> None:
    tweet = tweet_from("oembed_brosset_681507091064946688.input.json")
    assert tweet.id == "681507091064946688"
    assert tweet.author == threadkeep.Author(
        handle="patrickbrosset", name="Patrick Brosset", url="https://twitter.com/patrickbrosset"
    )
    assert tweet.text == (
        "xmas is the only time of year I have time to take photos anymore. So there, trees & "
        "sunrise: https://t.co/TvvgacvMUy pic.twitter.com/UmaJjr6FmN"
    )
    assert tweet.date_text == "December 28, 2015"
    assert tweet.source is not None and tweet.source.kind == "oembed"
    assert tweet.source.url == "https://twitter.com/patrickbrosset/status/681507091064946688"


def test_real_syndication_answer() -> None:
    tweet = tweet_from("syndication_1703436713362870723.input.json")
    assert tweet.id == "1703436713362870723"
    assert tweet.author is not None
    assert (tweet.author.handle, tweet.author.name) == ("rhaksw", "Robert Hawkins")
    assert tweet.text is not None
    assert tweet.text.startswith("Senator @RonWyden is doing an AMA on r/technology on Monday.")
    assert "\n\n\"Reddit lets moderators shadow remove users' comments." in tweet.text
    assert tweet.created_at == datetime(2023, 9, 17, 15, 52, 15, tzinfo=UTC)
    assert tweet.links == (
        threadkeep.Link(
            url="https://reddit.com/r/technology/comments/16jlhj7/we_are_senator_ron_wyden_fight_for_the_future/",
            display="reddit.com/r/technology/c…",
            short_url="https://t.co/JLoLiR5BcW",
        ),
    )
    assert tweet.mentions == ("RonWyden",)
    assert [m.kind for m in tweet.media] == ["card"]
    assert tweet.edited is False
    assert tweet.source is not None and tweet.source.kind == "syndication"


def test_real_oembed_answers_of_three_eras() -> None:
    old = tweet_from("oembed_452481183213813760.input.json")
    assert (old.id, old.date_text) == ("452481183213813760", "April 5, 2014")
    assert old.author is not None and old.author.name == "Justin Daugherty"
    assert old.hashtags == ("BBN",)
    recent = tweet_from("oembed_1762553251893764560.input.json")
    assert recent.author is not None and recent.author.handle == "HOT97"
    assert recent.text is not None and "#Beyoncé" in recent.text  # surrogate pairs decoded
    assert "Beyoncé" in recent.hashtags


def test_syndication_edited_tweet_with_video_quote_and_parent() -> None:
    tweet = tweet_from("constructed_syndication_edited_video_quote_reply.input.json")
    assert tweet.edited is True
    assert tweet.edit_ids == ("1653339100000000000", "1653339402148855808")
    video = tweet.media[0]
    assert video.kind == "video"
    assert video.url is not None and video.url.endswith("/1280x720/high.mp4")  # highest bitrate
    assert video.alt == "A river at dawn"
    assert tweet.quoted is not None and tweet.quoted.id == "1653109100000000000"
    assert tweet.in_reply_to is not None
    assert tweet.in_reply_to.author is not None
    assert tweet.in_reply_to.author.handle == "curious_reader"


def test_tombstone_is_an_unavailable_tweet_not_an_error() -> None:
    url = "https://cdn.syndication.twimg.com/tweet-result?id=1600000000000000000&token=x"
    tweet = tweet_from("constructed_syndication_tombstone_1600000000000000000.input.json", url)
    assert tweet.unavailable == "This Post was deleted by the Post author. Learn more"
    assert tweet.id == "1600000000000000000"
    assert tweet.created_at == threadkeep.snowflake_time("1600000000000000000")
    assert tweet.text is None


def test_ids_stay_strings_even_past_two_to_the_53() -> None:
    document = {"__typename": "Tweet", "id_str": "1703436713362870723", "text": "x", "user": {}}
    tweet = threadkeep.parse(json.dumps(document).encode())
    assert isinstance(tweet, threadkeep.Tweet)
    assert tweet.id == "1703436713362870723"


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b'{"html": 3', threadkeep.MalformedPage, "invalid JSON"),
        (b'{"hello": "world"}', threadkeep.UnsupportedPage, "neither an oEmbed nor a syndication"),
        (b'{"kind": "thread", "tweets": 5}', threadkeep.MalformedPage, "at thread.tweets"),
        (
            b'{"html": "<p>no tweet</p>", "author_name": "x"}',
            threadkeep.UnsupportedPage,
            "no tweet blockquote",
        ),
    ],
)
def test_bad_json_answers(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        threadkeep.parse(data, source="answer.json")


def test_threadkeep_json_reads_back() -> None:
    thread = threadkeep.parse(fixture_bytes("threadreader/mxs_nightmare_2026_fragment.html"))
    again = threadkeep.parse(thread.model_dump_json().encode())
    assert again == thread


def test_an_older_answers_video_is_its_largest_variant() -> None:
    """An older syndication answer lists its video's variants without bitrates (`video`,
    `variants` of `src`): the one whose url names the most pixels is kept, whatever its place
    in the list; a playlist is no file."""
    answer = {
        "__typename": "Tweet",
        "id_str": "1653339402148855808",
        "text": "the clip",
        "user": {"screen_name": "example_user", "name": "Example User"},
        "video": {
            "poster": "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/thumb.jpg",
            "variants": [
                {
                    "type": "video/mp4",
                    "src": "https://video.twimg.com/ext_tw_video/1/pu/vid/1280x720/high.mp4",
                },
                {
                    "type": "video/mp4",
                    "src": "https://video.twimg.com/ext_tw_video/1/pu/vid/320x180/low.mp4",
                },
                {
                    "type": "application/x-mpegURL",
                    "src": "https://video.twimg.com/ext_tw_video/1/pu/pl/list.m3u8",
                },
            ],
        },
    }
    tweet = threadkeep.parse(json.dumps(answer).encode(), expect=threadkeep.Tweet)
    (video,) = tweet.media
    assert (
        video.kind == "video" and video.url is not None and video.url.endswith("/1280x720/high.mp4")
    )
    assert video.preview == "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/thumb.jpg"
