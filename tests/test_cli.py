"""The command line, run as a user runs it: files, folders, stdin, failures, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import threadkeep
from tests.conftest import FIXTURES, golden_cases
from threadkeep.cli import cli

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
LISTING = FIXTURES / "listing" / "homepage_2018.html"
BROKEN = FIXTURES / "broken" / "not_a_thread_page.html"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    code, out, _ = run("schema")
    assert code == 0
    document: dict[str, object] = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def test_convert_file_prints_json_that_validates(schema: dict[str, object]) -> None:
    code, out, err = run("convert", str(THREAD))
    assert code == 0, err
    document = json.loads(out)
    jsonschema.validate(document, schema)
    assert document["kind"] == "thread"
    assert document["id"] == "1215710451343904768"
    assert len(document["tweets"]) == 102
    assert isinstance(document["tweets"][0]["id"], str)  # never a float


def test_convert_listing_and_text_validate(schema: dict[str, object]) -> None:
    for path in (LISTING, FIXTURES / "text" / "seed003_listing_nkpeace.txt"):
        code, out, _ = run("convert", str(path))
        assert code == 0
        jsonschema.validate(json.loads(out), schema)


def test_convert_from_stdin_with_url() -> None:
    url = "https://threadreaderapp.com/thread/2089858284660662307.html"
    data = (FIXTURES / "threadreader" / "mxs_nightmare_2026_fragment.html").read_bytes()
    code, out, _ = run("convert", "-", "--url", url, stdin=data)
    assert code == 0
    document = json.loads(out)
    assert document["url"] == url
    assert document["source"]["url"] == url


def test_convert_folder_to_folder_names_failures_and_keeps_going(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "nested").mkdir(parents=True)
    (pages / "thread.html").write_bytes(THREAD.read_bytes())
    (pages / "nested" / "listing.html").write_bytes(LISTING.read_bytes())
    (pages / "broken.html").write_bytes(BROKEN.read_bytes())
    (pages / "notes.pdf").write_bytes(b"%PDF-1.4 ignored: not a page suffix")
    out = tmp_path / "out"
    code, stdout, stderr = run("convert", str(pages), "-o", f"{out}/")
    assert code == 1
    assert stdout == ""
    assert f"{pages / 'broken.html'}: HTML page with no tweets" in stderr
    assert "1 of 3 inputs failed" in stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["nested/listing.json", "thread.json"]  # nothing for the broken page
    assert json.loads((out / "thread.json").read_text("utf-8"))["kind"] == "thread"


def test_several_inputs_to_stdout_make_one_json_array() -> None:
    code, out, _ = run("convert", str(THREAD), str(LISTING))
    assert code == 0
    assert [d["kind"] for d in json.loads(out)] == ["thread", "listing"]


def test_jsonl_and_markdown() -> None:
    code, out, _ = run("convert", str(THREAD), str(LISTING), "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["thread", "listing"]
    code, out, _ = run("convert", str(THREAD), "--format", "md")
    assert code == 0
    assert out.startswith("# Thread by Corey Quinn (@QuinnyPig)\n")
    assert "**1.** Okay. For every retweet this gets" in out
    assert "102 tweets · 21 min read" in out


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "thread.json"
    code, _, _ = run("convert", str(THREAD), "-o", str(target))
    assert code == 0
    parsed = threadkeep.models.result_adapter.validate_json(target.read_bytes())
    assert isinstance(parsed, threadkeep.Thread)
    assert [p.name for p in tmp_path.iterdir()] == ["thread.json"]  # no temporary files left


def test_only_failures_write_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, _, err = run("convert", str(BROKEN), "-o", str(target))
    assert code == 1
    assert not target.exists()
    assert "Traceback" not in err
    assert err.startswith(f"threadkeep: {BROKEN}: HTML page with no tweets")


def test_missing_file_is_named() -> None:
    code, _, err = run("convert", "no/such/page.html")
    assert code == 1
    assert "no/such/page.html" in err
    assert "no such file" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, _, err = run("convert", str(THREAD), str(LISTING), "--url", "https://x.test/")
    assert code == 2
    assert "--url applies to one input only" in err
    code, _, _ = run("convert", str(THREAD), "--format", "xml")
    assert code == 2
    code, _, err = run("convert", str(tmp_path))
    assert code == 2
    assert "no .html, .htm, .txt, .md, .markdown, .json, .warc, .warc.gz or .wacz files" in err


def test_progress_bar_on_request(tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / f"page{index}.html").write_bytes(THREAD.read_bytes())
    code, _, err = run("convert", str(tmp_path), "-o", str(tmp_path / "out"), "--progress")
    assert code == 0
    assert "converting" in err
    assert "5/5" in err


def test_console_script_and_module_entry_points() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "threadkeep", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0
    assert version.stdout.strip() == f"threadkeep, version {threadkeep.__version__}"
    failed = subprocess.run(
        [sys.executable, "-m", "threadkeep", "convert", str(BROKEN)],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr


@pytest.mark.parametrize("page", golden_cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_converts_to_json_that_validates(
    page: Path, schema: dict[str, object]
) -> None:
    code, out, err = run("convert", str(page))
    assert code == 0, err
    jsonschema.validate(json.loads(out), schema)


def test_outputs_never_overwrite_each_other(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "page.html").write_bytes(THREAD.read_bytes())
    (tmp_path / "b" / "page.html").write_bytes(LISTING.read_bytes())
    (tmp_path / "a" / "page.txt").write_bytes(
        (FIXTURES / "text" / "seed004_thread_dial_m.txt").read_bytes()
    )
    out = tmp_path / "out"
    code, _, err = run(
        "convert",
        str(tmp_path / "a" / "page.html"),
        str(tmp_path / "b" / "page.html"),
        str(tmp_path / "a" / "page.txt"),
        "-o",
        str(out),
    )
    assert code == 0, err
    kinds = {p.name: json.loads(p.read_text("utf-8"))["kind"] for p in out.iterdir()}
    assert kinds == {
        "page.html.json": "thread",
        "page.html-2.json": "listing",
        "page.txt.json": "thread",
    }
    assert oct((out / "page.txt.json").stat().st_mode & 0o777) == "0o644"
