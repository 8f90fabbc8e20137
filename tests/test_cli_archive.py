"""The archive commands as a user runs them, on saved files and on a loopback server."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from tests.conftest import FIXTURES, read_log
from threadkeep.cli import cli

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
ROOT_TWEET = "1215710451343904768"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def later_copy(tmp_path: Path) -> Path:
    page = THREAD.read_bytes()
    page = re.sub(rb'<div id="tweet_5".*?</div>', b"", page, count=1, flags=re.S)
    page = page.replace(
        b"Never, ever, read the comments on videos of your talks.", b"Never read the comments."
    )
    later = tmp_path / "later.html"
    later.write_bytes(page)
    return later


def test_archive_show_history_verify_export(tmp_path: Path) -> None:
    store = str(tmp_path / "archive")
    code, out, err = run("archive", str(THREAD), "--store", store)
    assert code == 0, err
    assert out.strip() == f"{THREAD}: new thread-{ROOT_TWEET} (102 new)"
    code, out, _ = run("archive", str(later_copy(tmp_path)), "--store", store)
    assert "changed" in out and "1 edited, 1 removed" in out

    code, out, _ = run("show", ROOT_TWEET, "--store", store, "--format", "json")
    assert code == 0
    merged = json.loads(out)
    assert len(merged["tweets"]) == 102
    fifth = merged["tweets"][4]
    assert fifth["removed"] is True
    assert {"first_seen", "last_seen", "sightings", "versions"} <= set(fifth)
    sixth = merged["tweets"][5]
    assert [v["text"] for v in sixth["versions"]] == [
        "Never, ever, read the comments on videos of your talks.",
        "Never read the comments.",
    ]

    code, out, _ = run("show", "1215711194180288512", "--store", store, "--format", "md")
    assert "**REMOVED" in out and "**EDITED (2 versions)**" in out
    assert "earlier (" in out and "Never, ever, read the comments" in out
    code, out, _ = run("show", ROOT_TWEET, "--store", store, "--format", "text")
    assert "[REMOVED (missing from the capture of" in out

    code, out, _ = run("history", ROOT_TWEET, "--store", store)
    assert code == 0
    assert f"thread-{ROOT_TWEET}: 2 captures, 2 snapshots" in out
    assert "-1 removed, ~1 edited" in out

    code, out, _ = run("verify", "--store", store)
    assert code == 0
    assert "ok: every file matches its hash" in out

    code, out, _ = run("export", "--store", store)
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) >= 102
    assert all("versions" in r and "sightings" in r for r in records)

    code, out, _ = run("reparse", "--store", store)
    assert code == 0 and "into generation 2" in out


def test_failures_are_listed_at_the_end_and_exit_1(tmp_path: Path) -> None:
    store = str(tmp_path / "archive")
    code, out, err = run(
        "archive",
        str(FIXTURES / "broken" / "prose.txt"),
        str(THREAD),
        str(tmp_path / "missing.html"),
        "--store",
        store,
    )
    assert code == 1
    assert f"new thread-{ROOT_TWEET}" in out
    assert "2 of 3 sources failed" in err
    assert "prose.txt: plain text with no tweets" in err
    assert "missing.html" in err
    assert "Traceback" not in err


def test_show_unknown_and_missing_store(tmp_path: Path) -> None:
    store = str(tmp_path / "archive")
    run("archive", str(THREAD), "--store", store)
    code, _, err = run("show", "42", "--store", store)
    assert code == 1 and "no thread or tweet '42'" in err
    code, _, err = run("verify", "--store", str(tmp_path / "elsewhere"))
    assert code == 1 and "no threadkeep archive at" in err


def test_verify_reports_damage(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    run("archive", str(THREAD), "--store", str(store))
    next(store.rglob("*.gz")).write_bytes(b"garbage")
    code, _, err = run("verify", "--store", str(store))
    assert code == 1
    assert "DAMAGED raw/" in err and "unreadable raw capture" in err


def test_batch_from_file_resumes_and_refreshes(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/thread/1215710451343904768.html").respond_with_data(
        THREAD.read_bytes(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/gone.html").respond_with_data("gone", status=404)
    urls = tmp_path / "urls.txt"
    good, bad = (
        httpserver.url_for("/thread/1215710451343904768.html"),
        httpserver.url_for("/gone.html"),
    )
    urls.write_text(f"# my list\n{good}\n\n{bad}\n")
    store = str(tmp_path / "archive")
    common = ("--store", store, "--min-interval", "0", "--from", str(urls))
    code, out, err = run("archive", *common)
    assert code == 1
    assert f"{good}: new thread-{ROOT_TWEET}" in out
    assert "1 of 2 sources failed" in err and "HTTP 404" in err
    code, out, err = run("archive", *common)
    assert f"{good}: skipped (already captured" in err  # resumed: not fetched again
    assert len([r for r in httpserver.log if r[0].path.startswith("/thread/")]) == 1
    code, out, err = run("archive", *common, "--format", "json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {
        "source": good,
        "outcome": "skipped",
        "reason": "already captured; --refresh to capture again",
    }
    assert lines[1]["source"] == bad and lines[1]["outcome"] == "failed"
    assert len([r for r in httpserver.log if r[0].path.startswith("/thread/")]) == 1
    code, out, err = run("archive", *common, "--refresh")
    assert f"{good}: unchanged thread-{ROOT_TWEET}" in out
    failed = [json.loads(line) for line in read_log(Path(store)).decode().splitlines()]
    assert [e["outcome"] for e in failed].count("failed") >= 2  # the 404s are logged too


def test_tweet_url_is_archived_through_its_unroll(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/thread/1215710451343904768.html").respond_with_data(
        THREAD.read_bytes(), content_type="text/html"
    )
    code, out, err = run(
        "archive",
        "https://x.com/QuinnyPig/status/1215710451343904768?s=20",
        "--store",
        str(tmp_path / "a"),
        "--threadreader-base",
        httpserver.url_for("").rstrip("/"),
        "--min-interval",
        "0",
    )
    assert code == 0, err
    assert "new thread-1215710451343904768 (102 new)" in out


def test_archiving_only_missing_files_makes_no_store(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    code, out, err = run("archive", str(tmp_path / "nosuch.html"), "--store", str(store))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "threadkeep: 1 of 1 source failed:",
        f"  {tmp_path / 'nosuch.html'}: no such file",
    ]
    assert not store.exists()


def test_a_folder_is_archived_file_by_file(tmp_path: Path) -> None:
    store = str(tmp_path / "archive")
    code, out, err = run("archive", str(FIXTURES / "nitter"), "--store", store)
    assert code == 0, err
    archived = sorted(line.split(": ")[0] for line in out.splitlines())
    assert archived == sorted(
        str(p) for p in (FIXTURES / "nitter").iterdir() if p.suffix in (".html", ".json", ".md")
    )  # .md since issue 12: a folder's Markdown clippings are archived too (README.md here)
    code, out, _ = run("show", "1258693641633247232", "--store", store, "--format", "text")
    assert code == 0 and "Bin mit Auto im Kreis HS unterwegs." in out


def test_commands_on_a_missing_store_say_where_to_look(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    for command in (["show", ROOT_TWEET], ["history", ROOT_TWEET], ["verify"], ["export"]):
        code, _, err = run(*command, "--store", missing)
        assert code == 1, command
        assert err.strip() == (
            f"threadkeep: no threadkeep archive at {missing}: run this where the archive "
            "folder is, or give --store DIR (`threadkeep archive` makes one)"
        ), command
    assert not Path(missing).exists()
