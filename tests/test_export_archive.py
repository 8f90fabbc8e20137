"""``threadkeep archive EXPORT``: an account export into the archive, from the command line.

The exports are the real alrocar export (trimmed, see fixtures/export/SOURCES.md) copied into a
temporary folder; what no real sample shows is constructed on top of it and said so: its media
files (the sample holds their names, not their bytes: each is a few made-up bytes) and the
later exports (the same export, generated later, with tweets gone or moved to the deleted ones).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from tests.kill import killed, killed_at_rename
from threadkeep.archive import Archive
from threadkeep.cli import cli

SAMPLE = FIXTURES / "export" / "modern-alrocar-2024"
GENERATED = "2024-11-16T11:33:22.222Z"
ACCOUNT = "export-52338276"
THREAD = "1771088435404583031"  # a five-tweet thread of self-replies, with photos
THREAD_TWEETS = [
    "1771088435404583031",
    "1771089349506920845",
    "1771201849372127420",
    "1771202544565444790",
    "1771250958229450966",
]
SHORT = "1848756482629620036"  # a two-tweet thread


def _entries(path: Path) -> tuple[str, list[dict[str, object]]]:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("=")
    return head + "= ", json.loads(body)


def make_export(
    where: Path,
    *,
    generated: str = GENERATED,
    drop: tuple[str, ...] = (),
    delete: tuple[str, ...] = (),
    as_zip: bool = False,
) -> Path:
    """The real sample, with constructed media files; ``generated`` later, the tweets ``drop``
    gone and those of ``delete`` moved to data/deleted-tweets.js (constructed)."""
    folder = where.with_name(where.stem + "-unzipped") if as_zip else where
    shutil.copytree(SAMPLE, folder)
    data = folder / "data"
    manifest = data / "manifest.js"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(GENERATED, generated), encoding="utf-8"
    )
    head, entries = _entries(data / "tweets.js")
    media = data / "tweets_media"
    media.mkdir(exist_ok=True)
    for entry in entries:
        tweet = entry["tweet"]
        assert isinstance(tweet, dict)
        for item in tweet.get("extended_entities", {}).get("media", []):
            name = f"{tweet['id_str']}-{item['media_url_https'].rsplit('/', 1)[-1]}"
            (media / name).write_bytes(b"constructed media of " + name.encode())
    kept = [e for e in entries if e["tweet"]["id_str"] not in drop + delete]  # type: ignore[index]
    gone = [e for e in entries if e["tweet"]["id_str"] in delete]  # type: ignore[index]
    (data / "tweets.js").write_text(head + json.dumps(kept, indent=2), encoding="utf-8")
    if delete:
        text = "window.YTD.deleted_tweets.part0 = " + json.dumps(gone, indent=2)
        (data / "deleted-tweets.js").write_text(text, encoding="utf-8")
    if not as_zip:
        return folder
    with zipfile.ZipFile(where, "w") as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder).as_posix())
    shutil.rmtree(folder)
    return where


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def files_of(store: Path) -> dict[str, bytes]:
    return {
        p.relative_to(store).as_posix(): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def test_archive_an_export_and_show_its_thread_unrolled(tmp_path: Path) -> None:
    export = make_export(tmp_path / "twitter-2024-11-16")
    store = tmp_path / "store"
    code, out, err = run("archive", str(export), "--store", str(store))
    assert code == 0, err
    assert f"new {ACCOUNT}" in out and "threads" in out and "media files copied" in out
    assert "tweets" in err  # progress on stderr
    code, out, _ = run("show", THREAD, "--store", str(store))
    assert code == 0
    assert "(@alrocar)" in out and "5 tweets ever seen, 0 removed" in out
    assert out.index("54/100 #100DaysOfCode") < out.index("Y así cambio de desktop")
    archive = Archive(store)
    document = archive.document(f"thread-{THREAD}")
    assert document is not None and document.tweets == THREAD_TWEETS
    assert archive.document(f"thread-{SHORT}") is not None
    record = archive.tweet(THREAD)
    assert record is not None
    assert [s.kind for s in record.sightings] == ["export", "export"]  # the export, the thread
    assert set(record.documents) == {ACCOUNT, f"thread-{THREAD}"}
    code, out, _ = run("verify", "--store", str(store))
    assert code == 0 and "media file" in out and "ok: every file matches its hash" in out


def test_media_are_stored_once_and_found_by_url_and_file_name(tmp_path: Path) -> None:
    export = make_export(tmp_path / "export")
    store = tmp_path / "store"
    assert run("archive", str(export), "--store", str(store))[0] == 0
    archive = Archive(store)
    photo = export / "data" / "tweets_media" / "1771088435404583031-GJQrY6MWcAA6xjP.jpg"
    by_url = archive.media(url="https://pbs.twimg.com/media/GJQrY6MWcAA6xjP.jpg")
    by_file = archive.media(file="data/tweet_media/1771088435404583031-GJQrY6MWcAA6xjP.jpg")
    assert by_url is not None and by_url == by_file
    assert by_url.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert archive.media_bytes(by_url.sha256) == photo.read_bytes()
    stored = [p for p in (store / "media").rglob("*") if p.is_file()]
    assert len(stored) == len(list((export / "data" / "tweets_media").iterdir()))
    # The raw capture holds the data files, not the media: each is a pointer there.
    entry = next(archive.captures())
    assert entry.sha256 is not None
    with zipfile.ZipFile(__import__("io").BytesIO(archive.raw(entry.sha256))) as bundle:
        names = bundle.namelist()
        assert "data/tweets.js" in names and "data/manifest.js" in names
        pointer = bundle.read("data/tweets_media/1771088435404583031-GJQrY6MWcAA6xjP.jpg")
    assert pointer.startswith(b"threadkeep-media sha256:" + by_url.sha256.encode())


def test_the_same_export_again_writes_nothing_zip_or_folder(tmp_path: Path) -> None:
    folder = make_export(tmp_path / "export")
    zipped = make_export(tmp_path / "export.zip", as_zip=True)
    store = tmp_path / "store"
    assert run("archive", str(folder), "--store", str(store))[0] == 0
    before = files_of(store)
    for again in (folder, zipped):
        code, out, _ = run("archive", str(again), "--store", str(store))
        assert code == 0 and "already archived" in out and "nothing written" in out
        assert files_of(store) == before


def test_a_later_export_marks_gone_tweets_removed_and_keeps_deleted_ones(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = make_export(tmp_path / "first")
    later = make_export(
        tmp_path / "later",
        generated="2025-02-01T10:00:00.000Z",
        drop=("1853790406305108349",),  # a standalone tweet, gone
        delete=("1771250958229450966",),  # the thread's last tweet, deleted: kept, marked
    )
    assert run("archive", str(first), "--store", str(store))[0] == 0
    code, out, err = run("archive", str(later), "--store", str(store))
    assert code == 0, err
    assert f"changed {ACCOUNT}" in out and "1 deleted, 1 removed since" in out
    assert "0 media files copied" in out  # the same photos: stored once
    archive = Archive(store)
    gone = archive.tweet("1853790406305108349")
    assert gone is not None and gone.removed and gone.latest.text  # its content stays
    deleted = archive.tweet("1771250958229450966")
    assert deleted is not None and deleted.removed and deleted.latest.deleted is True
    code, out, _ = run("show", THREAD, "--store", str(store))
    assert code == 0 and "5 tweets ever seen, 1 removed" in out and "2 captures" in out
    code, out, _ = run("history", ACCOUNT, "--store", str(store))
    assert code == 0 and "1853790406305108349" in out
    code, out, _ = run("verify", "--store", str(store))
    assert code == 0, out


def test_a_damaged_media_file_is_named_by_verify(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run("archive", str(make_export(tmp_path / "export")), "--store", str(store))[0] == 0
    media = next(p for p in (store / "media").rglob("*") if p.is_file())
    media.write_bytes(b"not what it was")
    code, _, err = run("verify", "--store", str(store))
    assert code == 1
    assert f"DAMAGED media/{media.parent.name}/{media.name}: media file does not match" in err


def test_not_an_export_and_a_broken_export_say_so_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "store"
    broken = make_export(tmp_path / "broken")
    (broken / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = [ {", encoding="utf-8")
    code, out, err = run("archive", str(broken), "--store", str(store))
    assert code == 1
    said = (out + err).strip().splitlines()
    assert any("data/tweets.js" in line and "nothing was archived" in line for line in said)
    assert "Traceback" not in out + err
    assert not (store / "raw").exists() and not (store / "media").exists()


KILLED_AT_RENAME = killed_at_rename(
    """
    if len(sys.argv) > 4:  # the capture's files written that many bytes at a time
        import threadkeep.archive.export
        threadkeep.archive.export.FLUSH_AT = int(sys.argv[4])
    Archive(store).export(source)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
