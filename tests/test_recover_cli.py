"""``threadkeep recover`` as a user runs it, against the loopback web archive.

The issue's "done when": a store holding a thread captured live in 2021 without one of its
tweets; ``threadkeep recover ID --wayback http://127.0.0.1:PORT`` brings the 2020 copy back,
and ``show`` lists the tweet as removed since 2021 with its 2020 content and the copy's time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import threadkeep
from tests.conftest import ROOT
from tests.test_recover import AT_2020, GONE, STATUS, STATUS_AT, THREAD, TR
from tests.wayback_server import Wayback, _load, wayback
from threadkeep.cli import cli

LATER = ROOT / "examples" / "data" / "quinnypig_2020_later.html"
LIVE_2021 = datetime(2021, 6, 1, tzinfo=UTC)


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"THREADKEEP_STORE": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def recover(server: Wayback, store: Path, *args: str) -> Result:
    return invoke(
        "recover", *(args or (THREAD,)), "--store", str(store), "--wayback", server.base,
        "--min-interval", "0",
    )  # fmt: skip


def live_2021(store: Path) -> None:
    """The store of someone who archived the thread live in 2021, when a tweet was gone."""
    threadkeep.Archive(store).add(LATER.read_bytes(), url=TR, captured_at=LIVE_2021)


def test_recover_brings_a_removed_tweet_back_with_the_copy_time(tmp_path: Path) -> None:
    live_2021(tmp_path)
    assert threadkeep.Archive(tmp_path).tweet(GONE) is None  # never seen: deleted before
    with wayback("quinnypig") as server:
        done = recover(server, tmp_path)
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    # new or unchanged: the 2021 copy holds what the live 2021 capture held
    assert lines[0].startswith("looked up 11 urls: 3 captures found; 3 fetched: ")
    assert lines[0].endswith(" 0 failed, 1 unreadable")
    assert "  threadreaderapp.com/thread/1215710451343904768: 4 captures" in lines
    assert "  1 tweet came back (1 marked removed)" in lines
    assert any(
        line.startswith(f"    {GONE} [copy of 2020-01-10 19:02, REMOVED since 2021-03-01 12:00]")
        for line in lines
    ), lines
    shown = invoke("show", THREAD, "--store", str(tmp_path), "--format", "text")
    assert (
        "(was 5.) [REMOVED (missing from the capture of 2021-03-01 12:00 UTC; last seen "
        "2020-01-10 19:02 UTC), FROM THE WEB ARCHIVE (copy of 2020-01-10 19:02 UTC)] "
        'If you call yourself "a public speaker,"' in shown.stdout
    )
    # the others were seen live too: no mark
    assert shown.stdout.count("FROM THE WEB ARCHIVE") == 1
    history = invoke("history", THREAD, "--store", str(tmp_path)).stdout
    (line,) = [line for line in history.splitlines() if "capture 2020-01-10T19:02:13" in line]
    assert line.endswith(f" https://web.archive.org/web/20200110190213/{TR}")


def test_an_older_copy_alone_leaves_the_tweet_removed_since_the_live_capture(
    tmp_path: Path,
) -> None:
    live_2021(tmp_path)
    only_2020 = _load("quinnypig")
    rows = only_2020["cdx"][f"threadreaderapp.com/thread/{THREAD}"][0]
    only_2020["cdx"][f"threadreaderapp.com/thread/{THREAD}"] = [rows[:2]]
    with wayback(only_2020) as server:
        assert recover(server, tmp_path).exit_code == 0
    gone = threadkeep.Archive(tmp_path).tweet(GONE)
    assert gone is not None
    assert gone.last_seen == AT_2020
    assert gone.latest.text is not None and gone.latest.text.startswith("If you call yourself")
    assert gone.removed and gone.removed_at == LIVE_2021


def test_show_marks_what_only_the_web_archive_s_copies_showed(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        assert recover(server, tmp_path).exit_code == 0
    text = invoke("show", THREAD, "--store", str(tmp_path), "--format", "text").stdout
    assert text.splitlines()[3] == (
        "1. [FROM THE WEB ARCHIVE (copies of 2020-01-10 19:02 UTC to 2021-03-01 12:00 UTC)] "
        "Okay. For every retweet this gets (TO A POINT!) I'll add a thought / tip / "
        "observation about speaking at conferences."
    )
    assert text.count("FROM THE WEB ARCHIVE") == 102
    markdown = invoke("show", THREAD, "--store", str(tmp_path)).stdout
    assert "**1.** **FROM THE WEB ARCHIVE (copies of 2020-01-10 19:02 UTC to" in markdown


def test_json_report(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        done = recover(server, tmp_path, THREAD, "--format", "json")
    report = json.loads(done.stdout)
    assert (report["found"], report["fetched"], report["new"], report["unreadable"]) == (3, 3, 2, 1)
    assert report["targets"] == [THREAD] and len(report["came_back"]) == 102
    gone = next(t for t in report["came_back"] if t["id"] == GONE)
    assert gone["copy_time"] == "2020-01-10T19:02:13Z" and gone["was"] == "unseen"


def test_progress_on_stderr_and_quiet(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        said = recover(server, tmp_path / "a").stderr
        quiet = invoke("-q", "recover", THREAD, "--store", str(tmp_path / "b"),
                       "--wayback", server.base, "--min-interval", "0")  # fmt: skip
    assert f"threadkeep: fetching 1 of 3: 20200110190213 {TR}" in said.splitlines()
    assert "threadkeep: 1215710451343904768: the author is @QuinnyPig" in said
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_failures_make_the_exit_status_1(tmp_path: Path) -> None:
    with wayback("quinnypig") as server:
        server.cdx_raw[f"threadreaderapp.com/thread/{THREAD}"] = b"[[1, 2"
        done = recover(server, tmp_path)
    assert done.exit_code == 1
    assert done.stderr.splitlines()[-1] == (
        "threadkeep: 1 of the lookups and fetches failed (listed above)"
    )
    assert "  lookup failed: threadreaderapp.com/thread/1215710451343904768: " in done.stdout
    assert "the web archive's index answered not JSON" in done.stdout


def test_an_archive_that_cannot_be_reached(tmp_path: Path) -> None:
    done = invoke("recover", THREAD, "--store", str(tmp_path), "--wayback",
                  "http://127.0.0.1:9", "--min-interval", "0")  # fmt: skip
    assert done.exit_code == 1
    assert done.stderr.startswith("threadkeep: cannot reach the web archive at http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("https://example.org/blog",), "'https://example.org/blog' is not a tweet id"),
        ((THREAD, "--wayback", "ftp://web.archive.org"), "is not an http:// or https://"),
        ((THREAD, "--since", "2020-13-01"), "'2020-13-01' does not match the format"),
        ((THREAD, "--limit", "0"), "0 is not in the range x>=1"),
        ((), "Missing argument 'TARGETS...'"),
    ],
)
def test_bad_usage_exits_2_before_any_request(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = invoke("recover", *args, "--store", str(tmp_path / "store"))
    assert done.exit_code == 2 and said in done.stderr
    assert not (tmp_path / "store").exists()


def test_a_killed_run_resumes_and_ends_as_a_whole_run_does(tmp_path: Path) -> None:
    store, whole = tmp_path / "killed", tmp_path / "whole"
    with wayback("quinnypig") as server:
        server.delay = 0.3  # each copy takes a while: the kill lands mid-run
        args = [sys.executable, "-m", "threadkeep", "-q", "recover", THREAD, "--wayback",
                server.base, "--min-interval", "0"]  # fmt: skip
        process = subprocess.Popen([*args, "--store", str(store)], cwd=ROOT)
        deadline = time.monotonic() + 60
        while not _logged(store) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        first = len(list(threadkeep.Archive(store).captures()))
        assert 1 <= first < 3
        server.requests.clear()
        assert subprocess.run([*args, "--store", str(store)], cwd=ROOT).returncode == 0
        fetched_again = server.fetched()
        assert subprocess.run([*args, "--store", str(whole)], cwd=ROOT).returncode == 0
    assert f"20200110190213/{TR}" not in fetched_again  # the copy it had is not fetched again
    assert threadkeep.Archive(store).verify().ok
    killed, clean = threadkeep.Archive(store), threadkeep.Archive(whole)
    assert [(e.time, e.outcome, e.digest) for e in killed.captures()] == [
        (e.time, e.outcome, e.digest) for e in clean.captures()
    ]
    assert killed.tweet(GONE) == clean.tweet(GONE)


def _logged(store: Path) -> bool:
    try:
        return any(True for _ in threadkeep.Archive(store, create=False).captures())
    except threadkeep.ArchiveError:
        return False


@pytest.mark.parametrize(
    ("scenario", "busy", "code", "summary"),
    [
        ("", 0, 0, "looked up 7 urls: 0 captures found; 0 fetched: 0 new, 0 unchanged, 0 failed, 0 unreadable"),
        ("paging", 0, 0, "looked up 11 urls: 2 captures found; 2 fetched: 2 new, 0 unchanged, 0 failed, 0 unreadable"),
        ("faults", 0, 1, "looked up 11 urls: 2 captures found; 2 fetched: 1 new, 0 unchanged, 1 failed, 0 unreadable"),
        ("quinnypig", 2, 0, "looked up 11 urls: 3 captures found; 3 fetched: 2 new, 0 unchanged, 0 failed, 1 unreadable"),
    ],
    ids=["no captures", "paging", "not what the index says", "busy archive"],
)  # fmt: skip
def test_each_case_from_the_command_line(
    tmp_path: Path, scenario: str, busy: int, code: int, summary: str
) -> None:
    with wayback(scenario or {}) as server:
        server.busy = busy
        done = recover(server, tmp_path)
    assert done.exit_code == code, done.output
    assert done.stdout.splitlines()[0] == summary
    if code:
        assert "the bytes are not the capture the index lists" in done.stdout
        assert done.stderr.splitlines()[-1].startswith("threadkeep: 3 of the lookups and fetches")


def test_recover_from_status_page_copies_then_show(tmp_path: Path) -> None:
    # fixtures/wayback/status.json: the 2016 permalink page under the handle-free url, the
    # same bytes and a 302 under the handle's, a 2020 capture of the script-only site
    with wayback("status") as server:
        done = recover(server, tmp_path, STATUS)
        server.requests.clear()
        again = recover(server, tmp_path, STATUS)
        assert server.fetched() == []  # every digest is in the store
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[:4] == [
        "looked up 11 urls: 2 captures found; 2 fetched: 1 new, 0 unchanged, 0 failed, 1 unreadable",
        f"  twitter.com/i/web/status/{STATUS}: 1 capture",
        f"  twitter.com/KingBeyonceStan/status/{STATUS}: 2 captures",
        "  5 tweets came back (0 marked removed)",
    ]
    assert f"    {STATUS} [copy of 2016-09-14 09:30] Now before you write me off as bias" in (
        done.stdout
    )
    said = done.stderr.splitlines()
    assert (
        f"threadkeep: {STATUS}: the author is @KingBeyonceStan; looking up the urls with it" in said
    )
    assert "unreadable: a twitter.com page of the script-only site (2020 on)" in done.stderr
    assert again.exit_code == 0 and again.stdout.splitlines()[0] == (
        "looked up 11 urls: 2 captures found (2 already in the archive); 0 fetched: 0 new, "
        "0 unchanged, 0 failed, 0 unreadable"
    )
    shown = invoke("show", STATUS, "--store", str(tmp_path), "--format", "text").stdout
    assert shown.splitlines()[:2] == [
        "Lina Morgana on Twitter",
        "5 tweets ever seen, 0 removed, 1 capture",
    ]
    assert (
        "2. [FROM THE WEB ARCHIVE (copy of 2016-09-14 09:30 UTC)] Now before you write me off "
        "as bias I'm going to start out with one of my all time favorites. Like, I love her."
    ) in shown.splitlines()
    assert shown.count("FROM THE WEB ARCHIVE (copy of 2016-09-14 09:30 UTC)") == 5
    record = threadkeep.Archive(tmp_path).tweet(STATUS)
    assert record is not None and [(s.kind, s.first_seen) for s in record.sightings] == [
        ("status", STATUS_AT)
    ]
