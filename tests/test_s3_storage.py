"""The Storage contract, on the local folder and on a bucket of the loopback S3 server.

The same tests run on :class:`~threadkeep.archive.LocalStorage` and
:class:`~threadkeep.archive.s3.S3Storage`: ``create`` writes only what is absent, a missing
file raises :class:`FileNotFoundError`, listings are sorted and go past S3's 1,000-key pages,
removing is idempotent. Then what only a bucket has: ``s3://`` locations, errors a person can
act on (wrong credentials, a missing bucket, an endpoint that does not answer: one line from
the CLI, no traceback), and ``Archive("s3://…")``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.s3_server import S3Server, fixtures
from threadkeep.archive.storage import LocalStorage
from threadkeep.errors import ArchiveError

s3_server, s3_store = fixtures()


@pytest.fixture(params=["folder", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "folder":
        return LocalStorage(tmp_path / "store")
    from threadkeep.archive.s3 import S3Storage

    return S3Storage(request.getfixturevalue("s3_store"))


def _needs(storage: Any, *names: str) -> None:
    missing = [name for name in names if not hasattr(storage, name)]
    if missing:  # LocalStorage gains create/list_after with format 3 (issue 19, folder side)
        pytest.skip(f"{type(storage).__name__} has no {', '.join(missing)} yet")


def test_create_writes_only_what_is_absent(storage: Any) -> None:
    _needs(storage, "create")
    assert storage.create("inbox/t/one", b"first") is True
    assert storage.create("inbox/t/one", b"second") is False
    assert storage.read("inbox/t/one") == b"first"


def test_reading_a_missing_file_raises_file_not_found(storage: Any) -> None:
    with pytest.raises(FileNotFoundError):
        storage.read("raw/ab/nothing.gz")
    assert storage.exists("raw/ab/nothing.gz") is False
    storage.write_atomic("raw/ab/some.gz", b"x")
    assert storage.exists("raw/ab/some.gz") is True


def test_write_atomic_replaces_and_remove_is_idempotent(storage: Any) -> None:
    storage.write_atomic("gen-1/documents/a.json", b"one")
    storage.write_atomic("gen-1/documents/a.json", b"two")
    assert storage.read("gen-1/documents/a.json") == b"two"
    storage.remove("gen-1/documents/a.json")
    storage.remove("gen-1/documents/a.json")
    assert storage.exists("gen-1/documents/a.json") is False


def test_write_atomic_many_writes_every_file(storage: Any) -> None:
    items = [(f"gen-1/tweets/{n:02d}/{n}.json", f"tweet {n}".encode()) for n in range(40)]
    storage.write_atomic_many(items)
    for path, data in items:
        assert storage.read(path) == data


def test_list_is_sorted_recursive_and_pages_past_a_thousand(storage: Any) -> None:
    names = [f"journal/{n:010d}.jsonl" for n in range(1, 1206)]
    storage.write_atomic_many([(name, b"{}\n") for name in names])
    storage.write_atomic("journaled.txt", b"not in the folder")
    storage.write_atomic("journal/sub/deeper.json", b"{}")
    listed = list(storage.list("journal"))
    assert listed == sorted([*names, "journal/sub/deeper.json"])
    assert list(storage.list("nothing-here")) == []


def test_list_after_starts_after_a_key(storage: Any) -> None:
    _needs(storage, "list_after")
    names = [f"inbox/20260101T000000.{n:06d}Z/{n:064x}" for n in range(1100)]
    storage.write_atomic_many([(name, b"") for name in names])
    assert list(storage.list_after("inbox", names[1049])) == names[1050:]
    assert list(storage.list_after("inbox", None)) == names
    assert list(storage.list_after("inbox", names[-1])) == []


def test_open_streams_a_stored_file(storage: Any) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    storage.write_atomic("media/ab/abc", data)
    with storage.open("media/ab/abc") as stream:
        read = b"".join(iter(lambda: stream.read(65536), b""))
    assert read == data


# -- only a bucket ------------------------------------------------------------------------


def test_locations_and_open_storage() -> None:
    from threadkeep.archive.s3 import S3Storage, open_storage, split_location

    assert split_location("s3://tk/a/b/") == ("tk", "a/b")
    assert isinstance(open_storage("s3://tk/a"), S3Storage)
    assert isinstance(open_storage("some/folder"), LocalStorage)
    for bad in ("s3://", "s3:///x", "s3://tk/a/../b"):
        with pytest.raises(ArchiveError):
            split_location(bad)


def test_a_bucket_refuses_appends_a_format_2_store_needs(s3_store: str) -> None:
    from threadkeep.archive.s3 import S3Storage

    with pytest.raises(ArchiveError, match="threadkeep upgrade"):
        S3Storage(s3_store).append_line("captures.jsonl", b"{}\n")


def test_streamed_file_is_stored_under_its_name_once(s3_store: str) -> None:
    from threadkeep.archive.s3 import S3Storage

    storage = S3Storage(s3_store)
    assert storage.write_atomic_named("media", iter([b"ab", b"cd"]), lambda: "media/ab/x")
    assert not storage.write_atomic_named("media", iter([b"zz"]), lambda: "media/ab/x")
    assert storage.read("media/ab/x") == b"abcd"
    storage.write_atomic_chunks("media/cd/y", iter([b"12", b"34"]))
    assert storage.read("media/cd/y") == b"1234"


def test_a_store_that_ignores_conditional_writes_is_refused(
    s3_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadkeep.archive import s3

    storage = s3.S3Storage(s3_store)
    monkeypatch.setattr(s3, "_probed", set())
    monkeypatch.setattr(s3.S3Storage, "put_if", lambda self, path, data, etag: "accepted")
    with pytest.raises(ArchiveError, match="ignores conditional writes"):
        storage.write_atomic("threadkeep-store.json", b"{}")
    assert not storage.exists("threadkeep-store.json")


def test_archive_in_a_bucket_is_opened_by_its_location(s3_store: str) -> None:
    import threadkeep

    archive = threadkeep.Archive(s3_store)
    assert archive.location == s3_store
    assert type(archive.storage).__name__ == "S3Storage"
    assert archive.storage.exists("threadkeep-store.json")
    assert threadkeep.Archive(s3_store, create=False).generation == archive.generation


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _one_line_failure(answer: subprocess.CompletedProcess[str], *words: str) -> None:
    assert answer.returncode != 0
    assert "Traceback" not in answer.stderr
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1, answer.stderr
    for word in words:
        assert word in lines[0]


def test_missing_bucket_is_one_clear_line(s3_server: S3Server) -> None:
    answer = _cli(s3_server.env, "show", "1", "--store", "s3://tk-missing/x")
    _one_line_failure(answer, "no bucket", "tk-missing")
    from threadkeep.archive.s3 import S3Storage

    with pytest.raises(ArchiveError, match="no bucket"):
        S3Storage("s3://tk-missing/x").read("threadkeep-store.json")


def test_endpoint_down_is_one_clear_line(s3_server: S3Server) -> None:
    env = {**s3_server.env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    answer = _cli(env, "show", "1", "--store", "s3://tk-test/x")
    _one_line_failure(answer, "cannot reach", "127.0.0.1:9")


def test_wrong_credentials_are_one_clear_line() -> None:
    pytest.importorskip("moto")
    with S3Server(extra_env={"INITIAL_NO_AUTH_ACTION_COUNT": "0"}) as checking:
        env = {**checking.env, "AWS_ACCESS_KEY_ID": "wrong", "AWS_SECRET_ACCESS_KEY": "wrong"}
        for args in (("show", "1"), ("verify",)):
            answer = _cli(env, *args, "--store", "s3://tk-test/x")
            _one_line_failure(answer, "refused the credentials")


def test_cli_archives_shows_and_verifies_in_a_bucket(s3_server: S3Server, s3_store: str) -> None:
    page = "fixtures/threadreader/quinnypig_2020_full.html"
    archived = _cli(s3_server.env, "archive", page, "--store", s3_store)
    if "threadkeep upgrade" in archived.stderr:  # format 2 appends its log: format 3 does not
        pytest.skip("captures into a bucket need format 3 (the journal of packs)")
    assert archived.returncode == 0, archived.stderr
    shown = _cli(s3_server.env, "show", "1215710451343904768", "--store", s3_store)
    assert shown.returncode == 0, shown.stderr
    assert "QuinnyPig" in shown.stdout
    verified = _cli(s3_server.env, "verify", "--store", s3_store)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _copy_folder_into(folder: Path, location: str) -> int:
    """Copy every file of a store folder into a bucket, as an ordinary tool would."""
    from threadkeep.archive.s3 import S3Storage

    bucket = S3Storage(location)
    files = [path for path in folder.rglob("*") if path.is_file() and path.name != "lock"]
    bucket.write_atomic_many([(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files])
    return len(files)


def test_reading_commands_on_a_store_copied_into_a_bucket(
    s3_server: S3Server, s3_store: str, tmp_path: Path
) -> None:
    import threadkeep

    folder = tmp_path / "store"
    archive = threadkeep.Archive(folder)
    archive.add((ROOT / "fixtures/threadreader/quinnypig_2020_full.html").read_bytes())
    archive.add((ROOT / "examples/data/quinnypig_2020_later.html").read_bytes())
    assert _copy_folder_into(folder, s3_store) > 3
    env = s3_server.env
    shown = _cli(env, "show", "1215710451343904768", "--store", s3_store, "--format", "text")
    assert shown.returncode == 0, shown.stderr
    assert "1 removed" in shown.stdout
    assert "2 captures" in _cli(env, "history", "1215710451343904768", "--store", s3_store).stdout
    verified = _cli(env, "verify", "--store", s3_store)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok" in verified.stdout
    exported = _cli(env, "export", "--store", s3_store)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.count("\n") >= 102
    site = tmp_path / "site"
    built = _cli(env, "export", "--format", "html", "-o", str(site), "--store", s3_store)
    assert built.returncode == 0, built.stderr
    assert (site / "index.html").is_file()
    opened = threadkeep.Archive(s3_store, create=False)
    thread = opened.thread("1215710451343904768")
    assert thread is not None
    assert thread == archive.thread("1215710451343904768")


def test_import_threadkeep_does_not_import_obstore(tmp_path: Path) -> None:
    script = (
        "import sys, threadkeep\n"
        f"threadkeep.Archive({str(tmp_path / 'store')!r})\n"
        "from threadkeep.archive.s3 import S3Storage\n"
        "S3Storage('s3://tk-test/x')\n"
        "print('obstore' in sys.modules, 'boto3' in sys.modules)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert answer.stdout.split() == ["False", "False"]


def test_the_client_is_made_again_in_another_process(
    s3_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadkeep.archive.s3 import S3Storage

    storage = S3Storage(s3_store)
    first = storage._store()
    assert storage._store() is first
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a forked child
    assert storage._store() is not first