@pytest.mark.parametrize("flush_at", [None, 3000], ids=["one-batch", "small-batches"])
def test_sigkill_in_the_middle_of_an_export_leaves_a_store_that_verifies(
    tmp_path: Path, flush_at: int | None
) -> None:
    """A writer killed before each rename of an export's capture in turn (media files, raw
    bundle, snapshots, tweet records, document records) leaves a store that verifies, with
    nothing logged; archiving the export again at once completes it; so does a repair and
    then archiving it again. Also when the capture's files are written a few at a time (a
    large export's are, to bound its memory), the kills falling between those batches."""
    export = make_export(tmp_path / "export")
    bounded = [] if flush_at is None else [str(flush_at)]
    at = 1
    while True:
        store = tmp_path / f"killed-{at}"
        if not killed(KILLED_AT_RENAME, str(store), str(export), str(at), *bounded):
            break  # past the last rename: the export was archived
        archive = Archive(store)
        report = archive.verify()
        assert report.ok, (at, report.problems)
        assert list(archive.captures()) == [], at
        resumed = tmp_path / f"resumed-{at}"  # archived again at once, without a repair
        shutil.copytree(store, resumed)
        Archive(resumed).export(export)
        assert Archive(resumed).verify().ok, at
        assert archive.repair().ok, at
        archive.export(export)
        again = Archive(store).verify()
        assert again.ok and not again.ahead and not again.orphans, (at, again)
        shown = Archive(store).thread(THREAD)
        assert shown is not None and [t.id for t in shown.tweets] == THREAD_TWEETS, at
        at += 1 if at < 6 else 5  # every rename of the media and the first files; then some
    assert at > 10  # media files, raw body, snapshots, records: many renames were killed


