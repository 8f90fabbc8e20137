"""Account exports (issue 16): the three layouts parse to their reviewed goldens, from a folder,
a zip's path and a zip's bytes, through the library and ``threadkeep convert``.

Every export is a real one, trimmed (fixtures/export/SOURCES.md); ``pytest --update-golden``
rewrites ``fixtures/export/<case>.json`` for a person to review.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

import threadkeep
from threadkeep.account.notes import Notes
from threadkeep.account.threads import threads_of
from threadkeep.account.tweets import tweet_from_entry

EXPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "export"
CASES = sorted(
    p for p in EXPORTS.iterdir() if (p / "data").is_dir() or (p / "tweets.csv").is_file()
)


def zipped(folder: Path, *, wrap: str | None = None) -> bytes:
    """The export in ``folder`` as a zip's bytes (inside one folder ``wrap``, if given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{wrap}/{name}" if wrap else name)
    return buffer.getvalue()


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_export_matches_golden(folder: Path, update_golden: bool) -> None:
    export = threadkeep.parse(folder, source=folder.name)
    produced = json.loads(export.model_dump_json())
    golden = folder.with_suffix(".json")
    if update_golden:
        golden.write_text(json.dumps(produced, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert golden.exists(), f"no golden for {folder.name}: run pytest --update-golden, review"
    assert produced == json.loads(golden.read_text("utf-8"))
    assert threadkeep.models.result_adapter.validate_json(golden.read_bytes()) == export


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_zip_bytes_and_zip_path_parse_like_the_folder(folder: Path, tmp_path: Path) -> None:
    from_folder = threadkeep.parse(folder)
    data = zipped(folder, wrap="twitter-2024-11-16-abc")
    assert threadkeep.detect(data) == "export"
    assert threadkeep.parse(data) == from_folder
    path = tmp_path / "twitter.zip"
    path.write_bytes(zipped(folder))
    assert threadkeep.parse(path) == from_folder


def test_modern_export_account_threads_and_long_post() -> None:
    export = threadkeep.parse(EXPORTS / "modern-alrocar-2024", expect=threadkeep.Export)
    assert export.layout == "manifest"
    assert (export.account.id, export.account.handle) == ("52338276", "alrocar")
    assert export.generated_at == datetime(2024, 11, 16, 11, 33, 22, 222000, tzinfo=UTC)
    assert export.source is not None and export.source.kind == "export"
    assert [(t.id, len(t.tweets), t.complete) for t in export.threads] == [
        ("1848756482629620036", 2, True),
        ("1771088435404583031", 5, True),
    ]
    thread = export.threads[1]
    assert [t.id for t in thread.tweets] == [
        "1771088435404583031",
        "1771089349506920845",
        "1771201849372127420",
        "1771202544565444790",
        "1771250958229450966",
    ]
    tweets = {t.id: t for t in export.tweets}
    long = tweets["1851942807159619757"]  # cut at 280 in tweets.js, whole in note-tweet.js
    assert long.text is not None
    assert "Ajustes > Notificaciones > Alertas de emergencias inalámbricas > Historial" in long.text
    assert long.text.endswith("(la alerta llegó 24h tarde, pero ese es otro tema)")
    assert long.quoted is not None and long.quoted.id == "1851940685131210784"
    gif = tweets["1854591356741861770"].media[0]  # entities.media says "photo"
    assert (gif.kind, gif.url) == ("gif", "https://video.twimg.com/tweet_video/GbzVAMlXEAQnc5_.mp4")
    assert len(tweets["1848757197745860812"].media) == 2  # entities.media holds only one
    youtube = tweets["1853790406305108349"]
    assert (
        youtube.text == "No se puede explicar mejor\n\nhttps://www.youtube.com/watch?v=Jh9p__hrxS8"
    )
    retweet = tweets["1855222380982907193"]
    assert retweet.retweet_of is not None and retweet.retweet_of.author.handle == "notasintel"
    assert all(t.deleted is False for t in export.tweets)


def test_deleted_tweet_marked_with_its_time_and_t_co_kept_without_expansion() -> None:
    export = threadkeep.parse(EXPORTS / "modern-alystyle_-2025")
    deleted = [t for t in export.tweets if t.deleted]
    assert [t.id for t in deleted] == ["1830828196125622656"]
    assert deleted[0].deleted_at == datetime(2025, 1, 11, 15, 27, tzinfo=UTC)
    assert deleted[0].text == "RT @bobamirukuu: Mikuto yuki ⁉️ #Persona3 https://t.co/zJX5ynMucs"
    assert export.account.name == "@alystyle.bsky.social"  # a display name, not a handle
    assert export.account.handle == "alystyle_"


def test_tweet_js_layout_and_grailbird_layouts() -> None:
    brenden = threadkeep.parse(EXPORTS / "tweetjs-BrendenRecluse-2021")
    assert brenden.layout == "tweet-js"
    assert [t.id for t in brenden.threads[0].tweets] == [
        "1350931380176379910",
        "1350935177669836801",
    ]
    grailbird = threadkeep.parse(EXPORTS / "grailbird-IaninSheffield-2018")
    assert (grailbird.layout, grailbird.account.id, len(grailbird.tweets)) == (
        "grailbird",
        "21324520",
        5,
    )
    first = grailbird.tweets[0]
    assert first.id == "1256027524" and first.in_reply_to.id == "1253863425"
    csv = threadkeep.parse(EXPORTS / "grailbird-csv-IaninSheffield-2018")
    assert csv.layout == "grailbird" and len(csv.tweets) == 10
    retweet = next(t for t in csv.tweets if t.id == "925687146597552129")
    assert retweet.retweet_of.id == "925680556528078854"
    assert retweet.retweet_of.author.handle == "HarryTDyer"
    assert any("\n" in (t.text or "") for t in csv.tweets)  # a text over two CSV lines


def test_media_file_names_from_the_export(tmp_path: Path) -> None:
    # Constructed: the real samples hold no media file of a kept tweet (fixtures/export).
    export_root = tmp_path / "export"
    shutil.copytree(EXPORTS / "modern-alrocar-2024", export_root)
    media = export_root / "data" / "tweets_media"
    media.mkdir()
    (media / "1854591356741861770-GbzVAMlXEAQnc5_.mp4").write_bytes(b"")
    (media / "1848757197745860812-Gaga1vCW4AAkD7c.jpg").write_bytes(b"")
    tweets = {t.id: t for t in threadkeep.parse(export_root).tweets}
    assert tweets["1854591356741861770"].media[0].file == (
        "data/tweets_media/1854591356741861770-GbzVAMlXEAQnc5_.mp4"
    )
    two = tweets["1848757197745860812"].media
    assert [m.file for m in two] == [
        None,
        "data/tweets_media/1848757197745860812-Gaga1vCW4AAkD7c.jpg",
    ]


def test_notes_join_by_second_and_text_not_by_id() -> None:
    when = datetime(2024, 10, 31, 11, 2, 27, tzinfo=UTC)
    note = {"noteTweet": {"noteTweetId": "1", "createdAt": "2024-10-31T11:02:27.000Z",
                          "core": {"text": "Second note, much longer", "urls": []}}}  # fmt: skip
    other = {"noteTweet": {"noteTweetId": "2", "createdAt": "2024-10-31T11:02:27.000Z",
                           "core": {"text": "First note, longer", "urls": []}}}  # fmt: skip
    notes = Notes([note, other])
    assert notes.join(when, "@someone First note… https://t.co/x") == (
        "@someone First note, longer"
    )
    assert notes.join(when, "Second note…") == "Second note, much longer"
    assert notes.join(when, "Second note…") is None  # used up
    assert notes.join(datetime(2024, 10, 31, 12, tzinfo=UTC), "First…") is None


def test_thread_with_a_missing_link_counts_the_gap() -> None:
    account = threadkeep.Author(handle="me", id="7")

    def entry(tweet_id: str, parent: str | None) -> dict[str, object]:
        reply = {"in_reply_to_status_id_str": parent, "in_reply_to_user_id_str": "7"}
        return {"tweet": {"id_str": tweet_id, "full_text": tweet_id, **(reply if parent else {})}}

    tweets = [tweet_from_entry(entry(i, p), account=account) for i, p in
              [("40", "30"), ("30", "20"), ("11", "10"), ("10", None), ("12", "10")]]  # fmt: skip
    threads = threads_of(tweets, account)
    assert [(t.id, [x.id for x in t.tweets], t.complete, t.gaps) for t in threads] == [
        ("20", ["30", "40"], False, (1,)),
        ("10", ["10", "11"], True, ()),
    ]
    assert [x.position for x in threads[0].tweets] == [2, 3]


def test_convert_command_json_and_markdown(tmp_path: Path) -> None:
    path = tmp_path / "twitter-2024.zip"
    path.write_bytes(zipped(EXPORTS / "modern-alrocar-2024"))
    command = [sys.executable, "-m", "threadkeep", "convert"]
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, check=True)
    document = json.loads(done.stdout)
    assert document["kind"] == "export" and len(document["tweets"]) == 14
    folder = str(EXPORTS / "modern-alrocar-2024")
    done = subprocess.run([*command, "--format", "md", folder], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.startswith("# Tweets of alrocar 🥘 (@alrocar)\n")
    assert "## Thread by alrocar 🥘 (@alrocar)\n\n2024-03-22 · 5 tweets" in done.stdout
    assert "**5.** Resumen de la semana (desde el móvil)" in done.stdout


def test_a_broken_data_file_is_named_in_one_line(tmp_path: Path) -> None:
    root = tmp_path / "export"
    shutil.copytree(EXPORTS / "tweetjs-BrendenRecluse-2021", root)
    (root / "data" / "tweet.js").write_text('window.YTD.tweet.part0 = [ {"tweet": {"id_str": "1"}')
    with pytest.raises(threadkeep.MalformedExport) as caught:
        threadkeep.parse(root)
    assert caught.value.member == "data/tweet.js"
    done = subprocess.run([sys.executable, "-m", "threadkeep", "convert", str(root)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "data/tweet.js: after the assignment: invalid JSON" in done.stderr
    (root / "data" / "tweet.js").write_text('window.YTD.tweet.part0 = [ {"tweet": {"text": "x"}} ]')
    with pytest.raises(threadkeep.MalformedExport, match=r"data/tweet.js: entry 1: no tweet id"):
        threadkeep.parse(root)


def test_an_export_is_not_what_expect_asks_for() -> None:
    with pytest.raises(threadkeep.UnsupportedPage, match="an account export, not a thread"):
        threadkeep.parse(EXPORTS / "modern-alrocar-2024", expect=threadkeep.Thread)


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_json_written_in_pieces_is_the_models_json(folder: Path) -> None:
    from threadkeep.render import json_chunks

    export = threadkeep.parse(folder)
    for indent in (2, None):
        assert "".join(json_chunks(export, indent=indent)) == export.model_dump_json(indent=indent)


def test_jsonl_and_folder_output_of_an_export(tmp_path: Path) -> None:
    folder = EXPORTS / "tweetjs-BrendenRecluse-2021"
    page = EXPORTS.parent / "threadreader" / "quinnypig_2020_full.html"
    command = [sys.executable, "-m", "threadkeep", "convert", str(folder), str(page)]
    done = subprocess.run([*command, "--format", "jsonl"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["kind"] for line in lines] == ["export", "thread"]
    out = tmp_path / "out"
    subprocess.run([*command, "-o", f"{out}/"], capture_output=True, check=True)
    written = json.loads((out / "tweetjs-BrendenRecluse-2021.json").read_text("utf-8"))
    assert written == json.loads(threadkeep.parse(folder).model_dump_json())


def test_unroll_my_export_example(tmp_path: Path) -> None:
    script = EXPORTS.parent.parent / "examples" / "unroll_my_export.py"
    out = tmp_path / "threads"
    done = subprocess.run([sys.executable, str(script), str(EXPORTS / "modern-alrocar-2024"),
                           str(out)], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1848756482629620036: 2 tweets: TIL (4 años tarde)",
        "1771088435404583031: 5 tweets: 54/100 #100DaysOfCode 👨💻",
        f"@alrocar: 14 tweets (0 deleted), 2 threads written to {out}",
    ]
    unrolled = (out / "1771088435404583031.md").read_text("utf-8")
    assert unrolled.startswith("# Thread by alrocar 🥘 (@alrocar)\n\n2024-03-22 · 5 tweets")
    page = EXPORTS.parent / "threadreader" / "quinnypig_2020_full.html"
    done = subprocess.run([sys.executable, str(script), str(page), str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert "a Thread Reader thread page, not an account export" in done.stderr


def test_a_zip_that_is_no_export_is_said_to_be_one_of_something_else() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.txt", "hello")
    for call in (threadkeep.detect, threadkeep.parse):
        with pytest.raises(threadkeep.UnsupportedPage, match="not an account export"):
            call(buffer.getvalue())


def test_unseen_exports_parse_as_their_expectations_say() -> None:
    # fixtures/unseen/export: three real exports held back while the parser was built, with
    # expectations written by reading them (SOURCES.md there); benchmarks/fidelity.py compares.
    sys.path.insert(0, str(EXPORTS.parent.parent / "benchmarks"))
    try:
        import fidelity
    finally:
        sys.path.pop(0)
    unseen = EXPORTS.parent / "unseen" / "export"
    found = fidelity.cases([str(unseen)])
    assert len(found) == 3
    for expected_file in found:
        expected = json.loads(expected_file.read_text("utf-8"))
        assert fidelity.check(EXPORTS.parent.parent / expected["copy"], expected) == []


@pytest.mark.parametrize(
    "surrogate", ["", '"\\ud800", '], ids=["clean text", "an escaped surrogate"]
)
def test_export_json_keeps_the_depth_limit_with_or_without_surrogates(surrogate: str) -> None:
    # decode_json_at walks only the depth when no surrogate can be in the text (export parts).
    from threadkeep.parsing.json_input import decode_json_at

    deep = "[" + surrogate + "[" * 64 + "]" * 64 + "]"
    with pytest.raises(threadkeep.MalformedPage, match="deeper than 64"):
        decode_json_at(deep)
    value, _ = decode_json_at("[" + surrogate + "[" * 62 + "]" * 62 + "]")
    assert value[0] == "\ufffd" if surrogate else isinstance(value[0], list)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data/manifest.js", 'window.__THAR_CONFIG = {"dataTypes": []}'),
        ("data/manifest.js", 'window.__THAR_CONFIG = {"dataTypes": {"tweet": {"files": 3}}}'),
        ("data/manifest.js", 'window.__THAR_CONFIG = {"userInfo": [], "archiveInfo": 1}'),
        ("data/tweet.js", "window.YTD.tweet.part0 = [1]"),
        ("data/tweet.js", 'window.YTD.tweet.part0 = {"tweet": {}}'),
        (
            "data/tweet.js",
            'window.YTD.tweet.part0 = [{"tweet": {"id_str": "1", "entities": [],'
            ' "extended_entities": {"media": [1, {"video_info": 2}]},'
            ' "edit_info": [], "created_at": 5, "full_text": ["x"]}}]',
        ),
    ],
)
def test_odd_data_files_give_an_export_or_a_one_line_error(
    name: str, content: str, tmp_path: Path
) -> None:
    # Constructed: shapes no real export has; none may end in anything but a ThreadkeepError.
    root = tmp_path / "export"
    shutil.copytree(EXPORTS / "tweetjs-BrendenRecluse-2021", root)
    (root / name).write_text(content, "utf-8")
    error: threadkeep.MalformedExport | None = None
    try:
        threadkeep.parse(root, expect=threadkeep.Export)
    except threadkeep.MalformedExport as exc:
        error = exc
    assert error is None or ("\n" not in str(error) and error.member == name)


def test_grailbird_months_the_index_lists_but_the_export_lacks_are_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    export = threadkeep.parse(EXPORTS / "grailbird-IaninSheffield-2018")
    assert len(export.tweets) == 5  # the month present is read
    assert "2 monthly files listed in data/js/tweet_index.js are not in the export" in caplog.text


def test_bare_entries_of_a_2019_tweet_js_read_as_the_wrapped_ones(tmp_path: Path) -> None:
    # Exports of 2019 wrote each entry bare, without {"tweet": …}; no real one is public, so
    # this copy is constructed: the real BrendenRecluse tweet.js with every entry unwrapped.
    real = EXPORTS / "tweetjs-BrendenRecluse-2021"
    copy = tmp_path / "export"
    shutil.copytree(real, copy)
    text = (real / "data" / "tweet.js").read_text("utf-8")
    prefix, _, array = text.partition("=")
    entries = [entry["tweet"] for entry in json.loads(array)]
    (copy / "data" / "tweet.js").write_text(f"{prefix}= {json.dumps(entries)}", "utf-8")
    wrapped, bare = threadkeep.parse(real), threadkeep.parse(copy)
    assert bare.tweets == wrapped.tweets
    # The same threads; only their source's sha256 differs, the data file's bytes being others.
    unsourced = [thread.model_copy(update={"source": None}) for thread in bare.threads]
    assert unsourced == [thread.model_copy(update={"source": None}) for thread in wrapped.threads]
    assert len(bare.tweets) == 5 and bare.threads[0].id == "1350931380176379910"
