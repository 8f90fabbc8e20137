"""Fetching the media of archived tweets, against a media host and a web archive on loopback.

The host (:class:`MediaHost`) is a real HTTP server on 127.0.0.2, which :class:`Policy` calls
public, so that the client's rules for urls taken from pages apply as they would to
pbs.twimg.com: a redirect into 127.0.0.1 is refused. Its tweet is a syndication answer (a video
with three variants, a poster, four photos) whose media urls point at it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from werkzeug.wrappers import Request, Response

from tests.conftest import FIXTURES, stored_photo
from tests.test_fetch_network import Policy
from tests.wayback_server import Loopback
from threadkeep.archive import Archive
from threadkeep.batch.media import MediaItem, fetch_media
from threadkeep.cli import cli
from threadkeep.fetch import Client

ANSWER = FIXTURES / "answers" / "constructed_syndication_edited_video_quote_reply.input.json"
TWEET = "1653339402148855808"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8  # the bytes matter, not that they decode
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 8
MP4_HIGH = b"\x00\x00\x00\x18ftypmp42" + b"high" * 500
MP4_LOW = b"\x00\x00\x00\x18ftypmp42" + b"low" * 100
GONE_JPEG = b"\xff\xd8\xff\xe0 the web archive's copy" * 20
BIG = b"\xff\xd8\xff\xe0" + b"x" * 50_000


class MediaHost(Loopback):
    """A media host and a web archive in one loopback server; ``requests`` lists the paths
    asked for, in order."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.requests: list[str] = []
        super().__init__(host)
        b = self.base
        self.routes: dict[str, tuple[int, bytes, dict[str, str]]] = {
            "/vid/1280x720/high.mp4": (200, MP4_HIGH, {"Content-Type": "video/mp4"}),
            "/vid/480x270/low.mp4": (200, MP4_LOW, {"Content-Type": "video/mp4"}),
            "/img/thumb.jpg": (200, JPEG, {"Content-Type": "image/jpeg"}),
            "/media/ok.png": (200, PNG, {"Content-Type": "image/png"}),
            "/media/gone.jpg": (404, b"gone", {"Content-Type": "text/plain"}),
            f"/web/2id_/{b}/media/gone.jpg": (
                302, b"", {"Location": f"{b}/web/20230502091530id_/{b}/media/gone.jpg"}
            ),
            f"/web/20230502091530id_/{b}/media/gone.jpg": (
                200, GONE_JPEG, {"Content-Type": "image/jpeg"}
            ),
            "/media/big.jpg": (200, BIG, {"Content-Type": "image/jpeg"}),
            "/media/moved.jpg": (302, b"", {"Location": "http://127.0.0.1:9/secret.jpg"}),
        }  # fmt: skip

    @Request.application  # type: ignore[misc]
    def _app(self, request: Request) -> Response:
        path = request.environ.get("RAW_URI") or request.path
        self.requests.append(path)
        status, body, headers = self.routes.get(path, (404, b"no such file", {}))
        return Response(body, status=status, headers=headers)

    def answer(self) -> bytes:
        """The syndication answer, its media on this host: a video (three variants, a
        poster) and four photos (one kept, one gone, one too big, one redirected away)."""
        data: dict[str, Any] = json.loads(ANSWER.read_text(encoding="utf-8"))
        video = data["mediaDetails"][0]
        video["media_url_https"] = f"{self.base}/img/thumb.jpg"
        for variant in video["video_info"]["variants"]:
            variant["url"] = (
                self.base + "/" + variant["url"].split("/pu/", 1)[1].removeprefix("pl/")
            )
        for name in ("ok.png", "gone.jpg", "big.jpg", "moved.jpg"):
            data["mediaDetails"].append(
                {
                    "type": "photo",
                    "media_url_https": f"{self.base}/media/{name}",
                    "ext_alt_text": name,
                }
            )
        return json.dumps(data).encode()


@pytest.fixture
def host() -> Iterator[MediaHost]:
    with MediaHost() as server:
        yield server


def client(**settings: Any) -> Client:
    options: dict[str, Any] = {"min_interval": 0.0, "retries": 0, "timeout": 5.0}
    return Client(address_policy=Policy(), **(options | settings))


