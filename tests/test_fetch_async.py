"""AsyncClient and fetch_many against loopback servers: the same rules, plus batch politeness.

Each test drives its own event loop with ``asyncio.run`` (no pytest plugin needed). The batch
tests measure politeness where it matters, on the server: when requests arrive and how many
are being handled at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import socket
import threading
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import threadkeep
from tests.test_fetch import (
    FAST,
    QUINNY,
    QUINNY_ID,
    TOMBSTONE_ID,
    RawServer,
    answer,
    arrivals,
    fetch_log,
    seen,
)
from threadkeep.fetch import AsyncClient, Capture

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\n<p>ok</p>"


def client_for(server: HTTPServer, **settings: Any) -> AsyncClient:
    return AsyncClient(
        threadreader_base=server.url_for("/"),
        oembed_base=server.url_for("/oembed"),
        syndication_base=server.url_for("/tweet-result"),
        **(FAST | settings),
    )


class Meter:
    """Records when requests arrive and the most that were being handled at once."""

    def __init__(self, *, hold: float) -> None:
        self.hold = hold
        self.times: list[float] = []
        self.in_flight = self.peak = 0
        self._lock = threading.Lock()

    def handle(self) -> None:
        with self._lock:
            self.times.append(time.monotonic())
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(self.hold)  # keep the request open so that concurrency can show
        with self._lock:
            self.in_flight -= 1

    def __call__(self, request: Request) -> Response:  # as a werkzeug handler
        self.handle()
        return Response(f"<p>{request.path}</p>", content_type="text/html")

    def script(self, conn: socket.socket, index: int) -> None:  # as a RawServer script
        self.handle()
        conn.sendall(OK)

    def gaps(self) -> list[float]:
        times = sorted(self.times)
        return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_fetch_many_200_pages_is_polite_and_bounded(server: HTTPServer) -> None:
    meter = Meter(hold=0)
    server.expect_request(re.compile(r"/page/\d+")).respond_with_handler(meter)
    urls = [server.url_for(f"/page/{n}") for n in range(200)]
    progress: list[tuple[int, int]] = []

    def note(done: int, total: int) -> None:
        progress.append((done, total))

    async def batch() -> list[Capture | threadkeep.FetchError]:
        async with client_for(server, concurrency=8, min_interval=0.01) as client:
            return [result async for result in client.fetch_many(urls, progress=note)]

    results = asyncio.run(batch())
    assert all(isinstance(result, Capture) for result in results)
    assert sorted(r.url for r in results if isinstance(r, Capture)) == sorted(urls)
    assert progress == [(done, 200) for done in range(1, 201)]
    assert len(server.log) == 200
    assert min(meter.gaps()) >= 0.009  # the 10 ms interval, measured where requests arrive
    assert meter.peak <= 8  # one host gets one request at a time: the peak here is 1


def test_concurrency_is_capped_across_hosts() -> None:
    # Twelve loopback servers are twelve hosts (host:port); each answers after 100 ms.
    meter = Meter(hold=0.1)
    hosts = [RawServer(meter.script) for _ in range(12)]
    urls = [host.url(f"/page/{n}") for host in hosts for n in range(4)]

    async def batch() -> list[Capture | threadkeep.FetchError]:
        async with AsyncClient(**FAST | {"concurrency": 8}) as client:
            return [result async for result in client.fetch_many(urls)]

    try:
        results = asyncio.run(batch())
    finally:
        for host in hosts:
            host.release.set()
        for host in hosts:
            host.close()
    assert all(isinstance(result, Capture) for result in results)
    assert sum(host.connections for host in hosts) == 48
    assert meter.peak == 8


def test_fetch_many_yields_failures_as_values(server: HTTPServer) -> None:
    server.expect_request("/ok").respond_with_data("<p>ok</p>", content_type="text/html")
    server.expect_request("/missing").respond_with_data("", status=404)
    server.expect_request("/down").respond_with_data("", status=503)
    urls = [server.url_for(p) for p in ("/ok", "/missing", "/down")] + ["ftp://example.org/"]

    async def batch() -> list[Capture | threadkeep.FetchError]:
        async with client_for(server, retries=1) as client:
            return [result async for result in client.fetch_many(urls)]

    results = {result.url: result for result in asyncio.run(batch())}
    assert isinstance(results[urls[0]], Capture)
    missing, down, ftp = results[urls[1]], results[urls[2]], results[urls[3]]
    assert isinstance(missing, threadkeep.HTTPStatusError) and missing.attempts == 1
    assert isinstance(down, threadkeep.HTTPStatusError) and down.attempts == 2
    assert isinstance(ftp, threadkeep.FetchError) and ftp.attempts == 0
    assert [len(seen(server, p)) for p in ("/ok", "/missing", "/down")] == [1, 1, 2]


def test_stopping_early_cancels_the_rest(server: HTTPServer) -> None:
    meter = Meter(hold=0)
    server.expect_request(re.compile(r"/page/\d+")).respond_with_handler(meter)
    urls = [server.url_for(f"/page/{n}") for n in range(50)]

    async def first() -> Capture | threadkeep.FetchError:
        async with client_for(server, min_interval=0.05) as client:
            async with contextlib.aclosing(client.fetch_many(urls)) as stream:
                async for result in stream:  # noqa: B007 (the first result is the point)
                    break
            await asyncio.sleep(0.2)  # had the rest kept going, ~4 more would arrive
            return result

    assert isinstance(asyncio.run(first()), Capture)
    assert len(server.log) <= 2


def test_async_fetch_thread_and_retry(server: HTTPServer) -> None:
    path = f"/thread/{QUINNY_ID}.html"
    server.expect_oneshot_request(path).respond_with_data("", status=500)
    server.expect_request(path).respond_with_data(QUINNY, content_type="text/html")

    async def fetch() -> threadkeep.Thread:
        async with client_for(server) as client:
            return await client.fetch_thread(QUINNY_ID)

    thread = asyncio.run(fetch())
    assert len(thread.tweets) == 102
    assert thread.source is not None and thread.source.captured_at is not None
    assert len(seen(server, path)) == 2


def test_async_fetch_tweet_falls_back_to_a_tombstone(server: HTTPServer) -> None:
    server.expect_request("/oembed").respond_with_data("", status=404)
    server.expect_request("/tweet-result").respond_with_data(
        answer(f"*tombstone*{TOMBSTONE_ID}"), content_type="application/json"
    )

    async def fetch() -> threadkeep.Tweet:
        async with client_for(server) as client:
            return await client.fetch_tweet(f"https://x.com/i/web/status/{TOMBSTONE_ID}")

    tweet = asyncio.run(fetch())
    assert (tweet.id, tweet.unavailable is not None) == (TOMBSTONE_ID, True)
    assert len(seen(server, "/oembed")) == len(seen(server, "/tweet-result")) == 1


def test_async_faults_match_the_sync_client(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/html")
    server.expect_request("/sneaky").respond_with_data(
        "", 302, headers={"Location": "file:///etc/passwd"}
    )
    server.expect_request("/png").respond_with_data(b"\x89PNG", content_type="image/png")

    async def fetch_all() -> list[BaseException]:
        async with client_for(server, max_bytes=1000) as client:
            calls = (
                client.fetch(server.url_for("/big")),
                client.fetch(server.url_for("/sneaky")),
                client.fetch_article(server.url_for("/png")),
            )
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
        return [o for o in outcomes if isinstance(o, BaseException)]

    big, sneaky, png = asyncio.run(fetch_all())
    assert isinstance(big, threadkeep.ResponseTooLarge) and big.attempts == 1
    assert isinstance(sneaky, threadkeep.FetchError) and "file:///etc/passwd" in str(sneaky)
    assert isinstance(png, threadkeep.UnsupportedPage) and "image/png" in str(png)
    assert [len(seen(server, p)) for p in ("/big", "/sneaky", "/png")] == [1, 1, 1]


def test_async_retry_after_is_honoured(server: HTTPServer) -> None:
    times: list[float] = []
    server.expect_oneshot_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("", 429, headers={"Retry-After": "0.3"}))
    )
    server.expect_request("/busy").respond_with_handler(
        arrivals(times, lambda _: Response("<p>ok</p>", content_type="text/html"))
    )

    async def fetch() -> Capture:
        async with client_for(server) as client:
            return await client.fetch(server.url_for("/busy"))

    assert asyncio.run(fetch()).attempts == 2
    assert times[1] - times[0] >= 0.29


def test_async_retries_waits_and_hops_are_logged(
    server: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="threadkeep")
    server.expect_request("/old").respond_with_data("", 302, headers={"Location": "/busy"})
    server.expect_oneshot_request("/busy").respond_with_data(
        "", 503, headers={"Retry-After": "0.1"}
    )
    server.expect_request("/busy").respond_with_data("<p>ok</p>", content_type="text/html")
    old, busy = server.url_for("/old"), server.url_for("/busy")

    async def fetch() -> Capture:
        async with client_for(server, min_interval=0.3) as client:
            return await client.fetch(old)

    assert asyncio.run(fetch()).attempts == 2
    messages = fetch_log(caplog)
    host = f"127.0.0.1:{server.port}"
    assert messages[0] == f"{old}: HTTP 302 at {old} redirects to {busy} (hop 1 of at most 10)"
    assert re.fullmatch(
        re.escape(f"{busy}: waiting ")
        + r"0\.[23]\d"
        + re.escape(f" s for {host}'s turn (min_interval=0.3 s)"),
        messages[1],
    ), messages[1]
    assert messages[2] == (
        f"{old}: HTTP 503 Service Unavailable at {busy} (attempt 1 of 3); "
        "retrying in 0.10 s (the server's Retry-After)"
    )
    # The second attempt starts again at /old, each request after its host's turn.
    assert messages[3].startswith(f"{old}: waiting ")
    assert messages[4] == f"{old}: HTTP 302 at {old} redirects to {busy} (hop 1 of at most 10)"
    assert messages[5].startswith(f"{busy}: waiting ")
    assert len(messages) == 6
    assert [len(seen(server, p)) for p in ("/old", "/busy")] == [2, 2]
