"""The sync Client against real HTTP servers on loopback: outcomes and the requests they took.

Two kinds of server run inside the tests, never the internet:

* ``server``: pytest-httpserver (werkzeug, threaded) for whole responses and status faults;
* :class:`RawServer`: a socket server running a script per connection, for faults below HTTP
  (a stall, a connection reset mid-body, a Content-Length that lies).

Every test asserts the outcome and how many requests the server saw. Backoff and timeouts are
tiny so that the suite stays fast.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import json
import logging
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import threadkeep
from tests.conftest import FIXTURES, fixture_bytes
from threadkeep.fetch import Client
from threadkeep.fetch.endpoints import syndication_token

QUINNY_ID = "1215710451343904768"
QUINNY = fixture_bytes("threadreader/quinnypig_2020_full.html")
TOMBSTONE_ID = "1600000000000000000"
FAST: dict[str, Any] = {
    "retries": 2,
    "backoff": 0.001,
    "max_wait": 3.0,
    "timeout": 2.0,
    "min_interval": 0.0,
    "contact": "tests@example.org",
}


class RawServer:
    """A loopback TCP server that reads one request per connection, then runs ``script``.

    ``script(conn, index)`` writes whatever bytes the fault needs; ``connections`` counts the
    requests seen (each script answers one request and closes); ``release`` ends any stall.
    """

    def __init__(self, script: Callable[[socket.socket, int], None]) -> None:
        self.script = script
        self.connections = 0
        self.release = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/page") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.release.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            index, self.connections = self.connections, self.connections + 1
            threading.Thread(target=self._handle, args=(conn, index), daemon=True).start()

    def _handle(self, conn: socket.socket, index: int) -> None:
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                received += chunk
            with contextlib.suppress(OSError):  # the client hung up: some scripts expect that
                self.script(conn, index)

    def close(self) -> None:
        self.release.set()  # set first, so that closing many servers waits for none in turn
        self._thread.join(timeout=2)
        self._sock.close()


def reset(conn: socket.socket) -> None:
    """Close with RST rather than FIN, as a crashed peer or a middlebox does."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.fixture