def archived(host: MediaHost, store: Path) -> Archive:
    archive = Archive(store)
    archive.add(host.answer(), url="https://cdn.syndication.twimg.com/tweet-result?id=" + TWEET)
    return archive


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_photos_and_the_best_video_variant_are_kept_once_each(
    host: MediaHost, tmp_path: Path
) -> None:
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    # the video as the best variant, its poster, two photos (one from the web archive)
    stored = {entry.url: entry for entry in report.stored}
    assert set(stored) == {
        f"{host.base}/vid/1280x720/high.mp4",
        f"{host.base}/img/thumb.jpg",
        f"{host.base}/media/ok.png",
        f"{host.base}/media/gone.jpg",
    }
    assert "/vid/480x270/low.mp4" not in host.requests  # the best variant only
    video = archive.media(url=f"{host.base}/vid/1280x720/high.mp4")
    assert video is not None and video.type == "video" and video.tweet == TWEET
    assert archive.media_bytes(video.sha256) == MP4_HIGH and video.size == len(MP4_HIGH)
    photo = archive.media(url=f"{host.base}/media/ok.png")
    assert photo is not None and photo.type == "photo"
    assert archive.media_bytes(photo.sha256) == PNG
    assert photo.origin == f"{host.base}/media/ok.png"
    assert (tmp_path / "media" / photo.sha256[:2] / photo.sha256).read_bytes() == PNG
    assert archive.verify().ok


def test_a_404_comes_from_the_web_archive_and_says_so(host: MediaHost, tmp_path: Path) -> None:
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    gone = archive.media(url=f"{host.base}/media/gone.jpg")
    assert gone is not None
    assert archive.media_bytes(gone.sha256) == GONE_JPEG
    assert gone.origin == f"{host.base}/web/20230502091530id_/{host.base}/media/gone.jpg"
    assert report.from_wayback == 1
    assert host.requests.index("/media/gone.jpg") < host.requests.index(
        f"/web/2id_/{host.base}/media/gone.jpg"
    )


def test_without_the_web_archive_a_404_is_a_failure(host: MediaHost, tmp_path: Path) -> None:
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=None)
    failed = dict(report.failures)
    assert "HTTP 404" in failed[f"{host.base}/media/gone.jpg"]
    assert archive.media(url=f"{host.base}/media/gone.jpg") is None
    assert not any(path.startswith("/web/") for path in host.requests)


def test_an_oversized_file_and_a_redirect_into_a_private_address_are_refused(
    host: MediaHost, tmp_path: Path
) -> None:
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    failed = dict(report.failures)
    assert set(failed) == {f"{host.base}/media/big.jpg", f"{host.base}/media/moved.jpg"}
    assert "20000-byte cap" in failed[f"{host.base}/media/big.jpg"]
    assert "127.0.0.1" in failed[f"{host.base}/media/moved.jpg"]
    assert archive.media(url=f"{host.base}/media/big.jpg") is None
    assert archive.media(url=f"{host.base}/media/moved.jpg") is None
    stored = {p.name for p in (tmp_path / "media").rglob("*") if p.is_file()}
    assert sha(BIG) not in stored  # nothing half-written either
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]


def test_a_streaming_playlist_is_no_file_to_keep() -> None:
    # fixtures hold .m3u8 video urls (Thread Reader's <source>): skipped, and reported
    assert MediaItem(
        "https://video.twimg.com/ext_tw_video/1/pu/pl/a.m3u8?tag=1", "video", "1"
    ).playlist
    assert not MediaItem(
        "https://video.twimg.com/ext_tw_video/1/pu/vid/a.mp4", "video", "1"
    ).playlist


def test_a_second_run_fetches_nothing_again(host: MediaHost, tmp_path: Path) -> None:
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        first = fetch_media(archive, c, wayback=host.base)
        asked = len(host.requests)
        again = fetch_media(archive, c, wayback=host.base)
    assert len(first.stored) == 4
    assert again.stored == [] and again.held == 4
    # only what failed is asked again
    assert sorted(host.requests[asked:]) == ["/media/big.jpg", "/media/moved.jpg"]
    lines = archive.media_store.journal.read().splitlines()
    assert len(lines) == 4


