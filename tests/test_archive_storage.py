"""The local storage's paths and batch writes (the capture's write path)."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from threadkeep.archive import LocalStorage
from threadkeep.archive import storage as storage_module
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.records import StoredDocument
from threadkeep.archive.storage import RefusedPath, write_atomic_many
from threadkeep.errors import ArchiveError, LockTimeout

ESCAPES = ["../x", "/etc/passwd", "a/../../x", "a/../b", "a//b", "a/./b", "a/", "", "a\0b"]


@pytest.mark.parametrize("path", ESCAPES)
def test_a_path_that_could_leave_the_store_is_refused(tmp_path: Path, path: str) -> None:
    storage = LocalStorage(tmp_path / "store")
    for call in (storage.read, storage.exists, storage.remove, lambda p: list(storage.list(p))):
        with pytest.raises(RefusedPath, match="path escapes the store"):
            call(path)
    with pytest.raises(RefusedPath):
        storage.write_atomic(path, b"no")
    assert not (tmp_path / "x").exists()


def test_a_link_out_of_the_store_is_refused_and_one_in_it_followed(tmp_path: Path) -> None:
    store, outside = tmp_path / "store", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text("{}")
    storage = LocalStorage(store)
    storage.write_atomic("gen-1/kept.json", b"kept")
    (store / "out").symlink_to(outside)
    (store / "gen-1" / "file.json").symlink_to(outside / "secret.json")
    (store / "in").symlink_to(store / "gen-1")
    for path in ("out/secret.json", "out/new.json", "gen-1/file.json"):
        with pytest.raises(RefusedPath, match=f"path escapes the store: {path}"):
            storage.read(path)
        with pytest.raises(RefusedPath):
            storage.write_atomic(path, b"no")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.json"]
    assert (outside / "secret.json").read_text() == "{}"
    assert storage.read("in/kept.json") == b"kept"  # a link that stays in the store is followed


def test_a_batch_writes_every_file_and_leaves_no_temporary_one(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.write_atomic("a/old.json", b"old")
    files = [(f"b/{n % 3}/{n}.json", b"%d" % n) for n in range(300)]  # over _OPEN_AT_ONCE
    storage.write_atomic_many([("a/old.json", b"new"), *files, ("a/old.json", b"last")])
    assert storage.read("a/old.json") == b"last"  # renamed in order: the last write wins
    assert all(storage.read(path) == data for path, data in files)
    assert list(storage.list("b")) == sorted(path for path, _ in files)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_a_failed_batch_leaves_every_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    storage.write_atomic("a/old.json", b"old")
    real_fsync, syncs = os.fsync, []

    def fsync(descriptor: int) -> None:
        syncs.append(descriptor)
        if len(syncs) == 7:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    items = [("a/old.json", b"new")] + [(f"b/{n}.json", b"x") for n in range(20)]
    with pytest.raises(ArchiveError, match=r"could not write .*: Input/output error"):
        storage.write_atomic_many(items)
    assert storage.read("a/old.json") == b"old"
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_a_batch_skips_a_temporary_name_already_taken_and_leaves_that_file_alone(
    tmp_path: Path,
) -> None:
    """A temporary file left by a killed process (or another's, being written) under the name
    the batch would use next is neither opened nor removed: the batch takes the next name."""
    storage = LocalStorage(tmp_path)
    storage.write_atomic_many([("a/one.json", b"1"), ("a/two.json", b"2")])
    token, count = storage_module._TEMPORARY_TOKEN[0], next(storage_module._TEMPORARY_COUNT)
    taken = [tmp_path / "a" / f".three.json.{token}{count + n:x}.tmp" for n in (1, 2)]
    for path in taken:
        path.write_bytes(b"another writer's")
    storage.write_atomic_many([("a/three.json", b"3"), ("b/four.json", b"4")])
    assert storage.read("a/three.json") == b"3" and storage.read("b/four.json") == b"4"
    assert all(path.read_bytes() == b"another writer's" for path in taken)
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix == ".tmp") == sorted(
        p.name for p in taken
    )
    assert (tmp_path / "a" / "three.json").stat().st_mode & 0o777 == 0o644


def test_a_short_write_is_continued_until_the_file_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.write`` may write less than it is given (a signal, a pipe-like file system): the
    rest is written, not dropped."""
    storage = LocalStorage(tmp_path)
    real_write, sizes = os.write, []

    def short_write(descriptor: int, data: bytes) -> int:
        sizes.append(len(data))
        return real_write(descriptor, bytes(data)[:1000])

    monkeypatch.setattr(os, "write", short_write)
    big = bytes(range(256)) * 40  # 10,240 bytes: eleven writes
    storage.write_atomic_many([("a/big.json", big), ("a/small.json", b"s")])
    monkeypatch.undo()
    assert storage.read("a/big.json") == big and storage.read("a/small.json") == b"s"
    assert sizes[:11] == [10240 - 1000 * n for n in range(11)]


def test_a_write_that_writes_nothing_fails_the_batch_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    storage.write_atomic("a/old.json", b"old")
    monkeypatch.setattr(os, "write", lambda descriptor, data: 0)
    with pytest.raises(ArchiveError, match=r"could not write .*a/old\.json.*wrote none"):
        storage.write_atomic_many([("a/old.json", b"new"), ("a/other.json", b"x")])
    monkeypatch.undo()
    assert storage.read("a/old.json") == b"old"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["old.json"]


def test_a_forked_child_names_its_temporary_files_apart_from_its_parent(tmp_path: Path) -> None:
    """The counter is copied into a child by ``fork``: without a token of its own, parent and
    child would try the same names one after the other."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and leaves
        os.write(write, storage_module._TEMPORARY_TOKEN[0].encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        token = stream.read().decode()
    os.waitpid(child, 0)
    assert len(token) == 8 and token != storage_module._TEMPORARY_TOKEN[0]


def test_where_the_system_has_no_flock_the_lock_is_filelocks_and_still_excludes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback lock (``filelock``, loaded only there) keeps a second holder out until
    the first lets go, and names the lock file when it gives up."""
    monkeypatch.setattr(storage_module, "_flock", lambda descriptor, timeout, where: False)
    first, second = LocalStorage(tmp_path), LocalStorage(tmp_path)
    with first.lock(timeout=1.0):
        with (
            pytest.raises(LockTimeout, match="held the store lock") as caught,
            second.lock(timeout=0.2),
        ):
            pass  # pragma: no cover - the lock is held
        assert caught.value.path == str(tmp_path / "lock")
    with second.lock(timeout=1.0):
        second.write_atomic("a.json", b"1")
    assert first.read("a.json") == b"1"


def test_a_storage_without_a_batch_write_is_written_one_file_after_another() -> None:
    class Plain:
        def __init__(self) -> None:
            self.written: list[str] = []

        def write_atomic(self, path: str, data: bytes) -> None:
            self.written.append(path)

    plain = Plain()
    write_atomic_many(plain, [("a", b"1"), ("b", b"2")])  # type: ignore[arg-type]
    assert plain.written == ["a", "b"]


class Recording(LocalStorage):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.batches: list[list[str]] = []

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        self.batches.append([path for path, _ in items])
        super().write_atomic_many(items)


def test_a_batch_of_records_is_held_back_then_written_documents_last(tmp_path: Path) -> None:
    storage = Recording(tmp_path)
    files = StoreFiles(storage, location=str(tmp_path), lock_timeout=1)
    record = StoredDocument.model_validate({"key": "thread-1", "kind": "thread", "tweets": ["1"]})
    with files.batch():
        files.save_document(record, 1)
        assert files.keep_raw("ab" * 32, b"body")
        assert files.document("thread-1", 1) == record  # read back from what is held
        assert not list(tmp_path.rglob("*.json")) and storage.batches == []
    assert storage.batches == [[f"raw/ab/{'ab' * 32}.gz"], ["gen-1/documents/thread-1.json"]]
    assert files.document("thread-1", 1) == record

    def failing() -> None:
        with files.batch():
            files.save_document(record.model_copy(update={"tweets": ["1", "2"]}), 1)
            raise KeyError("the capture fails: nothing it wrote is written")

    with pytest.raises(KeyError):
        failing()
    found = files.document("thread-1", 1)
    assert found is not None and found.tweets == record.tweets


def test_a_listing_is_in_path_order_and_names_only_stored_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    for path in ("j/a-b/1.json", "j/a/b/2.json", "j/a/10.json", "j/a/9.json", "j/b.json"):
        storage.write_atomic(path, b"x")
    store = tmp_path / "store"
    (store / "j" / "a" / ".9.json.x1y2.tmp").write_bytes(b"half")  # a write not finished
    (store / "j" / "link-to-folder").symlink_to(store / "j" / "a")
    (store / "j" / "link-to-file.json").symlink_to(store / "j" / "b.json")
    (store / "j" / "empty").mkdir()
    # Sorted by parts, as paths sort ("a" before "a-b"), not as strings ("a-b/" before "a/");
    # a link to a file listed, one to a folder not followed (its files are listed once).
    assert list(storage.list("j")) == [
        "j/a/10.json",
        "j/a/9.json",
        "j/a/b/2.json",
        "j/a-b/1.json",
        "j/b.json",
        "j/link-to-file.json",
    ]
    assert list(storage.list("j/a/b")) == ["j/a/b/2.json"]
    assert list(storage.list("j/empty")) == [] and list(storage.list("nothing")) == []


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named temporary"])
def test_create_writes_once_readable_by_all_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unnamed: bool
) -> None:
    """``create``, whether it writes a file with no name and links it (Linux ``O_TMPFILE``)
    or a named temporary file: True when it made the file, False (the first kept) after."""
    from threadkeep.archive import storage as storage_module

    if unnamed and not storage_module._UNNAMED:
        pytest.skip("this system has no O_TMPFILE or no /proc/self/fd")  # not Linux
    monkeypatch.setattr(storage_module, "_UNNAMED", unnamed)
    storage = LocalStorage(tmp_path / "store")
    old = os.umask(0o077)  # a strict umask: a stored file is still for all to read
    try:
        assert storage.create("journal/0000000001.jsonl", b"first\n") is True
        assert storage.create("journal/0000000001.jsonl", b"second\n") is False
    finally:
        os.umask(old)
    assert storage.read("journal/0000000001.jsonl") == b"first\n"
    mode = (tmp_path / "store" / "journal" / "0000000001.jsonl").stat().st_mode
    assert mode & 0o777 == 0o644
    assert [p.name for p in (tmp_path / "store" / "journal").iterdir()] == ["0000000001.jsonl"]
