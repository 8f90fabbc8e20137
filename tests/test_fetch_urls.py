"""URL understanding and header values: pure functions, no server needed."""

from __future__ import annotations

import doctest
import importlib
import json
import math
import random
import shutil
import string
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import threadkeep
import threadkeep.fetch
from threadkeep.fetch.body import media_type
from threadkeep.fetch.endpoints import (
    oembed_url,
    syndication_token,
    syndication_url,
    threadreader_url,
    user_agent,
)
from threadkeep.fetch.failures import retry_after
from threadkeep.fetch.politeness import host_key
from threadkeep.fetch.redirects import is_http
from threadkeep.urls import thread_id, tweet_id

ID = "1215710451343904768"


@pytest.mark.parametrize(
    "value",
    [
        ID,
        f" {ID} ",
        int(ID),
        f"https://twitter.com/QuinnyPig/status/{ID}",
        f"https://x.com/QuinnyPig/status/{ID}?s=20",
        f"http://www.twitter.com/QuinnyPig/status/{ID}",
        f"https://mobile.twitter.com/QuinnyPig/status/{ID}/photo/1",
        f"https://x.com/QuinnyPig/status/{ID}/video/1",
        f"https://twitter.com/QuinnyPig/statuses/{ID}",
        f"https://twitter.com/#!/QuinnyPig/status/{ID}",
        f"https://twitter.com/i/web/status/{ID}",
        f"https://x.com/i/status/{ID}",
        f"twitter.com/QuinnyPig/status/{ID}",
        f"https://fxtwitter.com/QuinnyPig/status/{ID}",
        f"https://vxtwitter.com/QuinnyPig/status/{ID}",
        f"https://fixupx.com/QuinnyPig/status/{ID}",
        f"https://fixvx.com/QuinnyPig/status/{ID}",
        f"https://nitter.net/QuinnyPig/status/{ID}#m",
        f"https://nitter.poast.org/QuinnyPig/status/{ID}",
        f"https://web.archive.org/web/20200110190213/https://twitter.com/QuinnyPig/status/{ID}",
        f"https://web.archive.org/web/2020/https:/x.com/QuinnyPig/status/{ID}",
    ],
)
def test_tweet_id_reads_every_form(value: str | int) -> None:
    assert tweet_id(value) == ID


@pytest.mark.parametrize(
    "value",
    [
        "",
        "hello",
        "https://example.com/page",
        "https://twitter.com/QuinnyPig",
        "https://twitter.com/QuinnyPig/likes",
        f"ftp://twitter.com/QuinnyPig/status/{ID}",
        f"https://twitter.com/QuinnyPig/status/{ID}x",
        "123456789012345678901",  # 21 digits: longer than any tweet id can be
    ],
)
def test_tweet_id_refuses_what_it_cannot_read(value: str) -> None:
    with pytest.raises(ValueError, match="not a tweet url or tweet id") as caught:
        tweet_id(value)
    assert repr(value) in str(caught.value)


@given(
    status=st.integers(min_value=1, max_value=2**63 - 1).map(str),
    handle=st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=15),
    host=st.sampled_from(["twitter.com", "x.com", "mobile.twitter.com", "nitter.example"]),
    tail=st.sampled_from(["", "/", "/photo/1", "?s=20", "#m", "?s=46&t=abc"]),
)
def test_tweet_id_of_any_status_url(status: str, handle: str, host: str, tail: str) -> None:
    assert tweet_id(f"https://{host}/{handle}/status/{status}{tail}") == status


@pytest.mark.parametrize(
    "value",
    [
        f"https://threadreaderapp.com/thread/{ID}.html",
        f"http://threadreaderapp.com/thread/{ID}.html",
        f"https://threadreaderapp.com/thread/{ID}",
        f"https://threadreaderapp.com/thread/{ID}.html?refreshed=yes",
        f"threadreaderapp.com/thread/{ID}.html?refreshed=yes#tweet_3",
        f"https://www.threadreaderapp.com/thread/{ID}.html",
        f"https://web.archive.org/web/2020/https://threadreaderapp.com/thread/{ID}.html",
        f"https://x.com/QuinnyPig/status/{ID}",
        ID,
    ],
)
def test_thread_id_reads_threadreader_and_tweet_urls(value: str) -> None:
    assert thread_id(value) == ID