def test_a_stopped_run_keeps_what_it_fetched_and_the_next_one_goes_on(
    host: MediaHost, tmp_path: Path
) -> None:
    archive = archived(host, tmp_path)

    def stop_after_the_first(line: str) -> None:
        if line.startswith("stored"):
            raise KeyboardInterrupt

    with client(max_bytes=20_000) as c:
        with pytest.raises(KeyboardInterrupt):
            fetch_media(archive, c, wayback=host.base, progress=stop_after_the_first)
        assert len(archive.media_store.journal.read().splitlines()) == 1
        assert archive.verify().ok
        rest = fetch_media(archive, c, wayback=host.base)
    assert rest.held == 1 and len(rest.stored) == 3
    for kept in ("/vid/1280x720/high.mp4", "/img/thumb.jpg", "/media/ok.png", "/media/gone.jpg"):
        assert host.requests.count(kept) == 1  # the one kept before the stop is not asked again


def test_an_html_error_page_is_not_kept_as_a_photo(host: MediaHost, tmp_path: Path) -> None:
    host.routes["/media/ok.png"] = (200, b"<html>login</html>", {"Content-Type": "text/html"})
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    assert "text/html" in dict(report.failures)[f"{host.base}/media/ok.png"]
    assert archive.media(url=f"{host.base}/media/ok.png") is None


def test_an_html_page_served_as_a_jpeg_is_not_kept(host: MediaHost, tmp_path: Path) -> None:
    """The Content-Type is not trusted: the first bytes must be a picture or a video."""
    page = b"<!DOCTYPE html><html><head><title>Sign in</title></head></html>"
    host.routes["/media/ok.png"] = (200, page, {"Content-Type": "image/jpeg"})
    archive = archived(host, tmp_path)
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    reason = dict(report.failures)[f"{host.base}/media/ok.png"]
    assert "the answer is not a picture or a video: it starts with <!DOCTYPE html>" in reason
    assert archive.media(url=f"{host.base}/media/ok.png") is None
    assert sha(page) not in {p.name for p in (tmp_path / "media").rglob("*")}
    assert not [p for p in (tmp_path / "media").rglob(".*") if p.is_file()]  # no temporary
    assert len(report.stored) == 3  # video, poster, the photo the web archive gave: kept


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"THREADKEEP_STORE": None})


def test_the_media_command(tmp_path: Path) -> None:
    with MediaHost("127.0.0.1") as host:
        host.routes["/media/moved.jpg"] = (410, b"gone", {})  # and the web archive has none
        answer = tmp_path / "answer.json"
        answer.write_bytes(host.answer())
        store = str(tmp_path / "store")
        done = invoke("archive", str(answer), "--store", store)
        assert done.exit_code == 0, done.output
        refused = invoke("media", "--store", store, "--wayback", host.base, "--min-interval", "0")
        assert refused.exit_code == 1  # loopback media urls, no --allow-private
        assert "loopback" in refused.stderr
        done = invoke("media", TWEET, "--store", store, "--wayback", host.base,
                      "--allow-private", "--max-bytes", "20000", "--min-interval", "0")  # fmt: skip
        assert done.exit_code == 1, done.output  # big.jpg, and moved.jpg gone everywhere
        assert done.stdout.startswith("6 media items: 4 fetched (1 from the web archive)")
        assert "big.jpg" in done.stderr and "20000-byte cap" in done.stderr
        assert done.stderr.count("/media/big.jpg") == 1  # said once, its url once
        assert "threadkeep: failed:" not in done.stderr
        assert "raise --max-bytes to fetch it" in done.stderr and "max_bytes" not in done.stderr
        assert f"  {host.base}/media/big.jpg: Content-Length declares" in done.stderr
        again = invoke("media", "--store", store, "--no-wayback", "--allow-private",
                       "--max-bytes", "20000", "--min-interval", "0", "--format", "json")  # fmt: skip
        report = json.loads(again.stdout)
        assert report["held"] == 4 and report["stored"] == []
        shown = Archive(store).media(url=f"{host.base}/media/gone.jpg")
        assert shown is not None and "/web/" in shown.origin