def raw() -> Iterator[Callable[[Callable[[socket.socket, int], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(script: Callable[[socket.socket, int], None]) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


class Loopback(HTTPServer):
    """pytest-httpserver on 127.0.0.1, threaded, stopping in 20 ms rather than 500."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=0, threaded=True)

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)


def seen(server: HTTPServer, path: str) -> list[Request]:
    """The requests ``server`` answered for ``path``."""
    return [request for request, _ in server.log if request.path == path]


def answer(pattern: str) -> bytes:
    """A fixture answer by glob (``answers/<pattern>.input.json``): names there carry a prefix."""
    (path,) = (FIXTURES / "answers").glob(f"{pattern}.input.json")
    return path.read_bytes()


def client_for(server: HTTPServer, **settings: Any) -> Client:
    return Client(
        threadreader_base=server.url_for("/"),
        oembed_base=server.url_for("/oembed"),
        syndication_base=server.url_for("/tweet-result"),
        **(FAST | settings),
    )


def arrivals(
    times: list[float],
    answer: Callable[[Request], Response],
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """A handler that records when each request arrived, then answers with ``answer``."""

    def handler(request: Request) -> Response:
        times.append(clock())
        return answer(request)

    return handler


# --- Successful fetches ------------------------------------------------------------------------


def test_fetch_thread_parses_the_page_and_stamps_the_capture(server: HTTPServer) -> None:
    server.expect_request(f"/thread/{QUINNY_ID}.html").respond_with_data(
        QUINNY, content_type="text/html; charset=utf-8"
    )
    before = datetime.now(UTC)
    with client_for(server) as client:
        thread = client.fetch_thread(f"https://x.com/QuinnyPig/status/{QUINNY_ID}/photo/1?s=20")
    assert isinstance(thread, threadkeep.Thread)
    assert thread.author is not None and thread.author.handle == "QuinnyPig"
    assert len(thread.tweets) == 102
    assert thread.source is not None and thread.source.kind == "threadreader"
    assert thread.source.sha256 == hashlib.sha256(QUINNY).hexdigest()
    assert thread.source.captured_at is not None
    assert before <= thread.source.captured_at <= datetime.now(UTC)
    assert len(seen(server, f"/thread/{QUINNY_ID}.html")) == 1


def test_capture_records_what_the_server_said(server: HTTPServer) -> None:
    server.expect_request("/page").respond_with_data(
        b"<p>caf\xe9</p>", content_type="text/html; charset=ISO-8859-1"
    )
    with client_for(server) as client:
        capture = client.fetch(server.url_for("/page"))
    assert capture.url == capture.final_url == server.url_for("/page")
    assert (capture.status, capture.attempts) == (200, 1)
    assert capture.content == b"<p>caf\xe9</p>"  # bytes kept as sent
    assert (capture.content_type, capture.encoding) == ("text/html", "iso-8859-1")
    assert capture.text() == "<p>café</p>"
    assert capture.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert capture.sha256 == hashlib.sha256(capture.content).hexdigest()
    assert capture.fetched_at.tzinfo is not None
    assert capture.sighting("embed").sha256 == capture.sha256
    assert len(seen(server, "/page")) == 1


def test_requests_identify_threadkeep_and_the_contact(server: HTTPServer) -> None:
    server.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    with client_for(server, contact="me@example.org") as client:
        client.fetch(server.url_for("/page"))
    (request,) = seen(server, "/page")
    assert request.headers["User-Agent"] == (
        f"threadkeep/{threadkeep.__version__} "
        "(+https://github.com/threadkeep/threadkeep; me@example.org)"
    )


def test_a_given_httpx_client_is_used_and_left_open(server: HTTPServer) -> None:
    server.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    http = httpx.Client(headers={"X-Team": "archivists"})
    with client_for(server, http=http) as client:
        client.fetch(server.url_for("/page"))
    assert not http.is_closed
    http.close()
    (request,) = seen(server, "/page")
    assert request.headers["X-Team"] == "archivists"


def test_declared_charset_is_honoured_when_parsing(server: HTTPServer) -> None:
    # A Japanese page with no <meta charset>, sent as Shift_JIS: only the header says so.
    page = fixture_bytes("articles/kwmt_2013_wordpress_ja_md.html").decode("utf-8")
    server.expect_request("/ja").respond_with_data(
        page.encode("shift_jis"), content_type="text/html; charset=Shift_JIS"
    )
    golden = json.loads((FIXTURES / "articles" / "kwmt_2013_wordpress_ja_md.json").read_text())
    with client_for(server) as client:
        article = client.fetch_article(server.url_for("/ja"))
    assert article.title == golden["title"] == "#golang 文字数をカウントするには？"
    assert [t.text for t in article.tweets] == [t["text"] for t in golden["tweets"]]
    assert len(seen(server, "/ja")) == 1


def test_fetch_article_gives_the_embedded_tweets(server: HTTPServer) -> None:
    server.expect_request("/verge").respond_with_data(
        fixture_bytes("articles/theverge_2019_facetime_slice.html"), content_type="text/html"
    )
    golden = json.loads((FIXTURES / "articles" / "theverge_2019_facetime_slice.json").read_text())
    with client_for(server) as client:
        article = client.fetch_article(server.url_for("/verge"))
    assert [t.id for t in article.tweets] == [t["id"] for t in golden["tweets"]]
    assert article.source is not None and article.source.kind == "embed"
    assert len(seen(server, "/verge")) == 1


def test_a_page_made_from_an_unroll_comes_back_as_an_article(server: HTTPServer) -> None:
    server.expect_request("/post").respond_with_data(
        fixture_bytes("threadreader/weizmangal_2023_derived_post.html"), content_type="text/html"
    )
    with client_for(server) as client:
        article = client.fetch_article(server.url_for("/post"))
    assert isinstance(article, threadkeep.Article)
    assert len(article.threads) == 1 and len(article.tweets) == 13
    assert article.tweets == article.threads[0].tweets
    assert len(seen(server, "/post")) == 1


def test_a_web_archive_copy_keeps_the_archive_time(server: HTTPServer) -> None:
    server.expect_request("/archived").respond_with_data(
        fixture_bytes("articles/constructed_webarchive_verge_2019.html"), content_type="text/html"
    )
    with client_for(server) as client:
        article = client.fetch_article(server.url_for("/archived"))
    assert article.source is not None
    assert article.source.captured_at == datetime(2019, 7, 4, 8, 30, 12, tzinfo=UTC)
    assert len(seen(server, "/archived")) == 1


# --- Retries -----------------------------------------------------------------------------------


def test_503_then_200_is_retried(server: HTTPServer) -> None:
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    server.expect_request("/flaky").respond_with_data("<p>ok</p>", content_type="text/html")
    with client_for(server) as client:
        capture = client.fetch(server.url_for("/flaky"))
    assert (capture.status, capture.attempts, capture.content) == (200, 2, b"<p>ok</p>")
    assert len(seen(server, "/flaky")) == 2


def test_5xx_every_time_gives_up_after_the_retries(server: HTTPServer) -> None:
    server.expect_request("/down").respond_with_data("down", status=502)
    with client_for(server, retries=3) as client, pytest.raises(threadkeep.HTTPStatusError) as e:
        client.fetch(server.url_for("/down"))
    assert (e.value.status, e.value.attempts, e.value.url) == (502, 4, server.url_for("/down"))
    assert str(e.value).startswith(f"{server.url_for('/down')}: HTTP 502 Bad Gateway (4 attempts)")
    assert len(seen(server, "/down")) == 4


def test_404_is_not_retried(server: HTTPServer) -> None:
    server.expect_request("/gone").respond_with_data("no", status=404)
    with client_for(server) as client, pytest.raises(threadkeep.HTTPStatusError) as caught:
        client.fetch(server.url_for("/gone"))
    assert (caught.value.status, caught.value.attempts) == (404, 1)
    assert str(caught.value) == (
        f"{server.url_for('/gone')}: HTTP 404 Not Found (1 attempt); "
        "check the url: the page may have been deleted"
    )
    assert len(seen(server, "/gone")) == 1


def test_429_retry_after_seconds_is_honoured(server: HTTPServer) -> None:
    times: list[float] = []
    server.expect_oneshot_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("slow down", 429, headers={"Retry-After": "1"}))
    )
    server.expect_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("<p>ok</p>", content_type="text/html"))
    )
    with client_for(server) as client:
        capture = client.fetch(server.url_for("/busy"))
    assert capture.attempts == 2
    assert times[1] - times[0] >= 0.95
    assert len(seen(server, "/busy")) == 2


def test_429_retry_after_http_date_is_honoured(server: HTTPServer) -> None:
    wall: list[float] = []
    # An HTTP date has whole seconds: ask for the next whole second, at most 1 s away.
    when = datetime.fromtimestamp(int(time.time()) + 1, tz=UTC)
    retry_after = format_datetime(when, usegmt=True)
    server.expect_oneshot_request("/busy").respond_with_handler(
        lambda _: Response("slow down", 429, headers={"Retry-After": retry_after})
    )
    server.expect_request("/busy").respond_with_handler(
        arrivals(wall, lambda _: Response("<p>ok</p>", content_type="text/html"), time.time)
    )
    with client_for(server) as client:
        capture = client.fetch(server.url_for("/busy"))
    assert capture.attempts == 2
    assert wall[0] >= when.timestamp() - 0.01  # not back before the date the server gave
    assert len(seen(server, "/busy")) == 2


def test_retry_after_beyond_max_wait_gives_up_at_once(server: HTTPServer) -> None:
    server.expect_request("/busy").respond_with_data("", 503, headers={"Retry-After": "3600"})
    with client_for(server, max_wait=5) as client, pytest.raises(threadkeep.HTTPStatusError) as e:
        client.fetch(server.url_for("/busy"))
    assert (e.value.status, e.value.attempts) == (503, 1)
    assert "asked for a 3600 s wait, more than max_wait=5 s" in str(e.value)
    assert len(seen(server, "/busy")) == 1


def test_deadline_bounds_the_total_time(server: HTTPServer) -> None:
    server.expect_request("/busy").respond_with_data("", 503, headers={"Retry-After": "2"})
    started = time.monotonic()
    with client_for(server, deadline=0.5) as client, pytest.raises(threadkeep.HTTPStatusError):
        client.fetch(server.url_for("/busy"))
    assert time.monotonic() - started < 0.5  # a 2 s wait would pass the deadline: not taken
    assert len(seen(server, "/busy")) == 1


def test_threadreader_rate_limit_is_retried_then_reported(server: HTTPServer) -> None:
    server.expect_request(f"/thread/{QUINNY_ID}.html").respond_with_data("", status=429)
    with client_for(server) as client, pytest.raises(threadkeep.HTTPStatusError) as caught:
        client.fetch_thread(QUINNY_ID)
    assert (caught.value.status, caught.value.attempts) == (429, 3)
    assert "rate limited, HTTP 429 Too Many Requests (3 attempts)" in str(caught.value)
    assert len(seen(server, f"/thread/{QUINNY_ID}.html")) == 3


def test_threadreader_not_found_page_is_reported_with_the_url(server: HTTPServer) -> None:
    path = f"/thread/{QUINNY_ID}.html"
    server.expect_request(path).respond_with_data(
        fixture_bytes("broken/tra_not_found.html"), content_type="text/html"
    )
    with client_for(server) as client, pytest.raises(threadkeep.UnsupportedPage) as caught:
        client.fetch_thread(f"https://threadreaderapp.com/thread/{QUINNY_ID}.html?refreshed=yes")
    assert str(caught.value) == (
        f"{server.url_for(path)}: Thread Reader says the thread was not found"
    )
    assert len(seen(server, path)) == 1


# --- Faults below HTTP -------------------------------------------------------------------------


def test_a_stall_past_the_read_timeout_is_retried_then_a_timeout(raw: Any) -> None:
    def stall(conn: socket.socket, index: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<p>the start")
        server.release.wait(5)

    server = raw(stall)
    client = Client(**FAST | {"timeout": 0.1, "retries": 1})
    with client, pytest.raises(threadkeep.FetchTimeout) as caught:
        client.fetch(server.url())
    assert caught.value.attempts == 2
    assert "ReadTimeout, no answer within the 0.1 s timeout (2 attempts)" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert server.connections == 2


def test_a_reset_mid_body_is_retried(raw: Any) -> None:
    def reset_first(conn: socket.socket, index: int) -> None:
        if index == 0:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 1000)
            time.sleep(0.05)
            reset(conn)
        else:
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n<p>ok</p>"
            )

    server = raw(reset_first)
    with Client(**FAST) as client:
        capture = client.fetch(server.url())
    assert (capture.content, capture.attempts) == (b"<p>ok</p>", 2)
    assert server.connections == 2


def test_resets_every_time_give_a_fetch_error(raw: Any) -> None:
    def always_reset(conn: socket.socket, index: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 1000)
        time.sleep(0.05)
        reset(conn)

    server = raw(always_reset)
    with Client(**FAST) as client, pytest.raises(threadkeep.FetchError) as caught:
        client.fetch(server.url())
    assert type(caught.value) is threadkeep.FetchError
    assert caught.value.attempts == 3
    assert "connection failed" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert server.connections == 3


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed on leaving: nothing listens there any more
    with Client(**FAST) as client, pytest.raises(threadkeep.FetchError) as caught:
        client.fetch(f"http://127.0.0.1:{port}/")
    assert caught.value.attempts == 3
    assert "connection failed, ConnectError" in str(caught.value)


# --- Size cap ----------------------------------------------------------------------------------


def test_content_length_over_the_cap_is_refused_before_reading(raw: Any) -> None:
    def announce_big(conn: socket.socket, index: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n" + b"x" * 1000)
        server.release.wait(5)  # reading on would stall: the test would end in a timeout

    server = raw(announce_big)
    client = Client(**FAST | {"max_bytes": 1_000_000})
    with client, pytest.raises(threadkeep.ResponseTooLarge) as caught:
        client.fetch(server.url())
    assert caught.value.attempts == 1
    assert "Content-Length declares 50000000 bytes, over the 1000000-byte cap" in str(caught.value)
    assert server.connections == 1


def test_a_chunked_body_over_the_cap_stops_while_streaming(server: HTTPServer) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:  # no Content-Length, no end: only the cap stops the client
            sent.append(1)
            yield b"x" * 65536

    server.expect_request("/endless").respond_with_response(
        Response(endless(), content_type="text/html")
    )
    client = client_for(server, max_bytes=1_000_000)
    with client, pytest.raises(threadkeep.ResponseTooLarge) as caught:
        client.fetch(server.url_for("/endless"))
    assert caught.value.attempts == 1
    assert "went past the 1000000-byte cap; the rest was not read" in str(caught.value)
    time.sleep(0.1)
    assert len(sent) < 200  # the server stopped soon after the client hung up (13 MB)
    assert len(seen(server, "/endless")) == 1


def test_a_content_length_that_understates_the_body_is_caught(server: HTTPServer) -> None:
    # Content-Length counts the gzip bytes (a few KB); decoded, the body is 5 MB.
    bomb = gzip.compress(b"<p>" + b"0" * 5_000_000)
    server.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    client = client_for(server, max_bytes=1_000_000)
    with client, pytest.raises(threadkeep.ResponseTooLarge):
        client.fetch(server.url_for("/bomb"))
    assert len(bomb) < 10_000
    assert len(seen(server, "/bomb")) == 1


# --- Redirects ---------------------------------------------------------------------------------


def test_redirects_are_followed_and_recorded(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", 301, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("<p>moved</p>", content_type="text/html")
    with client_for(server) as client:
        capture = client.fetch(server.url_for("/old"))
    assert (capture.url, capture.final_url) == (server.url_for("/old"), server.url_for("/new"))
    assert len(seen(server, "/old")) == len(seen(server, "/new")) == 1


def test_a_redirect_loop_fails_after_ten_redirects(server: HTTPServer) -> None:
    server.expect_request("/a").respond_with_data("", 302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", 302, headers={"Location": "/a"})
    with client_for(server) as client, pytest.raises(threadkeep.FetchError) as caught:
        client.fetch(server.url_for("/a"))
    assert "too many redirects (more than 10)" in str(caught.value)
    assert caught.value.attempts == 1
    assert len(server.log) == 11  # the first request and ten redirects


def test_a_redirect_to_a_file_url_is_refused(server: HTTPServer) -> None:
    server.expect_request("/sneaky").respond_with_data(
        "", 302, headers={"Location": "file:///etc/passwd"}
    )
    with client_for(server) as client, pytest.raises(threadkeep.FetchError) as caught:
        client.fetch(server.url_for("/sneaky"))
    assert str(caught.value) == (
        f"{server.url_for('/sneaky')}: redirected to file:///etc/passwd; "
        "only http and https urls are followed (1 attempt)"
    )
    assert len(seen(server, "/sneaky")) == 1


def test_only_http_urls_are_fetched() -> None:
    with Client(**FAST) as client, pytest.raises(threadkeep.FetchError) as caught:
        client.fetch("file:///etc/passwd")
    assert caught.value.attempts == 0
    assert "only http and https urls are fetched" in str(caught.value)


# --- What came back ----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["image/png", "application/octet-stream"])
def test_non_html_where_html_was_expected(server: HTTPServer, content_type: str) -> None:
    path = f"/thread/{QUINNY_ID}.html"
    server.expect_request(path).respond_with_data(b"\x89PNG\r\n\x1a\n", content_type=content_type)
    with client_for(server) as client, pytest.raises(threadkeep.UnsupportedPage) as caught:
        client.fetch_thread(QUINNY_ID)
    assert str(caught.value) == (
        f"{server.url_for(path)}: expected an HTML page, the server sent {content_type} (8 bytes)"
    )
    assert len(seen(server, path)) == 1


def test_a_page_of_the_wrong_kind_is_reported(server: HTTPServer) -> None:
    path = f"/thread/{QUINNY_ID}.html"
    server.expect_request(path).respond_with_data(
        fixture_bytes("constructed/tra_hashtag_listing_24.html"), content_type="text/html"
    )
    with client_for(server) as client, pytest.raises(threadkeep.UnsupportedPage) as caught:
        client.fetch_thread(QUINNY_ID)
    assert (
        str(caught.value)
        == f"{server.url_for(path)}: expected Thread, the answer parsed as listing"
    )
    assert len(seen(server, path)) == 1


def test_unrecognised_input_names_itself_and_sends_nothing(server: HTTPServer) -> None:
    with client_for(server) as client, pytest.raises(ValueError, match="'not a thread'"):
        client.fetch_thread("not a thread")
    assert server.log == []


# --- Tweets: oEmbed, then syndication ----------------------------------------------------------


def test_fetch_tweet_uses_oembed(server: HTTPServer) -> None:
    server.expect_request("/oembed").respond_with_data(
        answer("oembed*681507091064946688"),
        content_type="application/json",
    )
    with client_for(server) as client:
        tweet = client.fetch_tweet("https://twitter.com/patrickbrosset/status/681507091064946688")
    assert (tweet.id, tweet.author and tweet.author.handle) == (
        "681507091064946688",
        "patrickbrosset",
    )
    assert tweet.source is not None and tweet.source.kind == "oembed"
    (request,) = seen(server, "/oembed")
    assert request.args["url"] == "https://twitter.com/i/status/681507091064946688"
    assert (request.args["omit_script"], request.args["dnt"]) == ("true", "true")
    assert seen(server, "/tweet-result") == []


def test_fetch_tweet_falls_back_to_syndication(server: HTTPServer) -> None:
    status = "1703436713362870723"
    server.expect_request("/oembed").respond_with_data("{}", status=404)
    server.expect_request("/tweet-result").respond_with_data(
        answer(f"*syndication*{status}"),
        content_type="application/json",
    )
    with client_for(server) as client:
        tweet = client.fetch_tweet(f"https://fxtwitter.com/rhaksw/status/{status}")
    assert tweet.id == status and tweet.text is not None and tweet.text.startswith("Senator")
    assert tweet.source is not None and tweet.source.kind == "syndication"
    assert len(seen(server, "/oembed")) == 1  # a 404 is not retried
    (request,) = seen(server, "/tweet-result")
    assert dict(request.args) == {"id": status, "token": syndication_token(status)}


def test_a_tombstone_gives_an_unavailable_tweet(server: HTTPServer) -> None:
    server.expect_request("/oembed").respond_with_data("", status=403)
    server.expect_request("/tweet-result").respond_with_data(
        answer(f"*tombstone*{TOMBSTONE_ID}"),
        content_type="application/json",
    )
    with client_for(server) as client:
        tweet = client.fetch_tweet(TOMBSTONE_ID)
    assert tweet.id == TOMBSTONE_ID
    assert tweet.unavailable == "This Post was deleted by the Post author. Learn more"
    assert len(seen(server, "/oembed")) == len(seen(server, "/tweet-result")) == 1


def test_when_neither_source_answers_the_syndication_error_is_raised(server: HTTPServer) -> None:
    server.expect_request("/oembed").respond_with_data("", status=404)
    server.expect_request("/tweet-result").respond_with_data("", status=404)
    with client_for(server) as client, pytest.raises(threadkeep.HTTPStatusError) as caught:
        client.fetch_tweet(TOMBSTONE_ID)
    assert caught.value.status == 404
    assert caught.value.url is not None and "/tweet-result?id=" in caught.value.url
    assert len(seen(server, "/oembed")) == len(seen(server, "/tweet-result")) == 1


# --- Politeness --------------------------------------------------------------------------------


def test_requests_to_one_host_are_spaced(server: HTTPServer) -> None:
    times: list[float] = []
    server.expect_request("/page").respond_with_handler(
        arrivals(times, lambda _: Response("<p>hi</p>", content_type="text/html"))
    )
    with client_for(server, min_interval=0.1) as client:
        for _ in range(4):
            client.fetch(server.url_for("/page"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 4 and min(gaps) >= 0.095


def test_threads_sharing_a_client_take_turns_per_host(server: HTTPServer) -> None:
    times: list[float] = []
    server.expect_request("/page").respond_with_handler(
        arrivals(times, lambda _: Response("<p>hi</p>", content_type="text/html"))
    )
    with client_for(server, min_interval=0.05) as client:
        workers = [
            threading.Thread(target=client.fetch, args=(server.url_for("/page"),)) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    gaps = [later - earlier for earlier, later in itertools.pairwise(sorted(times))]
    assert len(times) == 4 and min(gaps) >= 0.049


# --- What -v shows: retries, waits and redirect hops, at INFO on threadkeep.fetch -------------


def fetch_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The messages logged on ``threadkeep.fetch``, checked to be INFO records."""
    records = [r for r in caplog.records if r.name == "threadkeep.fetch"]
    assert all(r.levelno == logging.INFO for r in records)
    return [r.getMessage() for r in records]


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="threadkeep")  # where the CLI's -v points
    return caplog


def test_a_retry_after_backoff_is_logged(server: HTTPServer, info: Any) -> None:
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    server.expect_request("/flaky").respond_with_data("<p>ok</p>", content_type="text/html")
    url = server.url_for("/flaky")
    with client_for(server) as client:
        client.fetch(url)
    (message,) = fetch_log(info)
    assert re.fullmatch(
        re.escape(f"{url}: HTTP 503 Service Unavailable (attempt 1 of 3); retrying in ")
        + r"0\.0\d s \(backoff\)",
        message,
    ), message


def test_a_retry_after_the_servers_retry_after_is_logged(server: HTTPServer, info: Any) -> None:
    server.expect_oneshot_request("/busy").respond_with_data(
        "", 429, headers={"Retry-After": "0.2"}
    )
    server.expect_request("/busy").respond_with_data("<p>ok</p>", content_type="text/html")
    url = server.url_for("/busy")
    with client_for(server) as client:
        client.fetch(url)
    assert fetch_log(info) == [
        f"{url}: rate limited, HTTP 429 Too Many Requests (attempt 1 of 3); "
        "retrying in 0.20 s (the server's Retry-After)"
    ]


def test_every_retry_of_a_refused_connection_is_logged(info: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed on leaving: nothing listens there any more
    url = f"http://127.0.0.1:{port}/"
    with Client(**FAST) as client, pytest.raises(threadkeep.FetchError):
        client.fetch(url)
    messages = fetch_log(info)
    assert len(messages) == 2  # three attempts, two waits between them
    for number, message in enumerate(messages, start=1):
        assert message.startswith(f"{url}: connection failed, ConnectError: "), message
        assert f"(attempt {number} of 3); retrying in " in message
        assert message.endswith(" s (backoff)")


def test_a_politeness_wait_is_logged(server: HTTPServer, info: Any) -> None:
    server.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    url = server.url_for("/page")
    with client_for(server, min_interval=0.3) as client:
        client.fetch(url)
        client.fetch(url)
    (message,) = fetch_log(info)
    host = f"127.0.0.1:{server.port}"
    assert re.fullmatch(
        re.escape(f"{url}: waiting ")
        + r"0\.[23]\d"
        + re.escape(f" s for {host}'s turn (min_interval=0.3 s)"),
        message,
    ), message


def test_a_short_politeness_wait_is_not_logged(server: HTTPServer, info: Any) -> None:
    server.expect_request("/page").respond_with_data("<p>hi</p>", content_type="text/html")
    with client_for(server, min_interval=0.03) as client:
        for _ in range(3):
            client.fetch(server.url_for("/page"))
    assert fetch_log(info) == []
    assert len(seen(server, "/page")) == 3


def test_every_redirect_hop_is_logged(server: HTTPServer, info: Any) -> None:
    server.expect_request("/old").respond_with_data("", 301, headers={"Location": "/mid"})
    server.expect_request("/mid").respond_with_data("", 307, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("<p>moved</p>", content_type="text/html")
    old, mid, new = (server.url_for(p) for p in ("/old", "/mid", "/new"))
    with client_for(server) as client:
        assert client.fetch(old).final_url == new
    assert fetch_log(info) == [
        f"{old}: HTTP 301 at {old} redirects to {mid} (hop 1 of at most 10)",
        f"{old}: HTTP 307 at {mid} redirects to {new} (hop 2 of at most 10)",
    ]
