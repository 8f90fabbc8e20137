"""Opening an account export, in every form a user holds it, and reading its data files.

The exports are real files (fixtures/export/, provenance in its SOURCES.md): each is
opened as the unpacked folder, as a zip's bytes and path, and wrapped in one top folder (as
X's zips and a user's unzip tool make them), and must give the same names and bytes each time.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from threadkeep import MalformedExport, MalformedPage
from threadkeep.account.container import ExportFiles, open_export, read_assignment

SAMPLES = FIXTURES / "export"
ALROCAR = SAMPLES / "modern-alrocar-2024"
BRENDEN = SAMPLES / "tweetjs-BrendenRecluse-2021"
GRAILBIRD = SAMPLES / "grailbird-IaninSheffield-2018"

NAMES = {
    ALROCAR: ["data/account.js", "data/manifest.js", "data/note-tweet.js", "data/tweets.js"],
    BRENDEN: ["data/manifest.js", "data/tweet.js"],
    GRAILBIRD: [
        "data/js/tweet_index.js",
        "data/js/tweets/2009_02.js",
        "data/js/user_details.js",
        "tweets.csv",
    ],
}


def zipped(folder: Path, *, top: str = "", junk: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if top:
            archive.writestr(top, "")  # the folder's own entry, as zip tools write it
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(folder).as_posix())
        if junk:
            archive.writestr(f"__MACOSX/{top}._tweets.js", b"\x00\x05\x16\x07")
    return buffer.getvalue()


def opened(source: bytes | Path, **settings: str) -> ExportFiles:
    files = open_export(source, **settings)
    assert files is not None
    return files


def contents(files: ExportFiles) -> dict[str, bytes]:
    return {name: files.read(name) for name in files.names()}


@pytest.mark.parametrize("folder", list(NAMES), ids=lambda p: p.name)
def test_every_form_of_an_export_gives_the_same_files(folder: Path, tmp_path: Path) -> None:
    expected = {name: (folder / name).read_bytes() for name in NAMES[folder]}
    wrapped = tmp_path / "unzipped" / "twitter-2024-11-16-abc"
    shutil.copytree(folder, wrapped)
    zip_path = tmp_path / "twitter.zip"
    zip_path.write_bytes(zipped(folder))
    forms = [
        folder,
        wrapped,
        wrapped.parent,
        zip_path,
        zipped(folder),
        zipped(folder, top="twitter-2024-11-16-abc/"),
        zipped(folder, top="twitter-2024-11-16-abc/", junk=True),
    ]
    for form in forms:
        files = open_export(form)
        assert files is not None, form
        with files:
            assert files.names() == NAMES[folder]
            assert contents(files) == expected
            for name, data in expected.items():
                assert files.has(name) and files.size(name) == len(data)
                with files.open(name) as stream:
                    assert stream.read() == data


def test_names_the_export_in_messages(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(zipped(BRENDEN))
    with opened(tmp_path / "x.zip") as files:
        assert files.name == str(tmp_path / "x.zip")
    with opened(zipped(BRENDEN), name="my-archive.zip") as files:
        assert files.name == "my-archive.zip"
        assert not files.has("data/tweets.js")
        with pytest.raises(MalformedExport) as caught:
            files.read("data/tweets.js")
        assert str(caught.value) == "my-archive.zip: data/tweets.js: no such file in the export"
        assert caught.value.member == "data/tweets.js"
        assert isinstance(caught.value, MalformedPage)


def test_the_modern_layout_reads_as_json() -> None:
    with opened(ALROCAR) as files:
        manifest = read_assignment(files.read("data/manifest.js"), name="data/manifest.js")
        tweets = read_assignment(files.read("data/tweets.js"), name="data/tweets.js")
        notes = read_assignment(files.read("data/note-tweet.js"), name="data/note-tweet.js")
    assert manifest["userInfo"] == {
        "accountId": "52338276",
        "userName": "alrocar",
        "displayName": "alrocar 🥘",
    }
    assert manifest["dataTypes"]["tweets"]["files"][0]["globalName"] == "YTD.tweets.part0"
    assert len(tweets) == 14
    assert tweets[0]["tweet"]["id_str"] == "1855222380982907193"
    assert notes[0]["noteTweet"]["noteTweetId"] == "1839583005012045824"


def test_the_2021_layout_reads_as_json() -> None:
    with opened(BRENDEN) as files:
        tweets = read_assignment(files.read("data/tweet.js"), name="data/tweet.js")
    assert [entry["tweet"]["id_str"] for entry in tweets][:2] == [
        "1351066526800105477",
        "1350935177669836801",
    ]


def test_the_grailbird_layout_reads_as_json() -> None:
    with opened(GRAILBIRD) as files:
        month = read_assignment(files.read("data/js/tweets/2009_02.js"), name="2009_02.js")
        user = read_assignment(files.read("data/js/user_details.js"), name="user_details.js")
        index = read_assignment(files.read("data/js/tweet_index.js"), name="tweet_index.js")
        csv = files.read("tweets.csv")
    assert len(month) == 5 and isinstance(month[0]["id"], int)
    assert user["screen_name"] == "IaninSheffield"
    assert index[0]["file_name"] == "data/js/tweets/2018_07.js"
    assert csv.startswith(b'"tweet_id","in_reply_to_status_id"')


@pytest.mark.parametrize(
    "data",
    [
        b"window.YTD.tweets.part0 = [ ]",
        b"window.YTD.tweets.part12 = [ ];",
        b"\xef\xbb\xbfwindow.YTD.tweets.part0 = [ ];\r\n",
        b"window.__THAR_CONFIG = [ ]\n",
        b"Grailbird.data.tweets_2009_02 = \n [ ]",
        b"var tweet_index =  [ ]",
        b"var user_details =\t[ ]\n\n",
        b"\n  window.YTD.deleted_tweets.part0=[]  ;  ",
    ],
)
def test_every_wrapper_is_read(data: bytes) -> None:
    assert read_assignment(data, name="data/x.js") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a data file of an account export"),
        (b"[ ]", "not a data file of an account export"),
        (b"window.YTD.tweets = [ ]", "not a data file of an account export"),
        (b"var other = [ ]", "not a data file of an account export"),
        (b"window.YTD.tweets.part0 = ", "after the assignment: invalid JSON"),
        (b"window.YTD.tweets.part0 = [ ];;", "text after the assigned JSON value"),
        (b"window.YTD.tweets.part0 = [ ] [ ]", "text after the assigned JSON value"),
    ],
)
def test_anything_else_is_refused_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedExport) as caught:
        read_assignment(data, name="data/tweets.js", source="x.zip")
    assert str(caught.value).startswith(f"x.zip: data/tweets.js: {reason}")


def test_lone_surrogates_and_long_numbers_are_read_safely() -> None:
    data = b'var user_details = {"name": "A \\ud83d", "id": ' + b"9" * 5000 + b"}"
    value = read_assignment(data, name="user_details.js")
    assert value["name"] == "A \ufffd"
    assert isinstance(value["id"], float)


def test_what_is_not_an_export_gives_none(tmp_path: Path) -> None:
    photos = io.BytesIO()
    with zipfile.ZipFile(photos, "w") as archive:
        archive.writestr("holiday/cat.jpg", b"\xff\xd8")
        archive.writestr("data/notes.js", "var x = 1")
    (tmp_path / "empty").mkdir()
    (tmp_path / "page.html").write_bytes(b"<html></html>")
    for source in [
        b"<html>a page</html>",
        b"",
        photos.getvalue(),
        tmp_path / "empty",
        tmp_path / "page.html",
        tmp_path / "missing.zip",
        SAMPLES,  # three exports side by side: not one export
    ]:
        assert open_export(source) is None, source


def test_a_link_inside_the_folder_is_read_as_its_target(tmp_path: Path) -> None:
    shutil.copytree(BRENDEN, tmp_path / "export")
    (tmp_path / "export" / "data" / "tweet-part1.js").symlink_to("tweet.js")
    with opened(tmp_path / "export") as files:
        assert files.read("data/tweet-part1.js") == (BRENDEN / "data" / "tweet.js").read_bytes()


def test_closing_releases_the_zip_and_extracts_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twitter.zip"
    path.write_bytes(zipped(ALROCAR, top="twitter/"))
    before = sorted(tmp_path.rglob("*"))
    open_fds = len(os.listdir("/proc/self/fd"))
    with opened(path) as files:
        contents(files)
    assert len(os.listdir("/proc/self/fd")) == open_fds
    assert sorted(tmp_path.rglob("*")) == before