def test_archive_with_media(tmp_path: Path) -> None:
    with MediaHost("127.0.0.1") as host:
        host.routes.pop("/media/big.jpg")
        host.routes["/media/big.jpg"] = (200, JPEG[:100], {"Content-Type": "image/jpeg"})
        host.routes["/media/moved.jpg"] = (200, JPEG[:50], {"Content-Type": "image/jpeg"})
        answer = tmp_path / "answer.json"
        answer.write_bytes(host.answer())
        store = str(tmp_path / "store")
        done = invoke("archive", str(answer), "--store", store, "--media", "--allow-private",
                      "--wayback", host.base, "--min-interval", "0")  # fmt: skip
        assert done.exit_code == 0, done.output
        assert "6 media items: 6 fetched (1 from the web archive)" in done.stdout
        assert Archive(store).verify().ok


def test_media_of_an_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    Archive(tmp_path)
    done = invoke("media", "999", "--store", str(tmp_path))
    assert done.exit_code == 1
    assert "nothing archived is '999'" in done.stderr


def test_show_joins_the_kept_media_in(host: MediaHost, tmp_path: Path) -> None:
    """`show` (and Archive.thread) lists each media file the archive keeps, where it is in the
    store and where it came from: a file the web archive gave says so."""
    archive = archived(host, tmp_path)
    before = archive.thread(TWEET)
    assert before is not None and before.media == ()  # nothing kept yet: nothing listed
    with client(max_bytes=20_000) as c:
        fetch_media(archive, c, wayback=host.base)
    thread = archive.thread(TWEET)
    assert thread is not None
    kept = {item.url: item for item in thread.media}
    photo = kept[f"{host.base}/media/ok.png"]
    assert photo.path == f"media/{photo.sha256[:2]}/{photo.sha256}" and photo.size == len(PNG)
    assert (tmp_path / photo.path).read_bytes() == PNG
    gone = kept[f"{host.base}/media/gone.jpg"]
    assert gone.origin.startswith(f"{host.base}/web/20230502091530id_/")
    text = invoke("show", TWEET, "--store", str(tmp_path), "--format", "text").output
    assert "media files kept in the archive:" in text
    assert f"{host.base}/media/ok.png → {photo.path} (photo," in text
    assert f"from {gone.origin}" in text
    markdown = invoke("show", TWEET, "--store", str(tmp_path), "--format", "md").output
    assert f"- {host.base}/media/ok.png → `{photo.path}` (photo," in markdown


def test_a_url_no_parser_reads_is_one_failure_not_a_traceback(tmp_path: Path) -> None:
    """A page may give any string as a media url: one that cannot be fetched at all fails
    alone, said on stderr, and `archive --media` still reports its sources first."""
    with MediaHost("127.0.0.1") as host:
        data = json.loads(host.answer())
        data["mediaDetails"] = [
            {"type": "photo", "media_url_https": "https://[pbs.twimg.com/media/x.jpg"},
            {"type": "photo", "media_url_https": f"{host.base}/media/ok.png"},
        ]
        answer = tmp_path / "answer.json"
        answer.write_text(json.dumps(data), encoding="utf-8")
        broken = tmp_path / "broken.html"
        broken.write_bytes(b"<html><body><p>no tweet here</p></body></html>")
        store = str(tmp_path / "store")
        done = invoke("archive", str(answer), str(broken), "--store", store, "--media",
                      "--allow-private", "--wayback", host.base, "--min-interval", "0")  # fmt: skip
        assert done.exit_code == 1
        assert isinstance(done.exception, SystemExit) and "Traceback" not in done.output
        assert "2 media items: 1 fetched" in done.stdout
        assert "https://[pbs.twimg.com/media/x.jpg: not a url that can be fetched" in done.stderr
        assert "broken.html" in done.stderr  # the source that failed is not lost
        assert Archive(store).media(url=f"{host.base}/media/ok.png") is not None


