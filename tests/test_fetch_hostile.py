"""Hostile answers to the fetcher, from loopback servers: bombs, bad codings, lying headers.

docs/security.md ("Fetching: hostile answers") states the promises these tests keep: the
size cap bounds the memory of decoding a body, however its codings are stacked; an answer in
a coding threadkeep did not ask for, or cut short, is a clear FetchError; what a server puts
in a header reaches the terminal as one printable line; a Retry-After in the past is no
reason to ask again at once. Each bound on memory or time is checked in a fresh process
(tests/bombs.py), with a generous margin.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Response

import threadkeep
from tests.bombs import nested_gzip, zeros_deflate
from tests.test_fetch import FAST, RawServer, arrivals, seen
from threadkeep.cli import cli
from threadkeep.fetch import AsyncClient, Capture, Client

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"<html><body>" + b"<p>a tweet, kept exactly</p>" * 2000 + b"</body></html>"
CLIENTS = ("sync", "async")


def fetch(how: str, url: str, **settings: Any) -> Capture:
    """``url`` fetched by the sync or the async client, with the fast test settings."""
    if how == "sync":
        with Client(**FAST | settings) as client:
            return client.fetch(url)

    async def fetch_async() -> Capture:
        async with AsyncClient(**FAST | settings) as client:
            return await client.fetch(url)

    return asyncio.run(fetch_async())


def serve(server: HTTPServer, path: str, body: bytes, coding: str) -> str:
    """Answer ``path`` with ``body`` as sent, declared as ``Content-Encoding: coding``."""
    headers = {"Content-Encoding": coding}
    server.expect_request(path).respond_with_data(body, content_type="text/html", headers=headers)
    return server.url_for(path)


# --- Compression bombs -------------------------------------------------------------------------


@pytest.mark.parametrize("how", CLIENTS)
def test_a_nested_gzip_bomb_fails_in_bounded_memory_and_time(server: HTTPServer, how: str) -> None:
    """gzip of gzip of 4 GiB of zeros (10 KB sent): refused while decoding, in a fresh process."""
    bomb = nested_gzip()
    assert len(bomb) < 12_000
    url = serve(server, "/nested", bomb, "gzip, gzip")
    done = subprocess.run(
        [sys.executable, "-m", "tests.bombs", url, how],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    found = json.loads(done.stdout)
    assert found.get("error") == "ResponseTooLarge", found
    assert "went past the 20000000-byte cap" in found["message"]
    assert found["seconds"] < 10, found  # about 0.2 s: the bound is generous, not a benchmark
    assert found["peak_mb"] < 300, found  # about 75 MB, the interpreter and httpx included
    assert len(seen(server, "/nested")) == 1


@pytest.mark.parametrize("how", CLIENTS)
@pytest.mark.parametrize(
    ("coding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15), ("x-gzip", 31)]
)
def test_a_one_layer_bomb_stops_at_the_cap(
    server: HTTPServer, how: str, coding: str, wbits: int
) -> None:
    """256 MiB of zeros in 256 KB, gzip, zlib-wrapped or raw deflate: stopped at the cap."""
    url = serve(server, "/bomb", zeros_deflate(256, wbits), coding)
    with pytest.raises(threadkeep.ResponseTooLarge) as caught:
        fetch(how, url, max_bytes=1_000_000)
    assert "went past the 1000000-byte cap; the rest was not read" in str(caught.value)
    assert caught.value.attempts == 1


@pytest.mark.parametrize("how", CLIENTS)
def test_a_layer_that_expands_to_nothing_is_bounded_too(server: HTTPServer, how: str) -> None:
    """gzip of 200 000 empty gzip members: the inner stream counts against the cap."""
    url = serve(server, "/empty-members", gzip.compress(gzip.compress(b"") * 200_000), "gzip, gzip")
    with pytest.raises(threadkeep.ResponseTooLarge) as caught:
        fetch(how, url, max_bytes=1_000_000)
    assert "while decoding its gzip coding" in str(caught.value)


# --- Codings decoded, refused, cut short -------------------------------------------------------


@pytest.mark.parametrize("how", CLIENTS)
@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("GZip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers do
        ("identity", bytes),
        ("gzip, identity", gzip.compress),
        ("deflate, gzip", lambda data: gzip.compress(zlib.compress(data))),
        ("gzip", lambda data: gzip.compress(data[:1000]) + gzip.compress(data[1000:])),
    ],
    ids=["gzip", "GZip", "zlib", "raw-deflate", "identity", "with-identity", "stacked", "members"],
)
def test_ordinary_codings_decode_exactly(
    server: HTTPServer, how: str, coding: str, encode: Any
) -> None:
    url = serve(server, "/page", encode(PAGE), coding)
    capture = fetch(how, url)
    assert capture.content == PAGE
    assert capture.headers["content-encoding"] == coding  # the headers as the server sent them


def test_only_the_codings_threadkeep_decodes_are_asked_for(server: HTTPServer) -> None:
    server.expect_request("/page").respond_with_data("<p>ok</p>", content_type="text/html")
    for how in CLIENTS:
        fetch(how, server.url_for("/page"))
    asked = [request.headers.get("Accept-Encoding") for request in seen(server, "/page")]
    assert asked == ["gzip, deflate", "gzip, deflate"]


@pytest.mark.parametrize("how", CLIENTS)
@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br", "compress"])
def test_a_coding_not_asked_for_is_refused_by_name(
    server: HTTPServer, how: str, coding: str
) -> None:
    url = serve(server, "/odd", b"\x8b\x00\x80<p>not what was asked for</p>\x03", coding)
    with pytest.raises(threadkeep.FetchError) as caught:
        fetch(how, url)
    name = coding.rpartition(" ")[2]
    assert f"answered in the '{name}' content coding, which threadkeep did not ask for" in str(
        caught.value
    )
    assert caught.value.attempts == 1  # not retried: the server would say the same again


@pytest.mark.parametrize("how", CLIENTS)
def test_more_codings_than_threadkeep_unwraps_are_refused(server: HTTPServer, how: str) -> None:
    body = gzip.compress(gzip.compress(gzip.compress(gzip.compress(PAGE))))
    url = serve(server, "/onion", body, "gzip, gzip, gzip, gzip")
    with pytest.raises(threadkeep.FetchError) as caught:
        fetch(how, url)
    assert "4 content codings stacked; threadkeep unwraps at most 3" in str(caught.value)


@pytest.mark.parametrize("how", CLIENTS)
@pytest.mark.parametrize(
    ("coding", "body", "problem"),
    [
        ("gzip", gzip.compress(PAGE)[:-200], "its gzip stream is cut short"),
        ("deflate", zlib.compress(PAGE)[:-200], "its deflate stream is cut short"),
        ("gzip", gzip.compress(PAGE)[:-4], "its gzip stream is cut short"),
        ("gzip", b"\x1f\x8b\x08\x00" + b"\xff" * 200, "its gzip stream is damaged"),
        ("gzip", b"<p>not gzip at all</p>", "its gzip stream is damaged"),
    ],
    ids=["gzip-cut", "deflate-cut", "gzip-no-trailer", "gzip-garbage", "gzip-plain"],
)
def test_a_damaged_or_cut_stream_is_a_clear_fetch_error(
    server: HTTPServer, how: str, coding: str, body: bytes, problem: str
) -> None:
    url = serve(server, "/cut", body, coding)
    with pytest.raises(threadkeep.FetchError) as caught:
        fetch(how, url)
    assert type(caught.value) is threadkeep.FetchError
    assert f"{url}: the body cannot be decoded: {problem}" in str(caught.value)
    assert "zlib" not in str(caught.value)


# --- Printable errors --------------------------------------------------------------------------

HOSTILE_LOCATION = b"ftp://evil.example/\x9b31m\x9b2Jspoofed"


def redirect_to_hostile(conn: socket.socket, index: int) -> None:
    conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: " + HOSTILE_LOCATION + b"\r\nContent-Length: 0\r\n\r\n"
    )


def test_a_fetch_error_is_one_printable_line() -> None:
    error = threadkeep.FetchError("http://h/: redirected to \x1b[2J\nforged\x9b31m\x07 line")
    assert str(error) == "http://h/: redirected to  [2J forged 31m  line"
    assert str(error).isprintable()


def test_a_fetch_error_shows_its_words_in_their_order() -> None:
    # A right-to-left override sent by a server would turn the rest of the line around.
    error = threadkeep.FetchError("http://h/: redirected to http://h/\u202egpj.exe\u2066x")
    assert str(error) == "http://h/: redirected to http://h/ gpj.exe x"
    assert str(error).isprintable()


@pytest.mark.parametrize("how", CLIENTS)
def test_a_location_with_control_characters_is_printed_on_one_line(how: str) -> None:
    server = RawServer(redirect_to_hostile)
    try:
        with pytest.raises(threadkeep.FetchError) as caught:
            fetch(how, server.url())
    finally:
        server.close()
    message = str(caught.value)
    assert message.isprintable()
    assert f"{server.url()}: redirected to ftp://evil.example/ 31m 2Jspoofed; only http" in message


def test_the_command_line_prints_a_hostile_location_on_one_printable_line(tmp_path: Path) -> None:
    server = RawServer(redirect_to_hostile)
    try:
        result = CliRunner().invoke(
            cli, ["archive", server.url(), "--store", str(tmp_path / "s"), "--min-interval", "0"]
        )
    finally:
        server.close()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert all(line.isprintable() for line in lines), lines
    (failure,) = [line for line in lines if "redirected to" in line]
    assert "redirected to ftp://evil.example/ 31m 2Jspoofed; only http and https urls" in failure


# --- Retry-After in the past -------------------------------------------------------------------


@pytest.mark.parametrize("how", CLIENTS)
@pytest.mark.parametrize("when", ["0", "past date"])
def test_a_retry_after_in_the_past_keeps_the_backoff(
    server: HTTPServer, how: str, when: str
) -> None:
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    asked = "0" if when == "0" else past
    times: list[float] = []
    server.expect_oneshot_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("busy", 503, headers={"Retry-After": asked}))
    )
    server.expect_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("<p>ok</p>", content_type="text/html"))
    )
    capture = fetch(how, server.url_for("/busy"), backoff=0.3)
    assert capture.attempts == 2
    assert times[1] - times[0] >= 0.25  # at least the backoff; it was 2 ms
    assert len(seen(server, "/busy")) == 2
