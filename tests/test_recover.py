"""``threadkeep.recover`` against a web archive on loopback (tests/wayback_server.py).

The captures are real saved copies (fixtures/), the index answers are written in the CDX
format (fixtures/wayback/, constructed: see its README). Every case is what a user sees: the
report's counts and lines, what the store then holds, which requests were made.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import threadkeep
from tests.wayback_server import Wayback, wayback
from threadkeep.fetch import Client
from threadkeep.wayback.cdx import MAX_ROWS
from threadkeep.wayback.lookup import queries
from threadkeep.wayback.recovery import payload_digest
from threadkeep.wayback.targets import target

THREAD = "1215710451343904768"
GONE = "1215711185045090305"  # the fifth tweet: missing from the 2021 copy
TR = f"https://threadreaderapp.com/thread/{THREAD}.html"
FULL = Path("fixtures/threadreader/quinnypig_2020_full.html")
AT_2020 = datetime(2020, 1, 10, 19, 2, 13, tzinfo=UTC)
AT_2021 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)
HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def run(server: Wayback, store: Path, *targets: str, **options: Any) -> threadkeep.RecoverReport:
    settings = {"min_interval": 0.0, "backoff": 0.0, **options.pop("client", {})}
    with Client(**settings) as client:
        return threadkeep.recover(
            list(targets) or [THREAD], archive=store, wayback=server.base, client=client, **options
        )


def test_a_deleted_tweet_comes_back_with_its_2020_content_and_capture_time(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        report = run(server, tmp_path)
        fetched = server.fetched()
    assert (report.found, report.fetched, report.new, report.unreadable) == (3, 3, 2, 1)
    assert (report.known, report.failed, report.unchanged, report.failures) == (0, 0, 0, [])
    # the same bytes captured twice (?refreshed=yes) are fetched once, oldest first
    assert fetched == [f"20200110190213/{TR}", f"20210301120000/{TR}", f"20230105000000/{TR}"]
    archive = threadkeep.Archive(tmp_path)
    entries = list(archive.captures())
    assert [(e.time, e.outcome, e.kind) for e in entries] == [
        (AT_2020, "new", "thread"),
        (AT_2021, "changed", "thread"),
        (datetime(2023, 1, 5, tzinfo=UTC), "failed", None),
    ]
    assert entries[0].url == f"https://web.archive.org/web/20200110190213/{TR}"
    assert entries[0].digest == payload_digest(FULL.read_bytes())
    gone = archive.tweet(GONE)
    assert gone is not None and gone.removed and gone.removed_at == AT_2021
    assert gone.last_seen == AT_2020
    assert gone.latest.text is not None and gone.latest.text.startswith("If you call yourself")
    assert [s.kind for s in gone.sightings] == ["threadreader"]
    came_back = {t.id: t for t in report.came_back}
    assert len(came_back) == 102
    assert came_back[GONE].removed_at == AT_2021 and came_back[GONE].copy_time == AT_2020
    assert "REMOVED since 2021-03-01 12:00" in "\n".join(report.lines())


def test_the_handle_read_from_the_first_copy_adds_its_urls(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        report = run(server, tmp_path)
        looked = server.looked_up()
    assert looked[:7] == [
        f"threadreaderapp.com/thread/{THREAD}",
        f"twitter.com/i/web/status/{THREAD}",
        f"twitter.com/i/status/{THREAD}",
        f"x.com/i/status/{THREAD}",
        f"cdn.syndication.twimg.com/tweet-result?id={THREAD}",
        f"cdn.syndication.twimg.com/tweet?id={THREAD}",
        f"publish.twitter.com/oembed?url=https://twitter.com/i/status/{THREAD}",
    ]
    assert f"twitter.com/QuinnyPig/status/{THREAD}" in looked[7:]
    assert f"mobile.twitter.com/QuinnyPig/status/{THREAD}" in looked[7:]
    assert len(report.looked_up) == 11
    # the status url's only capture is a redirect (301): listed, not a copy
    handle = next(u for u in report.looked_up if u.url.startswith("twitter.com/QuinnyPig"))
    assert handle.captures == 0 and handle.error is None


def test_a_status_url_target_looks_up_its_handle_at_once(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        run(server, tmp_path, f"https://x.com/QuinnyPig/status/{THREAD}?s=20")
        looked = server.looked_up()
    assert len(looked) == 11 and looked[7] == f"twitter.com/QuinnyPig/status/{THREAD}"


def test_a_second_run_fetches_nothing_it_has(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        run(server, tmp_path)
        server.requests.clear()
        again = run(server, tmp_path)
        assert server.fetched() == []
    assert (again.found, again.known, again.fetched, again.came_back) == (3, 3, 0, [])


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        first = run(server, tmp_path, limit=1)
        assert (first.fetched, first.left) == (1, 2)
        server.requests.clear()
        rest = run(server, tmp_path)
        assert server.fetched() == [f"20210301120000/{TR}", f"20230105000000/{TR}"]
    assert (rest.known, rest.fetched, rest.new, rest.unreadable) == (1, 2, 1, 1)
    gone = threadkeep.Archive(tmp_path).tweet(GONE)
    assert gone is not None and gone.removed and gone.removed_at == AT_2021


def test_no_captures(tmp_path: Path) -> None:
    with wayback({}) as server:
        report = run(server, tmp_path, "20")
    assert (report.found, report.fetched, report.came_back, report.failures) == (0, 0, [], [])
    assert report.summary().startswith("looked up 7 urls: 0 captures found; 0 fetched")


def test_pages_are_followed_with_the_resume_key(tmp_path: Path) -> None:
    with wayback("paging") as server:
        report = run(server, tmp_path)
        asked = [r for r in server.requests if r.startswith("/cdx/")]
    assert any("resumeKey=" in r for r in asked)
    assert (report.found, report.new) == (2, 2)
    gone = threadkeep.Archive(tmp_path).tweet(GONE)
    assert gone is not None and gone.removed_at == AT_2021


def test_a_copy_that_is_not_what_the_index_says_is_not_stored(tmp_path: Path) -> None:
    # faults.json: the 2021 copy's digest is listed for 2020-01-10 (whose bytes are the
    # 2020 page) and for 2020-01-30 (not in the archive: 404); the 2020 page's digest for
    # 2020-01-20 (a redirect to the 2021 copy) and 2020-02-10 (the right bytes).
    with wayback("faults") as server:
        report = run(server, tmp_path, client={"retries": 0})
    assert (report.found, report.fetched, report.new, report.failed) == (2, 2, 1, 1)
    said = "\n".join(report.failures)
    assert "20200120000000" in said and "the bytes are not the capture the index lists" in said
    assert "20200110190213" in said and "20200130000000" in said and "404" in said
    archive = threadkeep.Archive(tmp_path)
    kept = [(e.time, e.outcome, e.digest) for e in archive.captures() if e.outcome != "failed"]
    assert kept == [(datetime(2020, 2, 10, tzinfo=UTC), "new", payload_digest(FULL.read_bytes()))]
    gone = archive.tweet(GONE)  # the 2021 copy, which lacks it, was never stored
    assert gone is not None and not gone.removed


def test_a_busy_archive_is_waited_for(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        server.busy = 2  # 503 with Retry-After: 1, twice
        report = run(server, tmp_path)
        busy = server.requests[:3]
    assert busy[0] == busy[1] == busy[2]  # the first lookup, asked again after each wait
    assert report.failures == [] and report.new == 2


def test_a_slow_archive_fails_its_fetches_and_the_run_goes_on(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        server.delay = 1.0
        report = run(server, tmp_path, client={"timeout": 0.2, "retries": 0})
    # three copies, the 2020 page's under two captures: each tried, each failed and logged
    assert report.fetched == 3 and report.failed == 3 and report.new == 0
    assert len(report.failures) == 4
    assert all("no answer" in line or "timed out" in line for line in report.failures)
    entries = list(threadkeep.Archive(tmp_path).captures())
    assert [e.outcome for e in entries] == ["failed"] * 4
    assert entries[0].digest is None  # tried again by the next run


def _hostile(rows: Any) -> bytes:
    return rows if isinstance(rows, bytes) else json.dumps(rows).encode()


GOOD = ["k", "20200110190213", TR, "text/html", "200", "A" * 32, "1"]
HOSTILE = {
    "not JSON": (b"<html>Wayback Machine is down</html>", "not JSON"),
    "an object": ({"rows": []}, "not a JSON array of rows"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    "no header": ([GOOD], "a first row without the fields"),
    "a short row": ([HEADER, GOOD[:3]], "row 2, which is not 7 strings"),
    "a number": ([HEADER, [*GOOD[:6], 1]], "row 2, which is not 7 strings"),
    "a bad time": ([HEADER, ["k", "2020", *GOOD[2:]]], "row 2, whose timestamp '2020'"),
    "a bad digest": ([HEADER, [*GOOD[:5], "sha1:xyz", "1"]], "row 2, whose digest"),
    "a script url": ([HEADER, [*GOOD[:2], "javascript:alert(1)", *GOOD[3:]]], "is no http url"),
    "too many rows": ([HEADER, *[GOOD] * (MAX_ROWS + 5)], "more than the 10000 a page may hold"),
    "a bad resume key": ([HEADER, GOOD, [], [1, 2]], "a resume key that is not one string"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_index_answer_is_refused_clearly(tmp_path: Path, case: str) -> None:
    answer, said = HOSTILE[case]
    with wayback("quinnypig") as server:
        server.cdx_raw[f"threadreaderapp.com/thread/{THREAD}"] = _hostile(answer)
        report = run(server, tmp_path)
        assert server.fetched() == []
    (failure,) = report.failures
    assert failure.startswith(f"lookup of threadreaderapp.com/thread/{THREAD}: ")
    assert said in failure and "the web archive's index answered" in failure
    assert report.looked_up[0].error is not None and len(report.looked_up) == 7


def test_an_answer_past_the_size_cap_is_refused(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        server.cdx_raw[f"threadreaderapp.com/thread/{THREAD}"] = b"[" + b" " * 50_000 + b"]"
        report = run(server, tmp_path, client={"max_bytes": 10_000})
    assert len(report.failures) == 1 and "10000" in report.failures[0].replace(",", "")


def test_the_same_resume_key_twice_ends_the_lookup(tmp_path: Path) -> None:
    looping = [HEADER, [], ["again"]]
    with wayback({"cdx": {f"threadreaderapp.com/thread/{THREAD}": [looping, looping]}}) as server:
        server.cdx[f"threadreaderapp.com/thread/{THREAD}"] = [looping, looping, looping]
        report = run(server, tmp_path)
    assert len(report.failures) == 1 and "the same resume key again" in report.failures[0]


def test_dates_keep_the_captures_of_those_days(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        report = run(server, tmp_path, since=date(2021, 1, 1), until=date(2022, 12, 31))
        fetched = server.fetched()
        asked = server.requests[0]
    assert fetched == [f"20210301120000/{TR}"] and report.found == 1
    assert "from=20210101" in asked and "to=20221231" in asked


def test_a_syndication_answer_is_archived_as_one(tmp_path: Path) -> None:
    with wayback("syndication") as server:
        report = run(server, tmp_path, "1703436713362870723")
    assert (report.found, report.new) == (1, 1)
    archive = threadkeep.Archive(tmp_path)
    (entry,) = archive.captures()
    assert entry.url is not None and entry.url.startswith(
        "https://web.archive.org/web/20230918101500/https://cdn.syndication.twimg.com/"
    )
    record = archive.tweet("1703436713362870723")
    assert record is not None and [s.kind for s in record.sightings] == ["syndication"]
    assert record.first_seen == datetime(2023, 9, 18, 10, 15, tzinfo=UTC)
    assert [t.id for t in report.came_back] == ["1703436713362870723"]


def test_a_bad_target_is_refused_before_any_request(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        with pytest.raises(threadkeep.BadTarget, match="is not a tweet id"):
            run(server, tmp_path / "store", THREAD, "https://example.org/x")
        assert server.requests == []
    assert not (tmp_path / "store").exists()


def test_a_tweet_inside_a_thread_looks_up_the_thread_s_unroll(tmp_path: Path) -> None:
    # Thread Reader serves a thread under any of its tweets' ids; the copy found under the
    # second tweet's id shows the thread, whose own url then holds the 2021 copy.
    second = "1215710523129384960"
    scenario = _load_scenario("quinnypig")
    row = ["k", "20200110190213", f"https://threadreaderapp.com/thread/{second}.html",
           "text/html", "200", payload_digest(FULL.read_bytes()), "1"]  # fmt: skip
    scenario["cdx"][f"threadreaderapp.com/thread/{second}"] = [[HEADER, row]]
    scenario["replay"][f"20200110190213/{row[2]}"] = {"body": str(FULL), "type": "text/html"}
    with wayback(scenario) as server:
        report = run(server, tmp_path, second)
        looked = server.looked_up()
    assert f"threadreaderapp.com/thread/{THREAD}" in looked
    assert (report.found, report.new, report.unreadable) == (3, 2, 1)
    gone = threadkeep.Archive(tmp_path).tweet(GONE)
    assert gone is not None and gone.removed and gone.removed_at == AT_2021


def _load_scenario(name: str) -> dict[str, Any]:
    from tests.wayback_server import WAYBACK

    loaded: dict[str, Any] = json.loads((WAYBACK / f"{name}.json").read_text("utf-8"))
    return loaded


# -- twitter.com status pages (fixtures/wayback/status.json) ---------------------------------

STATUS = "745276948213968896"  # @KingBeyonceStan's permalink page of 2016, fixtures/status/
STATUS_AT = datetime(2016, 9, 14, 9, 30, 12, tzinfo=UTC)
ABOVE, REPLIES = "745085351287455744", ("745277679436447745", "745278392837115909",
                                        "745279035786174464")  # fmt: skip
HANDLE_FREE = f"https://twitter.com/i/web/status/{STATUS}"
SCRIPT_ONLY = f"https://twitter.com/KingBeyonceStan/status/{STATUS}"


def test_a_status_page_copy_brings_the_tweet_its_conversation_and_replies_back(
    tmp_path: Path,
) -> None:
    with wayback("status") as server:
        report = run(server, tmp_path, STATUS)
        fetched = server.fetched()
    # the handle-free url's 2016 copy; the same bytes under the handle's url (one digest) are
    # not fetched again, the 302 row is no copy, the 2020 capture is the script-only site
    assert fetched == [f"20160914093012/{HANDLE_FREE}", f"20201105120000/{SCRIPT_ONLY}"]
    assert (report.found, report.fetched, report.new, report.unreadable) == (2, 2, 1, 1)
    assert (report.failed, report.failures) == (0, [])
    archive = threadkeep.Archive(tmp_path)
    entries = list(archive.captures())
    assert [(e.time, e.outcome, e.kind) for e in entries] == [
        (STATUS_AT, "new", "article"),
        (datetime(2020, 11, 5, 12, 0, tzinfo=UTC), "failed", None),
    ]
    assert entries[0].url == f"https://web.archive.org/web/20160914093012/{HANDLE_FREE}"
    tweet = archive.tweet(STATUS)
    assert tweet is not None and [s.kind for s in tweet.sightings] == ["status"]
    assert tweet.first_seen == tweet.last_seen == STATUS_AT and not tweet.removed
    assert tweet.latest.text is not None and tweet.latest.text.startswith("Now before you write")
    assert tweet.latest.in_reply_to is not None and tweet.latest.in_reply_to.id == ABOVE
    for other in (ABOVE, *REPLIES):  # the conversation above it and the replies below
        record = archive.tweet(other)
        assert record is not None and record.first_seen == STATUS_AT
        assert [s.kind for s in record.sightings] == ["status"]
    assert [(t.id, t.was, t.copy_time) for t in report.came_back] == [
        (key, "unseen", STATUS_AT) for key in (ABOVE, STATUS, *REPLIES)
    ]
    # the document is the page's own url, not the handle-free one it was captured under
    shown = archive.thread(STATUS)
    assert shown is not None and shown.kind == "article"
    assert shown.url == f"https://twitter.com/KingBeyonceStan/status/{STATUS}"


def test_the_handle_read_from_a_status_page_copy_adds_its_urls(tmp_path: Path) -> None:
    with wayback("status") as server:
        run(server, tmp_path, STATUS)
        looked = server.looked_up()
    # the handle-free row names no handle: it is read from the copy fetched
    assert looked[:7] == [q.url for q in queries(target(STATUS))]
    assert looked[7:] == [
        f"twitter.com/KingBeyonceStan/status/{STATUS}",
        f"mobile.twitter.com/KingBeyonceStan/status/{STATUS}",
        f"x.com/KingBeyonceStan/status/{STATUS}",
        f"publish.twitter.com/oembed?url=https://twitter.com/KingBeyonceStan/status/{STATUS}",
    ]


def test_a_mobile_status_page_copy_comes_back(tmp_path: Path) -> None:
    mobile = "568154344467656704"
    with wayback("status") as server:
        report = run(server, tmp_path, f"https://twitter.com/tacovontaco/status/{mobile}")
    assert (report.found, report.new, report.unreadable) == (1, 1, 0)
    record = threadkeep.Archive(tmp_path).tweet(mobile)
    assert record is not None and [s.kind for s in record.sightings] == ["status"]
    assert record.first_seen == datetime(2015, 2, 18, 21, 15, 30, tzinfo=UTC)
    assert record.author is not None and record.author.handle == "TacoVonTaco"
    assert record.latest.text is not None and record.latest.text.startswith("Verifying myself")


def test_a_second_run_fetches_no_status_page_it_has(tmp_path: Path) -> None:
    with wayback("status") as server:
        run(server, tmp_path, STATUS)
        server.requests.clear()
        again = run(server, tmp_path, STATUS)
        assert server.fetched() == []
    assert (again.found, again.known, again.fetched, again.came_back) == (2, 2, 0, [])