def test_the_media_index_reads_only_new_lines_and_sees_every_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each fetched file adds an index line: the index is read again from where it was, and
    still sees a damaged line appended later, or the file rewritten (a repair)."""
    from datetime import UTC, datetime

    from threadkeep.archive.media import MediaEntry

    store = Archive(tmp_path).media_store

    def entry(data: bytes, url: str) -> MediaEntry:
        digest = hashlib.sha256(data).hexdigest()
        return MediaEntry(
            sha256=digest, size=len(data), url=url, origin=url, time=datetime.now(UTC)
        )

    first, second = (
        entry(b"one", "https://a.example/1.jpg"),
        entry(b"two", "https://a.example/2.jpg"),
    )
    store.store([(b"one", first)])
    assert store.index() == {("url", first.url): first}
    store.store([(b"two", second)])
    assert store.index() == {("url", first.url): first, ("url", second.url): second}
    # format 3: packs are written whole, once (never torn, never appended to): a damaged
    # line comes in a new pack (written by a threadkeep this one cannot read, say)
    (tmp_path / "media-journal" / "0000000003.jsonl").write_bytes(b'{"sha256": "torn"}\n')
    with caplog.at_level(logging.WARNING, logger="threadkeep"):  # skipped, said once
        assert set(store.index()) == {("url", first.url), ("url", second.url)}
        assert set(store.index()) == {("url", first.url), ("url", second.url)}
    assert [r.getMessage() for r in caplog.records if "is damaged" in r.getMessage()] == [
        f"{tmp_path}: media-journal/0000000003.jsonl line 1 is damaged (Field required): "
        "skipped; threadkeep verify --repair sets it aside"
    ]
    shutil.rmtree(tmp_path / "media-journal")  # rewritten whole, as one frozen index
    (tmp_path / "media.jsonl").write_bytes(second.model_dump_json().encode() + b"\n")
    assert store.index() == {("url", second.url): second}


# -- review of issue 18: streaming, the user's web archive, what a run fetches -----------------

CHUNK = bytes(range(256)) * 256  # 64 KiB, one object served again and again: no server copy


def streamed(size: int, head: bytes = b"\xff\xd8\xff\xe0") -> tuple[Any, str]:
    """A body of ``size`` bytes sent in 64 KiB chunks with no Content-Length (the cap can
    only be found while it streams), and its sha256."""
    digest = hashlib.sha256(head)
    left = size - len(head)
    while left > 0:
        digest.update(CHUNK[:left])
        left -= len(CHUNK)

    def body() -> Iterator[bytes]:
        yield head
        rest = size - len(head)
        while rest > 0:
            yield CHUNK[:rest] if rest < len(CHUNK) else CHUNK
            rest -= len(CHUNK)

    return body, digest.hexdigest()


class StreamingHost(MediaHost):
    """A media host whose routes may also be functions giving the body's chunks."""

    @Request.application  # type: ignore[misc]
    def _app(self, request: Request) -> Response:
        path = request.environ.get("RAW_URI") or request.path
        self.requests.append(path)
        status, body, headers = self.routes.get(path, (404, b"no such file", {}))
        return Response(body() if callable(body) else body, status=status, headers=headers)


def answer_with(host: MediaHost, tweet: str, *media: dict[str, Any]) -> bytes:
    """The syndication answer as tweet ``tweet`` with only ``media``."""
    data: dict[str, Any] = json.loads(host.answer())
    data["id_str"] = tweet
    data["mediaDetails"] = list(media)
    for key in ("quoted_tweet", "parent"):
        data.pop(key, None)
    return json.dumps(data).encode()


def photo(url: str) -> dict[str, Any]:
    return {"type": "photo", "media_url_https": url}


def one_photo_archive(host: MediaHost, store: Path, url: str) -> Archive:
    archive = Archive(store)
    archive.add(answer_with(host, TWEET, photo(url)),
                url="https://cdn.syndication.twimg.com/tweet-result?id=" + TWEET)  # fmt: skip
    return archive