def test_a_json_line_says_what_the_export_made(tmp_path: Path) -> None:
    export = make_export(tmp_path / "export")
    code, out, _ = run("archive", str(export), "--store", str(tmp_path / "store"), "--json")
    assert code == 0
    said = json.loads(out)
    assert (said["outcome"], said["document"], said["kind"]) == ("new", ACCOUNT, "export")
    assert said["export"]["threads"] == [f"thread-{SHORT}", f"thread-{THREAD}"]
    assert said["export"]["tweets"] == 14 and said["export"]["written"] is True


def test_an_export_given_to_add_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    """``Archive.add`` takes one page; an export's zip bytes go through ``Archive.export``
    (its media into the media store, not into a raw body): refused before anything is kept."""
    from threadkeep.errors import UnsupportedPage

    zipped = make_export(tmp_path / "export.zip", as_zip=True)
    archive = Archive(tmp_path / "store")
    with pytest.raises(UnsupportedPage, match=r"Archive\.export\(\)"):
        archive.add(zipped.read_bytes())
    assert list(archive.captures()) == [] and not (tmp_path / "store" / "raw").exists()
    assert archive.export(zipped.read_bytes()).result.document == ACCOUNT


def test_a_video_over_the_data_files_limit_is_copied_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A media file is bounded by the export's total only: a long video larger than a data
    file may be is copied into the store in chunks, never whole in memory (the sizes are made
    small here: one data file and one chunk of a few KiB; the video is constructed)."""
    import threadkeep.account.export_files
    import threadkeep.archive.export

    export = make_export(tmp_path / "export")
    video = next((export / "data" / "tweets_media").iterdir())
    content = bytes(range(256)) * 400  # 100 KiB
    video.write_bytes(content)
    monkeypatch.setattr(threadkeep.account.export_files, "MAX_EXPORT_FILE_BYTES", 64 << 10)
    monkeypatch.setattr(threadkeep.archive.export, "_WHOLE_MEDIA", 8 << 10)
    monkeypatch.setattr(threadkeep.archive.export, "_CHUNK", 4 << 10)
    store = tmp_path / "store"
    code, out, _ = run("archive", str(export), "--store", str(store))
    assert code == 0 and f"new {ACCOUNT}" in out
    archive = Archive(store)
    sha = hashlib.sha256(content).hexdigest()
    assert archive.media_bytes(sha) == content
    entry = archive.media(file=f"data/tweets_media/{video.name}")
    assert entry is not None and (entry.sha256, entry.size) == (sha, len(content))
    assert run("verify", "--store", str(store))[0] == 0
    # Archived again: the video is hashed, found in the store, and not copied again.
    code, out, _ = run("archive", str(export), "--store", str(store))
    assert code == 0 and "nothing written" in out
