"""A damaged store says which file is damaged, from the library and from the command line.

Every file the archive reads back (the store file, the capture log, raw bodies, snapshots,
document and tweet records) is damaged here in a real store, the ways a disk or a careless
hand damages files: not JSON, the wrong schema, bad or truncated gzip, missing. Each read
raises :class:`CorruptStore` with the file's path, never a pydantic or zlib traceback; the
``threadkeep`` command prints one ``threadkeep: …`` line and exits 1.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import threadkeep
from tests.conftest import ROOT, fixture_bytes, read_log, rewrite_log
from threadkeep.archive import Archive

THREAD = "1215710451343904768"
FIFTH = "1215711185045090305"
URL = f"https://threadreaderapp.com/thread/{THREAD}.html"
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with two captures of one thread (two snapshots: the fifth tweet went)."""
    store = tmp_path_factory.mktemp("sound")
    archive = Archive(store)
    archive.add(fixture_bytes("threadreader/quinnypig_2020_full.html"), url=URL, captured_at=T0)
    later = (ROOT / "examples" / "data" / "quinnypig_2020_later.html").read_bytes()
    archive.add(later, url=URL, captured_at=T0 + timedelta(days=1))
    return store


@pytest.fixture
def store(sound: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(sound, copy)
    return copy


def snapshot(store: Path, number: int = 2) -> Path:
    return sorted(store.glob("gen-1/snapshots/*/*.json"))[number - 1]


def relative(store: Path, path: Path) -> str:
    return path.relative_to(store).as_posix()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "threadkeep", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


# -- history on a damaged snapshot (issue 12: it printed a pydantic traceback) -----------


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_text("{ not json"), id="not-json"),
        pytest.param(lambda p: p.write_text('{"kind": "thread", "tweets": 1}'), id="wrong-schema"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:300]), id="truncated"),
        pytest.param(lambda p: p.unlink(), id="missing"),
    ],
)
def test_history_names_a_damaged_snapshot(store: Path, damage: Callable[[Path], None]) -> None:
    damaged = snapshot(store)
    damage(damaged)
    with pytest.raises(threadkeep.CorruptStore) as caught:
        Archive(store).history(THREAD)
    assert caught.value.path == relative(store, damaged)
    assert relative(store, damaged) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "`threadkeep verify --repair` rebuilds it" in str(caught.value)


def test_history_command_on_a_damaged_snapshot_prints_one_line(store: Path) -> None:
    damaged = snapshot(store)
    damaged.write_text('{"kind": "thread", "tweets": "not a list"}')
    run = run_cli("history", THREAD, "--store", str(store))
    assert run.returncode == 1
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("threadkeep: ")
    assert f"{relative(store, damaged)}: snapshot is not valid JSON of a result" in line


def test_history_command_after_repair_works_again(store: Path) -> None:
    snapshot(store).write_text("{ not json")
    assert run_cli("verify", "--repair", "--store", str(store)).returncode == 0
    run = run_cli("history", THREAD, "--store", str(store))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"thread-{THREAD}: 2 captures, 2 snapshots")


# -- every other file the archive reads back ---------------------------------------------


def test_damaged_tweet_record_is_named(store: Path) -> None:
    record = next(store.glob(f"gen-1/tweets/*/{FIFTH}.json"))
    record.write_text('{"key": "x"}')
    with pytest.raises(threadkeep.CorruptStore, match="damaged record") as caught:
        Archive(store).tweet(FIFTH)
    assert caught.value.path == relative(store, record)
    with pytest.raises(threadkeep.CorruptStore, match=relative(store, record)):
        Archive(store).thread(THREAD)
    with pytest.raises(threadkeep.CorruptStore, match=relative(store, record)):
        list(Archive(store).records())


def test_damaged_document_record_is_named(store: Path) -> None:
    document = store / "gen-1" / "documents" / f"thread-{THREAD}.json"
    document.write_bytes(b"\xff\xfe not even text")
    with pytest.raises(threadkeep.CorruptStore) as caught:
        Archive(store).find(THREAD)
    assert caught.value.path == relative(store, document)
    run = run_cli("show", THREAD, "--store", str(store))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert relative(store, document) in run.stderr


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: p.write_bytes(b"not gzip at all"), "unreadable raw capture"),
        (lambda p: p.write_bytes(p.read_bytes()[:-20]), "unreadable raw capture"),
        (lambda p: p.write_bytes(gzip.compress(b"other")), "raw capture does not match its hash"),
    ],
    ids=["bad-gzip", "truncated-gzip", "other-content"],
)
def test_damaged_raw_body_is_named(
    store: Path, damage: Callable[[Path], None], problem: str
) -> None:
    entry = next(Archive(store).captures())
    assert entry.sha256 is not None
    raw = next(store.glob(f"raw/*/{entry.sha256}.gz"))
    damage(raw)
    with pytest.raises(threadkeep.CorruptStore, match=problem) as caught:
        Archive(store).raw(entry.sha256)
    assert caught.value.path == relative(store, raw)
    with pytest.raises(threadkeep.CorruptStore, match=relative(store, raw)):
        Archive(store).reparse()  # replays nothing from a body it cannot trust
    run = run_cli("reparse", "--store", str(store))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"threadkeep: {store}: {relative(store, raw)}: {problem}")


def test_missing_raw_body_is_file_not_found(store: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Archive(store).raw("ab" * 32)


def test_damaged_log_line_is_named(store: Path) -> None:
    first, second = read_log(store).decode().splitlines()
    rewrite_log(store, f"{first}\n{{damaged\n{second}\n".encode())
    with pytest.raises(threadkeep.CorruptStore, match=r"captures\.jsonl line 2 is damaged"):
        list(Archive(store).captures())
    with pytest.raises(threadkeep.CorruptStore, match=r"captures\.jsonl line 2"):
        Archive(store).history(THREAD)


def test_damaged_store_file_is_named(store: Path) -> None:
    (store / "threadkeep-store.json").write_text('{"format": "one"}')
    with pytest.raises(threadkeep.CorruptStore, match=r"threadkeep-store\.json is unreadable"):
        Archive(store)
    run = run_cli("history", THREAD, "--store", str(store))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith("threadkeep: ") and len(run.stderr.splitlines()) == 1