def test_a_file_growing_past_the_cap_is_refused_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    with StreamingHost() as host:
        body, _ = streamed(3_000_000)
        host.routes["/media/huge.jpg"] = (200, body, {"Content-Type": "image/jpeg"})
        archive = one_photo_archive(host, tmp_path, f"{host.base}/media/huge.jpg")
        with client(max_bytes=1_000_000) as c:
            report = fetch_media(archive, c, wayback=None)
    assert "1000000-byte cap" in dict(report.failures)[f"{host.base}/media/huge.jpg"]
    assert report.stored == [] and archive.media(url=f"{host.base}/media/huge.jpg") is None
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]  # not even a temp
    assert list(archive.storage.temporaries()) == []
    assert archive.verify().ok


def test_a_big_video_is_written_as_it_comes_never_whole_in_memory(tmp_path: Path) -> None:
    """30 MB sent in chunks, under a raised cap: stored with its sha256, while the fetch's
    peak of memory (every allocation of the process, the server's too) stays far below it."""
    import tracemalloc

    size = 30_000_000
    with StreamingHost() as host:
        body, digest = streamed(size, head=b"\x00\x00\x00\x18ftypmp42")
        host.routes["/media/big.mp4"] = (200, body, {"Content-Type": "video/mp4"})
        archive = one_photo_archive(host, tmp_path, f"{host.base}/media/big.mp4")
        with client(max_bytes=40_000_000) as c:
            tracemalloc.start()
            try:
                report = fetch_media(archive, c, wayback=None)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert report.failures == [] and len(report.stored) == 1
    entry = report.stored[0]
    assert entry.sha256 == digest and entry.size == size
    kept = tmp_path / "media" / digest[:2] / digest
    assert kept.stat().st_size == size
    with kept.open("rb") as stream:
        assert hashlib.file_digest(stream, "sha256").hexdigest() == digest
    assert peak < size // 10, f"the fetch held {peak} bytes at its peak"
    assert archive.verify().ok


def test_the_users_own_web_archive_on_the_local_network_needs_no_allow_private(
    host: MediaHost, tmp_path: Path
) -> None:
    """--wayback is the user's choice: a mirror on a loopback or private address is fetched
    without --allow-private, while media urls from pages keep their refusal."""
    with MediaHost("127.0.0.1") as mirror:
        copy = f"/web/2id_/{host.base}/media/gone.jpg"
        mirror.routes[copy] = (200, GONE_JPEG, {"Content-Type": "image/jpeg"})
        archive = archived(host, tmp_path)
        with client(max_bytes=20_000) as c:  # Policy(): 127.0.0.1 is loopback, not allowed
            report = fetch_media(archive, c, wayback=mirror.base)
    gone = archive.media(url=f"{host.base}/media/gone.jpg")
    assert gone is not None and archive.media_bytes(gone.sha256) == GONE_JPEG
    assert gone.origin == f"{mirror.base}{copy}" and report.from_wayback == 1
    assert mirror.requests == [copy]
    failed = dict(report.failures)
    assert "127.0.0.1" in failed[f"{host.base}/media/moved.jpg"]  # a page's url: still refused


def test_a_media_url_under_the_web_archives_address_is_not_counted_as_from_it(
    host: MediaHost, tmp_path: Path
) -> None:
    """Whether a file came from the web archive is what the fetch did, not what its url
    looks like: a photo whose own url starts with BASE/web/ is the origin's."""
    host.routes["/web/own.jpg"] = (200, JPEG, {"Content-Type": "image/jpeg"})
    archive = one_photo_archive(host, tmp_path, f"{host.base}/web/own.jpg")
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=host.base)
    assert [entry.url for entry in report.stored] == [f"{host.base}/web/own.jpg"]
    assert report.from_wayback == 0
    assert report.lines()[0] == "1 media items: 1 fetched, 0 already stored, 0 failed"


