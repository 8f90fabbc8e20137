"""Hostile account exports (fixtures/hostile/export/) are refused with one clear line.

Each case is a zip or folder built from its recipe (tests/export_zips.py). Opening it, then
reading every data file and streaming every other file, must stop with the
:class:`~threadkeep.MalformedExport` that ``expected.json`` documents, at the stage it says
(``open``: before any member is read; ``read``: when that file is read), quickly, without
writing anything outside the test's folder, and ``threadkeep convert`` must not print a
traceback for it.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.export_zips import EXPECTED, EXPORTS, make_case, zip_bytes
from threadkeep import MalformedExport, limits
from threadkeep.account import assignment, export_files, zip_export
from threadkeep.account.container import ExportFiles, open_export, read_assignment
from threadkeep.cli import cli

MANIFEST = 'window.__THAR_CONFIG = {"userInfo" : {"accountId" : "1", "userName" : "someone"}}'


def read_everything(files: ExportFiles) -> None:
    """What a reader of the export does: every data file read and parsed, the rest streamed."""
    for name in files.names():
        if name.endswith(".js"):
            read_assignment(files.read(name), name=name, source=files.name)
        elif name.endswith(".csv"):
            files.read(name)
        else:
            with files.open(name) as stream:
                while stream.read(1 << 20):
                    pass


def outcome(path: Path) -> dict[str, Any]:
    stage = "open"
    refused: MalformedExport | None = None
    try:
        files = open_export(path)
        assert files is not None, "not recognised as an export"
        with files:
            stage = "read"
            read_everything(files)
    except MalformedExport as exc:
        refused = exc
    if refused is None:
        return {"result": "read"}
    assert str(refused).startswith(f"{path}: "), "the message names the export"
    assert "\n" not in str(refused)
    return {"stage": stage, "error": type(refused).__name__, "message": refused.reason}


def test_every_case_has_an_expectation() -> None:
    cases = {p.name for p in EXPORTS.iterdir() if p.name != "expected.json"}
    assert cases == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_export_is_refused_as_documented(name: str, tmp_path: Path) -> None:
    expected = {k: v for k, v in EXPECTED[name].items() if k != "why"}
    work = tmp_path / "work"
    work.mkdir()
    path = make_case(name, work)
    before = set(tmp_path.rglob("*"))
    started = time.monotonic()
    assert outcome(path) == expected
    assert time.monotonic() - started < 10
    assert set(tmp_path.rglob("*")) == before  # nothing extracted, here or anywhere else


@pytest.mark.parametrize(
    "name",
    ["name_parent_steps.recipe.json", "bomb_ratio.recipe.json", "js_not_assignment.recipe.json"],
)
def test_convert_gives_one_line_and_no_traceback(name: str, tmp_path: Path) -> None:
    path = make_case(name, tmp_path)
    run = CliRunner().invoke(cli, ["convert", str(path), "-o", str(tmp_path / "out.json")])
    assert run.exit_code != 0
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert "Traceback" not in run.output + run.stderr
    assert not (tmp_path / "out.json").exists()


# -- the limits: just inside is read, just past is refused -----------------------------------


def opened(source: bytes | Path) -> ExportFiles:
    files = open_export(source)
    assert files is not None
    return files


def small_zip(*members: tuple[str, str], **spec: Any) -> bytes:
    listed = [{"name": "data/manifest.js", "text": MANIFEST}]
    listed += [{"name": name, "text": text} for name, text in members]
    return zip_bytes({"members": listed, **spec})


def test_members_up_to_the_limit_are_read_and_one_more_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zip_export, "MAX_EXPORT_MEMBERS", 3)
    three = small_zip(("data/a.js", "var tweet_index = []"), ("data/b.js", "var tweet_index = []"))
    with opened(three) as files:
        assert len(files.names()) == 3
    with pytest.raises(MalformedExport, match=r"a zip of 4 members, over the limit of 3"):
        open_export(small_zip(*[(f"data/{i}.js", "x") for i in range(3)]))


def test_a_data_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_files, "MAX_EXPORT_FILE_BYTES", 100)
    monkeypatch.setattr(assignment, "MAX_EXPORT_FILE_BYTES", 100)
    text = "window.YTD.tweets.part0 = [" + " " * 72 + "]"
    assert len(text) == 100
    with opened(small_zip(("data/tweets.js", text))) as files:
        assert read_assignment(files.read("data/tweets.js"), name="data/tweets.js") == []
    refused = pytest.raises(MalformedExport, match=r"^<bytes>: data/tweets.js: data file of 101")
    with opened(small_zip(("data/tweets.js", text + " "))) as files, refused:
        files.read("data/tweets.js")


def test_json_values_past_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assignment, "MAX_EXPORT_JSON_VALUES", 3)
    assert read_assignment(b"window.YTD.x.part0 = [1, 2, 3]", name="data/x.js") == [1, 2, 3]
    with pytest.raises(MalformedExport, match=r"data/x.js: more than 3 JSON values"):
        read_assignment(b"window.YTD.x.part0 = [1, 2, 3, 4]", name="data/x.js")


def test_a_compression_ratio_at_the_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2 MiB of zeros compresses about 1 000 to 1: allowed at a limit of 1 100, refused at 900
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/manifest.js", MANIFEST)
        archive.writestr("data/tweets_media/1-a.mp4", bytes(2 << 20))
    monkeypatch.setattr(zip_export, "MAX_EXPORT_RATIO", 1100)
    with opened(buffer.getvalue()) as files, files.open("data/tweets_media/1-a.mp4") as stream:
        assert len(stream.read()) == 2 << 20
    monkeypatch.setattr(zip_export, "MAX_EXPORT_RATIO", 900)
    with pytest.raises(MalformedExport, match=r"1-a.mp4: compressed 1,0[0-9][0-9] to 1"):
        open_export(buffer.getvalue())


def test_too_many_tweets_in_an_export_is_refused() -> None:
    limits.check_export_tweets(limits.MAX_EXPORT_TWEETS, source="x.zip")
    with pytest.raises(MalformedExport, match=r"^x.zip: more than 1,000,000 tweets in one export"):
        limits.check_export_tweets(limits.MAX_EXPORT_TWEETS + 1, source="x.zip")


def test_a_zip_that_holds_no_export_is_not_read_even_with_unsafe_names() -> None:
    zipped = zip_bytes({"members": [{"name": "../../evil", "text": "x"}]})
    assert open_export(zipped) is None


def test_a_cut_zip_is_a_damaged_zip() -> None:
    whole = small_zip(("data/tweets.js", "window.YTD.tweets.part0 = [ ]"))
    with pytest.raises(MalformedExport, match=r"^<bytes>: damaged zip: "):
        open_export(whole[: len(whole) - 30])


def test_the_hostile_recipes_stay_small() -> None:
    for path in EXPORTS.iterdir():
        assert path.stat().st_size < 16 * 1024