@pytest.mark.parametrize("value", ["", "unroll please", f"https://example.com/thread/{ID}"])
def test_thread_id_refuses_what_it_cannot_read(value: str) -> None:
    with pytest.raises(ValueError, match="not a Thread Reader url, tweet url or tweet id"):
        thread_id(value)


def test_endpoint_urls() -> None:
    assert threadreader_url("https://threadreaderapp.com/", ID) == (
        f"https://threadreaderapp.com/thread/{ID}.html"
    )
    query = parse_qs(urlsplit(oembed_url("https://publish.twitter.com/oembed", ID)).query)
    assert query == {
        "url": [f"https://twitter.com/i/status/{ID}"],
        "omit_script": ["true"],
        "dnt": ["true"],
    }
    assert syndication_url("https://cdn.syndication.twimg.com/tweet-result", ID) == (
        f"https://cdn.syndication.twimg.com/tweet-result?id={ID}&token=2y39m27tp3u"
    )


# Node v18, `((Number(id) / 1e15) * Math.PI).toString(6 ** 2).replace(/(0+|\.)/g, '')`,
# run on each id; the middle column is the base-36 string before zeros and the dot go.
TOKENS = [
    ("1215710451343904768", "2y3.9m27tp3u", "2y39m27tp3u"),
    ("1703436713362870723", "44n.i5iyte19", "44ni5iyte19"),
    ("681507091064946688", "1nh.0mwfx6cj", "1nhmwfx6cj"),
    ("1762553251893764560", "49t.82r604so", "49t82r64so"),
    ("20", "0.000000006dq1a2xwd93", "6dq1a2xwd93"),
    ("1000000000000000", "3.53i5ab8p5f", "353i5ab8p5f"),
]


@pytest.mark.parametrize(("status", "base36", "token"), TOKENS)
def test_syndication_token_matches_javascript(status: str, base36: str, token: str) -> None:
    from threadkeep.fetch.endpoints import _js_radix

    assert _js_radix(float(int(status)) / 1e15 * math.pi, 36) == base36
    assert syndication_token(status) == token


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_syndication_token_agrees_with_node() -> None:
    draw = random.Random(20260101)
    statuses = [str(draw.randrange(1, 10 ** draw.randint(1, 19))) for _ in range(3000)]
    script = (
        "const ids = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(ids.map(id =>"
        " ((Number(id) / 1e15) * Math.PI).toString(6 ** 2).replace(/(0+|\\.)/g, ''))));"
    )
    node = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(statuses),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(node.stdout) == [syndication_token(s) for s in statuses]


def test_retry_after_values() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after(" 0.5 ") == 0.5
    assert retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0  # already past
    assert retry_after("soon") is None
    assert retry_after("-5") is None
    assert retry_after(None) is None


def test_media_type_and_charset() -> None:
    assert media_type('text/html; charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert media_type("Application/JSON") == ("application/json", None)
    assert media_type(None) == (None, None)


def test_user_agent_names_threadkeep_and_the_contact() -> None:
    version = threadkeep.__version__
    assert user_agent(version) == (
        f"threadkeep/{version} (+https://github.com/threadkeep/threadkeep)"
    )
    assert user_agent(version, "me@example.org").endswith("; me@example.org)")
    with pytest.raises(ValueError, match="one line"):
        user_agent(version, "me@example.org\r\nX-Evil: 1")


def test_scheme_and_host() -> None:
    assert is_http("https://a.example/") and is_http("HTTP://a.example/")
    assert not is_http("file:///etc/passwd") and not is_http("javascript:alert(1)")
    assert not is_http("a.example/page")
    assert host_key("https://User@Example.ORG:8443/x") == "example.org:8443"


@pytest.mark.parametrize(
    "module",
    sorted(p.stem for p in Path(threadkeep.fetch.__file__).parent.glob("*.py")),
)
def test_fetch_module_examples_run(module: str) -> None:
    # tests/test_docs.py runs the examples of modules defining public names; the helpers'
    # examples (media_type, retry_after, host_key, is_http …) live in the others.
    name = "threadkeep.fetch" if module == "__init__" else f"threadkeep.fetch.{module}"
    failed, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failed == 0