def test_a_playlist_variant_is_never_asked_for(host: MediaHost, tmp_path: Path) -> None:
    """The video's mp4 variant is fetched, its HLS playlist never requested; a video a page
    gives only as its playlist (Nitter's) is skipped and reported, never requested either."""
    playlist = (200, b"#EXTM3U\n", {"Content-Type": "application/x-mpegURL"})
    host.routes["/playlist.m3u8"] = playlist
    host.routes["/ext_tw_video/1635574/pu/pl/playlist.m3u8?tag=12"] = playlist
    archive = archived(host, tmp_path)
    page = (FIXTURES / "nitter" / "constructed_2023_profile_timeline.html").read_text("utf-8")
    for media_host in ("https://video.twimg.com", "https://pbs.twimg.com"):
        page = page.replace(media_host, host.base)
        page = page.replace(quote(media_host, safe=""), quote(host.base, safe=""))
    archive.add(page.encode())
    with client(max_bytes=20_000) as c:
        report = fetch_media(archive, c, wayback=None)
    assert archive.media(url=f"{host.base}/vid/1280x720/high.mp4") is not None
    assert report.playlists == [f"{host.base}/ext_tw_video/1635574/pu/pl/playlist.m3u8?tag=12"]
    assert report.lines()[0].endswith(", 1 playlists skipped")
    assert not [path for path in host.requests if ".m3u8" in path]


def test_archive_media_fetches_this_runs_sources_only_and_its_json_report_is_its_own_line(
    tmp_path: Path,
) -> None:
    with MediaHost("127.0.0.1") as host:
        earlier, now = tmp_path / "earlier.json", tmp_path / "now.json"
        earlier.write_bytes(
            answer_with(host, "1653339402148855801", photo(f"{host.base}/media/ok.png"))
        )
        now.write_bytes(
            answer_with(host, "1653339402148855802", photo(f"{host.base}/img/thumb.jpg"))
        )
        store = str(tmp_path / "store")
        assert invoke("archive", str(earlier), "--store", store).exit_code == 0
        done = invoke("archive", str(now), "--store", store, "--media", "--allow-private",
                      "--no-progress", "--min-interval", "0", "--format", "json")  # fmt: skip
        assert done.exit_code == 0, done.output
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [line["source"] for line in lines if "source" in line] == [str(now)]
        (media,) = [line for line in lines if line.get("kind") == "media"]
        assert "source" not in media and media["items"] == 1
        assert [entry["url"] for entry in media["stored"]] == [f"{host.base}/img/thumb.jpg"]
        assert "/media/ok.png" not in host.requests  # the earlier source's photo: not this run's


def test_archive_media_max_bytes(tmp_path: Path) -> None:
    with MediaHost("127.0.0.1") as host:
        answer = tmp_path / "answer.json"
        answer.write_bytes(answer_with(host, TWEET, photo(f"{host.base}/media/big.jpg")))
        store = str(tmp_path / "store")
        done = invoke("archive", str(answer), "--store", store, "--media", "--allow-private",
                      "--min-interval", "0", "--max-bytes", "20000")  # fmt: skip
        assert done.exit_code == 1
        assert "1 media items: 0 fetched" in done.stdout and "20000-byte cap" in done.stderr
        done = invoke("archive", str(answer), "--store", store, "--media", "--allow-private",
                      "--min-interval", "0", "--max-bytes", "60000")  # fmt: skip
        assert done.exit_code == 0, done.output
        kept = Archive(store).media(url=f"{host.base}/media/big.jpg")
        assert kept is not None and kept.size == len(BIG)


def test_archive_media_of_a_url_skipped_as_captured_already(tmp_path: Path) -> None:
    """A url captured before is skipped, but it is one of this run's sources: its media are
    fetched (a run whose media failed can be run again as it was)."""
    with MediaHost("127.0.0.1") as host:
        answer = answer_with(host, TWEET, photo(f"{host.base}/media/ok.png"))
        host.routes["/answer.json"] = (200, answer, {"Content-Type": "application/json"})
        other = tmp_path / "other.json"
        other.write_bytes(
            answer_with(host, "1653339402148855801", photo(f"{host.base}/img/thumb.jpg"))
        )
        store = str(tmp_path / "store")
        url = f"{host.base}/answer.json"
        done = invoke("archive", url, str(other), "--store", store, "--allow-private",
                      "--min-interval", "0")  # fmt: skip
        assert done.exit_code == 0, done.output
        again = invoke("archive", url, "--store", store, "--media", "--allow-private",
                       "--min-interval", "0")  # fmt: skip
        assert again.exit_code == 0, again.output
        assert "skipped" in again.stderr
        assert "1 media items: 1 fetched" in again.stdout
        assert Archive(store).media(url=f"{host.base}/media/ok.png") is not None
        assert "/img/thumb.jpg" not in host.requests


