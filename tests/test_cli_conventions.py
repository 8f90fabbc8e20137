"""The command line keeps the conventions users know, checked as a user runs it.

``-o -``, Ctrl-C (a real SIGINT to a real process: exit 130 and what was done), ``-v``/``-q``,
the ``THREADKEEP_*`` environment variables, ``archive --format json`` with a line for every
failure, plurals, Markdown clippings, and a ``--help`` that loads no parser or httpx.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import FIXTURES, ROOT
from threadkeep.cli import cli

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
BROKEN = FIXTURES / "broken" / "not_a_thread_page.html"
CLIPPING = FIXTURES / "text" / "tra_markdown_brave_2025_obsidian_clipping.md"
ROOT_TWEET = "1215710451343904768"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def start(*args: str) -> subprocess.Popen[bytes]:
    # Unbuffered bytes: select() then sees every line the child wrote (no line can hide in a
    # Python-side buffer), and read_line reads exactly one.
    return subprocess.Popen(
        [sys.executable, "-m", "threadkeep", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        cwd=ROOT,
    )


def read_line(stream: IO[bytes] | None, timeout: float = 60) -> str:
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "no output in time"
    return stream.readline().decode("utf-8")


def finish(process: subprocess.Popen[bytes]) -> tuple[str, str]:
    out, err = process.communicate(timeout=60)
    return out.decode("utf-8"), err.decode("utf-8")


def test_dash_output_is_stdout(tmp_path: Path) -> None:
    code, out, _ = run("convert", str(THREAD), "-o", "-")
    assert code == 0
    assert json.loads(out)["id"] == ROOT_TWEET
    assert not Path("-").exists()


def test_ctrl_c_exits_130_saying_what_was_done() -> None:
    # The last input is standard input, left open: the run waits there until interrupted.
    # -vv logs each input as it is read, so the test knows when the run waits on stdin.
    process = start("-vv", "convert", str(BROKEN), str(THREAD), "-", "--format", "jsonl")
    line = read_line(process.stdout)  # the thread's record arrives while the run goes on
    assert json.loads(line)["id"] == ROOT_TWEET
    said = []
    while not said or said[-1] != "threadkeep: <stdin>: reading\n":
        said.append(read_line(process.stderr))
    process.send_signal(signal.SIGINT)
    _, err = finish(process)
    assert process.returncode == 130
    assert "Traceback" not in err
    failure = f"{BROKEN}: HTML page with no tweets and no Thread Reader markup"
    assert f"threadkeep: {failure}\n" in said  # said when it happened
    assert err.splitlines() == [
        "threadkeep: interrupted after 2 of 3 inputs: 1 converted, 1 failed",
        f"  {failure}",  # and again in the summary
    ]


def test_ctrl_c_with_one_output_file_says_it_was_not_written(tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    process = start("-vv", "convert", str(THREAD), "-", "--format", "jsonl", "-o", str(target))
    said: list[str] = []
    while not said or said[-1] != "threadkeep: <stdin>: reading\n":
        said.append(read_line(process.stderr))
    process.send_signal(signal.SIGINT)
    _, err = finish(process)
    assert process.returncode == 130
    assert err.splitlines() == [
        f"threadkeep: interrupted after 1 of 2 inputs: 1 converted, 0 failed ({target} not written)"
    ]
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_ctrl_c_while_archiving_lists_what_was_archived(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(30)
        return Response("late", status=503)

    httpserver.expect_request("/slow.html").respond_with_handler(slow)
    try:
        process = start(
            "archive", str(THREAD), httpserver.url_for("/slow.html"),
            "--store", str(tmp_path / "a"), "--min-interval", "0",
        )  # fmt: skip
        assert read_line(process.stdout).startswith(f"{THREAD}: new thread-{ROOT_TWEET}")
        process.send_signal(signal.SIGINT)
        out, err = finish(process)
    finally:
        release.set()
    assert process.returncode == 130
    assert out == ""  # the url's line never came
    assert err.splitlines()[-1] == (
        "threadkeep: interrupted after 1 of 2 sources: 1 archived, 0 failed"
    )


def test_verbose_shows_retries_and_quiet_hides_warnings(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    answers = iter([Response("busy", status=503, headers={"Retry-After": "0"})])

    def flaky(request: Request) -> Response:
        return next(answers, None) or Response(THREAD.read_bytes(), content_type="text/html")

    httpserver.expect_request("/page.html").respond_with_handler(flaky)
    url = httpserver.url_for("/page.html")
    store = str(tmp_path / "a")
    code, out, err = run("-v", "archive", url, "--store", store, "--min-interval", "0")
    assert code == 0, err
    assert out == f"{url}: new thread-{ROOT_TWEET} (102 new)\n"
    retries = [line for line in err.splitlines() if "HTTP 503" in line]  # the fetch INFO line
    assert len(retries) == 1 and retries[0].startswith("threadkeep: ") and url in retries[0]
    assert f"threadkeep: {url}: archived new thread-{ROOT_TWEET}" in err
    code, _, err = run("archive", str(THREAD), "--store", store)
    assert (code, err) == (0, "")  # no -v: nothing on stderr
    code, _, err = run("-vv", "convert", str(THREAD), "-o", str(tmp_path / "t.json"))
    assert f"threadkeep: {THREAD}: reading" in err  # DEBUG
    assert f"threadkeep: {THREAD}: converted thread → {tmp_path / 't.json'}" in err  # INFO
    code, _, err = run("-q", "convert", str(THREAD), "-o", str(tmp_path / "t.json"))
    assert (code, err) == (0, "")
    code, _, err = run("-q", "convert", str(BROKEN))
    assert code == 1 and "HTML page with no tweets" in err  # errors still said


def test_environment_variables(tmp_path: Path, httpserver: HTTPServer) -> None:
    store = tmp_path / "from-env"
    env = {"THREADKEEP_STORE": str(store), "THREADKEEP_CONTACT": "archivist@example.org"}
    code, out, err = run("archive", str(THREAD), env=env)
    assert code == 0, err
    assert any((store / "journal").iterdir())  # the capture's line is in the log
    code, out, _ = run("show", ROOT_TWEET, "--format", "text", env=env)
    assert code == 0 and "Thread by Corey Quinn" in out
    code, _, err = run("show", ROOT_TWEET, "--store", str(tmp_path / "none"), env=env)
    assert code == 1 and "no threadkeep archive at" in err  # --store beats the variable
    httpserver.expect_request("/t.html").respond_with_data(
        THREAD.read_bytes(), content_type="text/html"
    )
    done = subprocess.run(
        [sys.executable, "-m", "threadkeep", "archive", httpserver.url_for("/t.html")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    agent = httpserver.log[-1][0].headers["User-Agent"]
    assert agent.endswith("; archivist@example.org)")
    code, out, _ = run("archive", "--help")
    assert "env var: THREADKEEP_STORE" in out and "env var: THREADKEEP_CONTACT" in out


def test_archive_format_json_has_a_line_for_every_source(tmp_path: Path) -> None:
    store = str(tmp_path / "a")
    missing = str(tmp_path / "missing.html")
    for flag in (["--format", "json"], ["--json"]):
        code, out, err = run("archive", str(THREAD), missing, "--store", store, *flag)
        assert code == 1
        lines = [json.loads(line) for line in out.splitlines()]
        assert [(d["source"], d["outcome"]) for d in lines] == [
            (str(THREAD), lines[0]["outcome"]),
            (missing, "failed"),
        ]
        assert lines[1] == {"source": missing, "outcome": "failed", "error": "no such file"}
        assert err.splitlines() == [
            "threadkeep: 1 of 2 sources failed:",
            f"  {missing}: no such file",
        ]


def test_plurals(tmp_path: Path) -> None:
    store = str(tmp_path / "a")
    run("archive", str(THREAD), "--store", store)
    code, out, _ = run("history", ROOT_TWEET, "--store", store)
    assert out.splitlines()[0] == f"thread-{ROOT_TWEET}: 1 capture, 1 snapshot"
    code, out, _ = run("verify", "--store", store)
    assert out.splitlines()[0] == (
        f"{store}: 1 capture, 1 raw file, 1 snapshot, 1 document, 104 tweets checked"
    )
    code, out, _ = run("reparse", "--store", store)
    assert out == f"{store}: replayed 1 capture into generation 2, 1 document\n"
    code, _, err = run("convert", str(BROKEN))
    assert code == 1
    assert err.splitlines()[-1] == "threadkeep: 1 of 1 input failed"
    code, out, _ = run("show", ROOT_TWEET, "--store", store, "--format", "text")
    assert out.splitlines()[1] == "102 tweets ever seen, 0 removed, 1 capture"
    code, out, _ = run("show", ROOT_TWEET, "--store", store, "--format", "md")
    assert out.splitlines()[2].startswith("102 tweets ever seen, 0 removed · 1 capture from ")


def test_markdown_clippings_convert_and_archive(tmp_path: Path) -> None:
    clippings = tmp_path / "clippings"
    clippings.mkdir()
    (clippings / "brave.md").write_bytes(CLIPPING.read_bytes())
    (clippings / "again.markdown").write_bytes(CLIPPING.read_bytes())
    store = str(tmp_path / "a")
    code, said, err = run("archive", str(clippings), "--store", store)
    assert code == 0, err
    assert [line.split(": ")[0] for line in said.splitlines()] == [
        str(clippings / "again.markdown"),
        str(clippings / "brave.md"),
    ]
    assert said.splitlines()[0].endswith(": new thread-1958152314914508893 (7 new)")
    assert said.splitlines()[1].endswith(": unchanged thread-1958152314914508893")
    out = clippings / "out"
    for _ in range(2):  # the second run does not read the first run's outputs
        code, _, err = run("convert", str(clippings), "-o", str(out))
        assert code == 0, err
        assert sorted(p.name for p in out.iterdir()) == ["again.json", "brave.json"]
    assert json.loads((out / "brave.json").read_text("utf-8"))["kind"] == "thread"


def test_default_store_is_the_archives() -> None:
    import threadkeep.archive
    from threadkeep.cli.common import DEFAULT_STORE

    assert DEFAULT_STORE == threadkeep.archive.DEFAULT_STORE


HEAVY = ("httpx", "bs4", "lxml", "pydantic", "tqdm", "threadkeep.archive", "threadkeep.fetch",
         "threadkeep.parsing", "threadkeep.models")  # fmt: skip
RUN_CLI = """
import sys
from threadkeep.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(sorted(name for name in {heavy!r} if name in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["convert", "--help"]])
def test_version_and_help_load_no_heavy_code(args: list[str]) -> None:
    code = RUN_CLI.format(args=args, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.splitlines()[-1] == "[]"


def test_a_reader_that_goes_away_ends_the_run_quietly() -> None:
    # `threadkeep convert … | head -1`: no "broken pipe" for every input that follows.
    pages = [str(THREAD)] * 20
    process = start("convert", *pages, "--format", "jsonl")
    assert json.loads(read_line(process.stdout))["id"] == ROOT_TWEET
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode("utf-8")
    process.wait(timeout=60)
    assert "broken pipe" not in err.lower() and "Traceback" not in err
    assert process.returncode == 1
