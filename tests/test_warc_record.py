"""``threadkeep archive URL --warc FILE``: every fetch recorded as a request and a response
record as it happens, through the fetch client's ``on_exchange`` observer (loopback server)."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

import threadkeep
from threadkeep.cli import cli
from threadkeep.fetch.capture import Exchange

pytest.importorskip("warcio")
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parent.parent
THREAD = ROOT / "fixtures/threadreader/quinnypig_2020_full.html"
THREAD_PATH = "/thread/1215710451343904768.html"


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _serve_gzipped_thread(server: HTTPServer) -> None:
    server.expect_request(THREAD_PATH).respond_with_data(
        gzip.compress(THREAD.read_bytes()),
        headers={"Content-Encoding": "gzip", "X-Served-By": "loopback"},
        content_type="text/html; charset=utf-8",
    )


def test_the_client_hands_each_fetch_to_its_observer(server: HTTPServer) -> None:
    _serve_gzipped_thread(server)
    seen: list[Exchange] = []
    with threadkeep.Client(min_interval=0, on_exchange=seen.append) as client:
        capture = client.fetch(server.url_for(THREAD_PATH) + "?s=1")
    [exchange] = seen
    assert (exchange.method, exchange.target, exchange.status) == ("GET", THREAD_PATH + "?s=1", 200)
    assert exchange.reason == "OK" and exchange.http_version == "HTTP/1.1"
    assert exchange.body == capture.content == THREAD.read_bytes()  # decoded
    sent = {k.lower(): v for k, v in exchange.request_headers}
    assert sent["user-agent"].startswith("threadkeep/")
    answered = {k.lower(): v for k, v in exchange.response_headers}
    assert answered["content-encoding"] == "gzip" and answered["x-served-by"] == "loopback"


def test_the_async_client_hands_each_fetch_to_its_observer(server: HTTPServer) -> None:
    _serve_gzipped_thread(server)
    server.expect_request("/gone").respond_with_data("gone", status=404)
    seen: list[Exchange] = []

    async def both() -> list[object]:
        async with threadkeep.AsyncClient(
            min_interval=0, retries=0, on_exchange=seen.append
        ) as client:
            return [
                item
                async for item in client.fetch_many(
                    [server.url_for(THREAD_PATH), server.url_for("/gone")]
                )
            ]

    results = asyncio.run(both())
    assert sum(isinstance(r, threadkeep.FetchError) for r in results) == 1
    assert [(e.target, e.status, e.body == THREAD.read_bytes()) for e in seen] == [
        (THREAD_PATH, 200, True)
    ]


def test_a_failed_fetch_is_not_observed(server: HTTPServer) -> None:
    server.expect_request("/gone").respond_with_data("gone", status=404)
    seen: list[Exchange] = []
    with (
        threadkeep.Client(min_interval=0, retries=0, on_exchange=seen.append) as client,
        pytest.raises(threadkeep.FetchError),
    ):
        client.fetch(server.url_for("/gone"))
    assert seen == []


def _records(path: Path) -> list[tuple[str, dict[str, str], object, bytes]]:
    with path.open("rb") as stream:
        return [
            (r.rec_type, dict(r.rec_headers.headers), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream, check_digests="raise")
        ]


def test_archive_records_each_fetch_as_request_and_response(
    server: HTTPServer, tmp_path: Path
) -> None:
    _serve_gzipped_thread(server)
    warc = tmp_path / "fetches.warc.gz"
    url = server.url_for(THREAD_PATH)
    args = ["archive", url, "--store", str(tmp_path / "store"), "--min-interval", "0"]
    done = CliRunner().invoke(cli, [*args, "--warc", str(warc)])
    assert done.exit_code == 0, done.output
    assert "1 request recorded" in done.output
    records = _records(warc)
    assert [kind for kind, *_ in records] == ["warcinfo", "request", "response"]
    _, request, response = records
    assert request[1]["WARC-Target-URI"] == response[1]["WARC-Target-URI"] == url
    assert request[1]["WARC-Concurrent-To"] == response[1]["WARC-Record-ID"]
    assert request[2].protocol == "GET" and request[2].statusline.startswith(THREAD_PATH)
    assert request[2].get_header("User-Agent").startswith("threadkeep/")
    head = response[2]
    assert head.statusline == "200 OK"
    assert head.get_header("X-Served-By") == "loopback"
    assert head.get_header("Content-Type") == "text/html; charset=utf-8"
    assert head.get_header("Content-Encoding") is None  # the body written is the decoded one
    assert head.get_header("Content-Length") == str(len(THREAD.read_bytes()))
    assert response[3] == THREAD.read_bytes()
    assert response[1]["WARC-Payload-Digest"] == _sha1(THREAD.read_bytes())
    # the capture in the store and the record in the file are the same fetch
    [entry] = threadkeep.Archive(tmp_path / "store").captures()
    assert response[1]["WARC-Date"].startswith(entry.time.strftime("%Y-%m-%dT%H:%M:%S"))

    again = CliRunner().invoke(cli, [*args, "--refresh", "--warc", str(warc)])
    assert again.exit_code == 0, again.output
    kinds = [kind for kind, *_ in _records(warc)]
    assert kinds == ["warcinfo", "request", "response"] * 2  # continued, not replaced


def test_a_redirect_is_recorded_before_the_answer_it_led_to(
    server: HTTPServer, tmp_path: Path
) -> None:
    _serve_gzipped_thread(server)
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": THREAD_PATH}
    )
    warc = tmp_path / "fetches.warc"
    old = server.url_for("/old")
    args = ["archive", old, "--store", str(tmp_path / "store"), "--min-interval", "0"]
    done = CliRunner().invoke(cli, [*args, "--warc", str(warc)])
    assert done.exit_code == 0, done.output
    assert "2 requests recorded" in done.output
    records = _records(warc)
    assert [(kind, h.get("WARC-Target-URI")) for kind, h, _, _ in records[1:]] == [
        ("request", old),
        ("response", old),
        ("request", server.url_for(THREAD_PATH)),
        ("response", server.url_for(THREAD_PATH)),
    ]
    moved = records[2][2]
    assert moved.statusline.startswith("301 ")
    assert moved.get_header("Location") == THREAD_PATH
    assert records[4][3] == THREAD.read_bytes()


def test_archive_refuses_a_warc_file_it_cannot_write(tmp_path: Path) -> None:
    page = str(THREAD)
    missing = tmp_path / "no" / "such" / "folder" / "f.warc.gz"
    done = CliRunner().invoke(
        cli, ["archive", page, "--store", str(tmp_path / "s"), "--warc", str(missing)]
    )
    assert done.exit_code == 1
    assert f"--warc {missing}: No such file or directory" in done.output
