"""Damage in the media store and how ``verify --repair`` gets out of it, end to end: a media
file that no longer matches its hash, a damaged line in the middle of ``media.jsonl``.

The media come from a real loopback server (:class:`tests.test_media_fetch.MediaHost`); the
damage is done to the real files, as a disk would do it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_media_fetch import (
    PNG,
    TWEET,
    MediaHost,
    answer_with,
    client,
    invoke,
    photo,
    sha,
)
from threadkeep.archive import Archive
from threadkeep.batch.media import fetch_media


@pytest.fixture
def host() -> Iterator[MediaHost]:
    with MediaHost() as server:
        yield server


def fetched(host: MediaHost, store: Path) -> Archive:
    """A store with one tweet whose two photos are fetched."""
    archive = Archive(store)
    answer = answer_with(
        host, TWEET, photo(f"{host.base}/media/ok.png"), photo(f"{host.base}/img/thumb.jpg")
    )
    archive.add(answer, url="https://cdn.syndication.twimg.com/tweet-result?id=" + TWEET)
    with client() as c:
        report = fetch_media(archive, c, wayback=None)
    assert len(report.stored) == 2 and not report.failures
    return archive


def media_cmd(host: MediaHost, store: Path) -> tuple[int, str, str]:
    done = invoke("media", "--store", str(store), "--no-wayback", "--allow-private",
                  "--min-interval", "0")  # fmt: skip
    return done.exit_code, done.stdout, done.stderr


def test_a_damaged_media_file_is_set_aside_and_fetched_again(
    host: MediaHost, tmp_path: Path
) -> None:
    fetched(host, tmp_path)
    path = tmp_path / "media" / sha(PNG)[:2] / sha(PNG)
    path.write_bytes(PNG[:100] + b"rot" + PNG[103:])  # three bytes gone bad

    checked = invoke("verify", "--store", str(tmp_path))
    assert checked.exit_code == 1
    assert f"DAMAGED media/{sha(PNG)[:2]}/{sha(PNG)}: media file does not match its hash" in (
        checked.stderr
    )

    repaired = invoke("verify", "--repair", "--store", str(tmp_path))
    assert repaired.exit_code == 0, repaired.output
    aside = f"media/damaged/{sha(PNG)}.1"
    assert (
        f"SET ASIDE media/{sha(PNG)[:2]}/{sha(PNG)}: did not match its hash, its bytes kept in "
        f"{aside}; fetch it again with threadkeep media"
    ) in repaired.stdout
    assert "NOT REPAIRED" not in repaired.output
    assert (tmp_path / aside).read_bytes() == PNG[:100] + b"rot" + PNG[103:]  # nothing lost
    assert not path.exists()

    shown = invoke("show", TWEET, "--store", str(tmp_path), "--format", "text").stdout
    assert "1 media file kept in the archive" in shown and "/media/ok.png" not in shown
    noted = invoke("verify", "--store", str(tmp_path))
    assert noted.exit_code == 0, noted.output
    assert "fetch it again with threadkeep media" in noted.stderr

    code, said, _ = media_cmd(host, tmp_path)
    assert code == 0 and said.startswith("2 media items: 1 fetched, 1 already stored, 0 failed")
    assert path.read_bytes() == PNG
    final = invoke("verify", "--store", str(tmp_path))
    assert final.exit_code == 0 and final.stdout.endswith("ok: every file matches its hash\n")
    assert "SET ASIDE" not in final.output


def test_the_site_says_a_stored_file_is_damaged(host: MediaHost, tmp_path: Path) -> None:
    fetched(host, tmp_path / "store")
    path = tmp_path / "store" / "media" / sha(PNG)[:2] / sha(PNG)
    path.write_bytes(b"\x89PNG but not the bytes it was")
    done = invoke("export", "--format", "html", "-o", str(tmp_path / "browse"),
                  "--store", str(tmp_path / "store"))  # fmt: skip
    assert done.exit_code == 0, done.output
    assert (
        f"threadkeep: warning: media/{sha(PNG)[:2]}/{sha(PNG)}: stored file damaged, not in "
        "the site (run threadkeep verify --repair, then threadkeep media)"
    ) in done.stderr
    [page] = (tmp_path / "browse" / "t").glob("*.html")
    text = page.read_text(encoding="utf-8")
    assert "Photo: stored file damaged (run threadkeep verify --repair)" in text
    assert "not stored in the archive" not in text


def test_a_damaged_index_line_is_skipped_then_set_aside(host: MediaHost, tmp_path: Path) -> None:
    fetched(host, tmp_path)
    packs = sorted((tmp_path / "media-journal").iterdir())  # format 3: the index's packs
    index = packs[0]
    lines = index.read_bytes().splitlines(keepends=True)
    broken = lines[0].replace(b'"sha256"', b'"sha2\x0056"', 1)  # a bit flipped on disk
    index.write_bytes(broken + b"".join(lines[1:]))
    where = f"media-journal/{index.name} line 1"

    shown = invoke("show", TWEET, "--store", str(tmp_path), "--format", "text")
    assert shown.exit_code == 0, shown.output
    assert f"{where} is damaged" in shown.stderr and "skipped" in shown.stderr
    assert "media file kept in the archive" in shown.stdout  # the other line still counts
    site = invoke("export", "--format", "html", "-o", str(tmp_path.parent / "browse-idx"),
                  "--store", str(tmp_path))  # fmt: skip
    assert site.exit_code == 0, site.output
    code, said, _ = media_cmd(host, tmp_path)
    assert code == 0, said
    assert index.read_bytes().startswith(broken)  # readers never rewrite the index

    checked = invoke("verify", "--store", str(tmp_path))
    assert checked.exit_code == 1
    assert f"DAMAGED media-journal/{index.name}: line 1 is damaged" in checked.stderr

    repaired = invoke("verify", "--repair", "--store", str(tmp_path))
    assert repaired.exit_code == 0, repaired.output
    assert f"SET ASIDE {where}: damaged, kept as it was in media.jsonl.damaged" in (repaired.stdout)
    assert (tmp_path / "media.jsonl.damaged").read_bytes() == broken
    assert index.read_bytes().startswith(broken)  # packs are never rewritten: passed over
    final = invoke("verify", "--store", str(tmp_path))
    assert final.exit_code == 0, final.output
    again = invoke("show", TWEET, "--store", str(tmp_path), "--format", "text")
    assert "damaged" not in again.stderr  # set aside: no longer said
    entries = [
        json.loads(line)
        for pack in sorted((tmp_path / "media-journal").iterdir())
        for line in pack.read_bytes().splitlines()
        if line != broken.rstrip(b"\n")
    ]
    assert {e["sha256"] for e in entries} >= {sha(PNG)}  # still indexed, by url or recovered
    assert Archive(tmp_path).media(url=f"{host.base}/media/ok.png") is not None