def test_repair_while_a_file_streams_leaves_it_alone_and_removes_a_dead_writers(
    tmp_path: Path,
) -> None:
    """A streamed media file is written without the store lock; ``verify --repair`` run
    meanwhile must not take its temporary file (the live writer holds it), and must remove
    the one a killed writer left."""
    archive = Archive(tmp_path / "store")
    page = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
    archive.add(page.read_bytes(), url="https://threadreaderapp.com/thread/1215710451343904768")
    seen: dict[str, Any] = {}

    def chunks() -> Iterator[bytes]:
        yield b"half of a video, "
        seen["during"] = Archive(tmp_path / "store").verify()
        seen["repair"] = Archive(tmp_path / "store").repair()
        seen["left"] = sorted(p.name for p in (tmp_path / "store" / "media").glob(".incoming.*"))
        yield b"the other half"

    sha, size = archive.media_store.write_hashed(chunks())
    assert seen["during"].temporary == ()
    assert seen["repair"].temporary == ()
    assert len(seen["left"]) == 1  # the live writer's file stayed where it was
    assert archive.media_store.read(sha) == b"half of a video, the other half"
    assert size == 31

    script = f"""
import os, signal
from threadkeep.archive import Archive
def chunks():
    yield b"a video cut short"
    os.kill(os.getpid(), signal.SIGKILL)
Archive({str(tmp_path / "store")!r}).media_store.write_hashed(chunks())
"""
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    dead = sorted((tmp_path / "store" / "media").glob(".incoming.*"))
    assert len(dead) == 1
    report = archive.verify()
    assert [Path(p).name for p in report.temporary] == [dead[0].name]
    assert [Path(p).name for p in archive.repair().temporary] == [dead[0].name]
    assert not dead[0].exists()
    assert archive.verify().ok


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("archive", "a.json", "--max-bytes", "5"), "--max-bytes needs --media"),
        (("archive", "a.json", "--wayback", "http://127.0.0.1:9"), "--wayback needs --media"),
        (("media", "--wayback", "http://127.0.0.1:9", "--no-wayback"), "cannot both be given"),
        (("media", "--wayback", "http://exa mple.org"), "is not a url"),
        (("archive", "a.json", "--media", "--wayback", "http://exa mple.org"), "is not a url"),
    ],
)
def test_an_option_that_would_be_ignored_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    Archive(tmp_path / "store")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        done = invoke(*args, "--store", str(tmp_path / "store"))
    assert done.exit_code == 2, done.output
    assert said in done.stderr
    assert not (tmp_path / "store" / "captures.jsonl").exists()  # nothing ran


def test_show_says_from_only_for_bytes_from_elsewhere(host: MediaHost, tmp_path: Path) -> None:
    """A photo fetched at its largest size (``?name=orig``, as the fetch writes its line)
    came from its own url: no "from"; one the web archive gave says so."""
    from datetime import UTC, datetime

    from threadkeep.batch.media import largest_url, wayback_url

    own, gone = "https://pbs.twimg.com/media/Own.jpg", "https://pbs.twimg.com/media/Gone.jpg"
    archive = Archive(tmp_path)
    archive.add(answer_with(host, TWEET, photo(own), photo(gone)),
                url="https://cdn.syndication.twimg.com/tweet-result?id=" + TWEET)  # fmt: skip
    at = datetime(2026, 1, 2, tzinfo=UTC)
    lines = [(JPEG, own, largest_url(own)), (GONE_JPEG, gone, wayback_url(host.base, gone))]
    archive.store_media([stored_photo(data, url, TWEET, at, origin) for data, url, origin in lines])
    text = invoke("show", TWEET, "--store", str(tmp_path), "--format", "text").output
    [own_line] = [line for line in text.splitlines() if line.strip().startswith(own)]
    assert "from" not in own_line and "?name=orig" not in own_line
    [gone_line] = [line for line in text.splitlines() if line.strip().startswith(gone)]
    assert f"from {wayback_url(host.base, gone)}" in gone_line
