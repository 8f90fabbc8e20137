"""The batch library as a script uses it: the walker, output names, streaming, the report."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from threadkeep import batch
from threadkeep.batch.archiving import capture_url
from threadkeep.batch.outputs import StreamSink
from threadkeep.files import atomic_writer, walk, write_atomic
from threadkeep.words import plural

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
LISTING = FIXTURES / "listing" / "homepage_2018.html"
CLIPPING = FIXTURES / "text" / "tra_markdown_brave_2025_obsidian_clipping.md"
BROKEN = FIXTURES / "broken" / "not_a_thread_page.html"
TR = "https://threadreaderapp.com"


def test_one_list_of_suffixes_markdown_included() -> None:
    assert batch.SUFFIXES == (
        ".html", ".htm", ".txt", ".md", ".markdown", ".json", ".warc", ".warc.gz", ".wacz"
    )  # fmt: skip
    assert batch.suffix_list() == (
        ".html, .htm, .txt, .md, .markdown, .json, .warc, .warc.gz or .wacz"
    )


def test_a_folder_of_markdown_clippings_is_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_bytes(CLIPPING.read_bytes())
    (tmp_path / "sub" / "B.MARKDOWN").write_bytes(CLIPPING.read_bytes())
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    found = [(i.label, i.relative.as_posix()) for i in batch.inputs([str(tmp_path)])]
    assert found == [
        (str(tmp_path / "a.md"), "a.md"),
        (str(tmp_path / "sub/B.MARKDOWN"), "sub/B.MARKDOWN"),
    ]


def test_the_output_folder_is_never_read_back(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(THREAD.read_bytes())
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "page.json").write_text("{}")
    (tmp_path / "all.json").write_text("{}")
    skip = [tmp_path / "out", tmp_path / "all.json"]
    assert [i.relative.name for i in batch.inputs([str(tmp_path)], skip=skip)] == ["page.html"]
    assert [p.name for p in walk(tmp_path, {".json"})] == ["all.json", "page.json"]


def _named(*relatives: str) -> list[str]:
    items = [batch.Input(r, Path(r), Path(r), batch.KINDS[0]) for r in relatives]
    return [p.as_posix() for p in batch.plan_names(items, ".json")]


def test_output_names_keep_the_rules() -> None:
    assert _named("a.html", "b.txt") == ["a.json", "b.json"]
    assert _named("x.html", "x.txt") == ["x.html.json", "x.txt.json"]
    assert _named("page.html", "page.html", "page.txt") == [
        "page.html.json",
        "page.html-2.json",
        "page.txt.json",
    ]
    assert _named("sub/x.md", "x.md") == ["sub/x.json", "x.json"]
    assert _named("stdin") == ["stdin.json"]


def _clashing(count: int) -> list[str]:
    """``count`` inputs, half of them clashing (in pairs) on one output name."""
    half = count // 2
    relatives = [f"d{i % 200}/p{i}.html" for i in range(half)]
    return relatives + [f"same/p{i}.html" for i in range(half // 2)] * 2


def _best_plan_time(relatives: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        _named(*relatives)
        best = min(best, time.perf_counter() - start)
    return best


def test_output_names_are_planned_in_linear_time() -> None:
    # The quadratic plan took minutes for 40,000 inputs. Linear work takes about 8 times as
    # long at 8 times the count, quadratic work 64 times (the hostile-input checks' rule).
    names = _named(*_clashing(40_000))
    assert len(set(names)) == len(names) == 40_000
    small, large = _best_plan_time(_clashing(5_000)), _best_plan_time(_clashing(40_000))
    assert large < 0.05 or large < 20 * small, (small, large)


def test_results_are_yielded_as_each_input_finishes(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"p{index}.html").write_bytes(THREAD.read_bytes())
    (tmp_path / "p1.html").write_bytes(BROKEN.read_bytes())
    run = batch.plan(list(batch.inputs([str(tmp_path)])), fmt="jsonl")
    report = batch.Report(len(run.items))
    stdout = io.StringIO()
    outcomes = batch.convert(run, report=report, stdout=stdout, stdin=io.BytesIO())
    first = next(outcomes)
    assert first.kind == "thread" and first.error is None
    assert json.loads(stdout.getvalue())["id"] == "1215710451343904768"  # before the rest ran
    assert report.done == 1
    rest = list(outcomes)
    assert [o.error is None for o in rest] == [False, True]
    assert report.summary() == "1 of 3 inputs failed"
    assert len(stdout.getvalue().splitlines()) == 2


def test_a_json_array_is_streamed_byte_for_byte_as_json_dumps() -> None:
    documents = [{"kind": "thread", "x": [1, {"y": "é"}], "e": {}}, {"kind": "listing", "z": []}]
    stdout = io.StringIO()
    with StreamSink("json", stream=stdout, target=None) as sink:
        for index, document in enumerate(documents):
            sink.put(index, json.dumps(document, indent=2) + "\n")
    assert stdout.getvalue() == json.dumps(documents, indent=2, ensure_ascii=False) + "\n"


def test_one_output_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    run = batch.plan([next(batch.inputs([str(BROKEN)]))], fmt="jsonl", output=str(target))
    outcomes = list(
        batch.convert(run, report=batch.Report(1), stdout=io.StringIO(), stdin=io.BytesIO())
    )
    assert outcomes[0].error and not target.exists()

    def interrupted_half_way() -> None:
        with atomic_writer(target) as stream:
            stream.write("half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_half_way()
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, "whole\n")
    assert target.read_text() == "whole\n" and oct(target.stat().st_mode & 0o777) == "0o644"


def test_report_plurals_and_interruption() -> None:
    report = batch.Report(1, "source", "archived")
    report.failure("x.html: no such file")
    assert report.summary() == "1 of 1 source failed"
    assert report.interrupted() == [
        "interrupted after 1 of 1 source: 0 archived, 1 failed",
        "  x.html: no such file",
    ]
    assert [plural(n, "tweet") for n in (0, 1, 2)] == ["0 tweets", "1 tweet", "2 tweets"]


@pytest.mark.parametrize(
    ("source", "fetched"),
    [
        (
            "https://x.com/QuinnyPig/status/1215710451343904768",
            f"{TR}/thread/1215710451343904768.html",
        ),
        ("https://mobile.twitter.com/a/status/20?s=20", f"{TR}/thread/20.html"),
        ("https://twitter.com/i/web/status/20", f"{TR}/thread/20.html"),
        # Hosts that only end in the same letters are not Twitter: fetched as given.
        ("https://fox.com/news/status/12345", "https://fox.com/news/status/12345"),
        ("https://dropbox.com/a/status/123", "https://dropbox.com/a/status/123"),
        ("https://www.example.org/article", "https://www.example.org/article"),
    ],
)
def test_a_tweet_url_is_archived_through_its_unroll_and_nothing_else_is(
    source: str, fetched: str
) -> None:
    assert capture_url(source, TR) == fetched
