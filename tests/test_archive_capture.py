"""``Archive.add_capture``: a fetched page goes into the archive with where and when it came from.

The archive takes any object with ``content``, ``final_url``, ``fetched_at`` and ``status``
(:class:`threadkeep.archive.CaptureLike`); a :class:`threadkeep.Capture` is one, whether built
by hand or fetched from a loopback server through a redirect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import threadkeep
from tests.conftest import fixture_bytes
from threadkeep.archive import Archive, CaptureLike

THREAD = "1215710451343904768"
PAGE = fixture_bytes("threadreader/quinnypig_2020_full.html")
AT = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def hand_made(content: bytes = PAGE, status: int = 200) -> threadkeep.Capture:
    return threadkeep.Capture(
        url=f"http://threadreaderapp.com/thread/{THREAD}",
        final_url=f"https://threadreaderapp.com/thread/{THREAD}.html",
        status=status,
        headers={"content-type": "text/html; charset=utf-8"},
        content=content,
        fetched_at=AT,
        content_type="text/html",
        encoding="utf-8",
    )


def test_add_capture_logs_the_final_url_time_and_status(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    result = archive.add_capture(hand_made())
    assert (result.outcome, result.document, result.captured_at) == ("new", f"thread-{THREAD}", AT)
    (entry,) = archive.captures()
    assert entry.url == f"https://threadreaderapp.com/thread/{THREAD}.html"  # not the asked url
    assert (entry.time, entry.status, entry.outcome) == (AT, 200, "new")
    thread = archive.thread(THREAD)
    assert thread is not None and thread.first_captured == AT
    assert thread.url == f"https://threadreaderapp.com/thread/{THREAD}.html"


def test_add_capture_is_add_with_the_capture_fields(tmp_path: Path) -> None:
    by_hand, by_capture = Archive(tmp_path / "a"), Archive(tmp_path / "b")
    page = hand_made()
    one = by_hand.add(
        page.content, url=page.final_url, captured_at=page.fetched_at, status=page.status
    )
    other = by_capture.add_capture(page)
    assert one == other
    assert list(by_hand.captures()) == list(by_capture.captures())


def test_add_capture_of_an_unparseable_page_keeps_it_and_logs_the_failure(
    tmp_path: Path,
) -> None:
    archive = Archive(tmp_path)
    with pytest.raises(threadkeep.UnsupportedPage):
        archive.add_capture(hand_made(b"<html><p>closed for maintenance</p></html>", 503))
    (entry,) = archive.captures()
    assert (entry.outcome, entry.status, entry.time) == ("failed", 503, AT)
    assert entry.sha256 is not None
    assert archive.raw(entry.sha256) == b"<html><p>closed for maintenance</p></html>"


def test_any_object_with_the_four_attributes_will_do(tmp_path: Path) -> None:
    class Saved:
        content = PAGE
        final_url = f"https://example.org/saved/{THREAD}.html"
        fetched_at = AT
        status = None

    saved: CaptureLike = Saved()
    archive = Archive(tmp_path)
    assert archive.add_capture(saved).outcome == "new"
    (entry,) = archive.captures()
    assert (entry.url, entry.status) == (f"https://example.org/saved/{THREAD}.html", None)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_fetched_capture_through_a_redirect(tmp_path: Path, server: HTTPServer) -> None:
    final = server.url_for(f"/thread/{THREAD}.html")
    server.expect_request(f"/{THREAD}").respond_with_data(
        "", status=301, headers={"Location": final}
    )
    server.expect_request(f"/thread/{THREAD}.html").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8"
    )
    with threadkeep.Client(min_interval=0, retries=0, contact="tests@example.org") as client:
        page = client.fetch(server.url_for(f"/{THREAD}"))
    archive = Archive(tmp_path)
    result = archive.add_capture(page)
    assert (result.outcome, len(result.new)) == ("new", 102)
    (entry,) = archive.captures()
    assert (entry.url, entry.status, entry.time) == (final, 200, page.fetched_at)
    # The same capture (time, url, bytes) added again is the same capture (format 3: one
    # capture object, one line); fetched again later, it is unchanged.
    assert archive.add_capture(page).outcome == "new"
    assert len(list(archive.captures())) == 1
    later = dataclasses.replace(page, fetched_at=page.fetched_at + timedelta(seconds=1))
    assert archive.add_capture(later).outcome == "unchanged"
