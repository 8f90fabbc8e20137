"""What ``verify`` sees: derived records that are whole but wrong, checked against the log.

Each damage here leaves every file readable and every hash right (issue 14 found each one
passing ``verify`` with ``--repair`` saying "nothing to repair"): a tweet record's text edited,
a document's tweet list cut short, a record deleted, a snapshot's provenance rewritten. (A kill
during an unchanged capture left a capture count one above the log in format 1; in format 2
such a capture writes nothing before its log line.) ``verify`` replays
the log through the merge code and compares; ``--repair`` rebuilds from the log and the raw
captures, and afterwards ``export`` and ``show`` say what the undamaged store says.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, ROOT, fixture_bytes
from threadkeep.archive import Archive
from threadkeep.archive.apply import apply, parse
from threadkeep.archive.views import archived_tweet
from threadkeep.cli import cli

THREAD = "1215710451343904768"
FIFTH = "1215711185045090305"
URL = f"https://threadreaderapp.com/thread/{THREAD}.html"
DOCUMENT = f"thread-{THREAD}"
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def full_page() -> bytes:
    return fixture_bytes("threadreader/quinnypig_2020_full.html")


def later_page() -> bytes:
    return (ROOT / "examples" / "data" / "quinnypig_2020_later.html").read_bytes()


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One thread captured three times (new, changed, unchanged) and one other source."""
    store = tmp_path_factory.mktemp("sound")
    archive = Archive(store)
    archive.add(full_page(), url=URL, captured_at=T0)
    archive.add(later_page(), url=URL, captured_at=T0 + timedelta(days=1))
    archive.add(later_page(), url=URL, captured_at=T0 + timedelta(days=2))
    quoted = FIXTURES / "constructed" / "tra_2020_quoted_media.html"
    archive.add(quoted.read_bytes(), url="file://" + str(quoted), captured_at=T0)
    return store


@pytest.fixture
def store(sound: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(sound, copy)
    return copy


def exported(store: Path) -> list[str]:
    """What ``export`` prints, in a stable order."""
    archive = Archive(store)
    return sorted(archived_tweet(record).model_dump_json() for record in archive.records())


def shown(store: Path) -> Any:
    merged = Archive(store).thread(THREAD)
    return merged.model_dump() if merged is not None else None


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


def tweet_record(store: Path, key: str = FIFTH) -> Path:
    return next(store.glob(f"gen-1/tweets/*/{key}.json"))


def document_record(store: Path) -> Path:
    return store / "gen-1" / "documents" / f"{DOCUMENT}.json"


def first_snapshot(store: Path) -> Path:
    return sorted(store.glob(f"gen-1/snapshots/{DOCUMENT}/*.json"))[0]


def edit_text(store: Path) -> Path:
    path = tweet_record(store)
    edit_json(path, lambda d: d["latest"].update(text="Words never written"))
    return path


def cut_tweet_list(store: Path) -> Path:
    path = document_record(store)
    edit_json(path, lambda d: d.update(tweets=d["tweets"][:10]))
    return path


def delete_document(store: Path) -> Path:
    path = document_record(store)
    path.unlink()
    return path


def delete_tweet(store: Path) -> Path:
    path = tweet_record(store)
    path.unlink()
    return path


def rewrite_source_url(store: Path) -> Path:
    path = first_snapshot(store)
    edit_json(path, lambda d: d["source"].update(url="https://example.org/forged"))
    return path


def rewrite_source_sha(store: Path) -> Path:
    path = first_snapshot(store)
    edit_json(path, lambda d: d["source"].update(sha256="0" * 64))
    return path


DAMAGES = {
    "tweet-text-edited": edit_text,
    "tweet-list-cut-to-10": cut_tweet_list,
    "document-deleted": delete_document,
    "tweet-deleted": delete_tweet,
    "snapshot-url-rewritten": rewrite_source_url,
    "snapshot-sha-rewritten": rewrite_source_sha,
}


@pytest.mark.parametrize("name", DAMAGES)
def test_verify_sees_each_damage_and_repair_loses_nothing(
    sound: Path, store: Path, name: str
) -> None:
    damaged = DAMAGES[name](store).relative_to(store).as_posix()
    report = Archive(store).verify()
    assert not report.ok, name
    (problem,) = [p for p in report.problems if p.path == damaged]
    assert problem.captures  # the captures involved, as the log names them
    assert "\n" not in problem.problem

    repaired = Archive(store).repair()
    assert repaired.ok and repaired.generation == 2, repaired.unrepaired
    assert damaged in {p.path for p in repaired.repaired}
    assert Archive(store).verify().ok
    assert exported(store) == exported(sound)
    assert shown(store) == shown(sound)


def test_the_problem_names_the_document_tweet_and_difference(store: Path) -> None:
    cut_tweet_list(store)
    edit_text(store)
    problems = {p.path: p for p in Archive(store).verify().problems}
    document = problems[document_record(store).relative_to(store).as_posix()]
    assert DOCUMENT in document.problem and "tweets: 10 instead of 102" in document.problem
    assert any(URL in capture for capture in document.captures)
    tweet = problems[tweet_record(store).relative_to(store).as_posix()]
    assert FIFTH in tweet.problem and "latest" in tweet.problem


def cut_short_unchanged(store: Path, at: datetime) -> None:
    """The state a kill just before the log line of an unchanged capture leaves."""
    archive = Archive(store)
    result = parse(later_page(), url=URL, source=URL)
    sha = next(archive.captures()).sha256
    assert sha is not None
    apply(archive.files, result, sha=sha, at=at, generation=archive.generation)


def files_of(store: Path) -> dict[str, bytes]:
    return {
        p.relative_to(store).as_posix(): p.read_bytes()
        for p in store.rglob("*")
        if p.is_file() and p.name != "lock"
    }


def test_an_unchanged_capture_cut_short_leaves_nothing_ahead(sound: Path, store: Path) -> None:
    # Format 1 counted captures in the document record, which an unchanged capture cut short
    # had already rewritten (one count above the log). Format 2 derives the count from the
    # log: such a capture writes nothing before its log line.
    before = files_of(store)
    cut_short_unchanged(store, T0 + timedelta(days=3))
    assert files_of(store) == before
    report = Archive(store).verify()
    assert report.ok and not report.ahead
    assert Archive(store).document(DOCUMENT).captures == 3  # type: ignore[union-attr]
    assert exported(store) == exported(sound) and shown(store) == shown(sound)


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timezone
    from threadkeep.archive import Archive
    from threadkeep.archive.log import CaptureLog

    # A real SIGKILL at the instant before the log line.
    CaptureLog.append = lambda self, entry: os.kill(os.getpid(), signal.SIGKILL)
    CaptureLog.commit = lambda self: os.kill(os.getpid(), signal.SIGKILL)  # format 3's pack
    CaptureLog.append_pack = lambda self, entry: os.kill(os.getpid(), signal.SIGKILL)  # at once
    page = open(sys.argv[2], "rb").read()
    Archive(sys.argv[1]).add(page, url=sys.argv[3], captured_at=datetime(2024, 2, 1, tzinfo=timezone.utc))
    """
)


def killed_adding_later(script: str, store: Path, tmp_path: Path) -> dict[str, bytes]:
    """Run ``script`` in a child adding the later page (stored already) to ``store``; it must
    die by SIGKILL. The store's files before it ran."""
    page = tmp_path / "later.html"
    page.write_bytes(later_page())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = files_of(store)
    child = subprocess.run(
        [sys.executable, "-c", script, str(store), str(page), URL],
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL
    return before


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_sigkill_during_an_unchanged_capture_leaves_the_store_as_it_was(
    sound: Path, store: Path, tmp_path: Path
) -> None:
    before = killed_adding_later(KILLED_WRITER, store, tmp_path)
    # its bytes were stored and the lock was free: its line (one pack) was all it would have
    # written, so killed before it, it wrote nothing (the call never returned: not recorded)
    assert files_of(store) == before
    assert Archive(store).document(DOCUMENT).captures == 3  # type: ignore[union-attr]
    report = Archive(store).verify()
    assert report.ok and not report.ahead and not report.orphans and not report.pending
    assert exported(store) == exported(sound) and shown(store) == shown(sound)


BUSY_KILLED_WRITER = KILLED_WRITER.replace(
    "page = open(",
    # Another holder has the lock for half a second (a descriptor of its own: flock tells
    # them apart even in one process): the capture cannot be logged at once.
    "import fcntl, threading\n"
    "held = os.open(os.path.join(sys.argv[1], 'lock'), os.O_RDWR | os.O_CREAT)\n"
    "fcntl.flock(held, fcntl.LOCK_EX)\n"
    "threading.Timer(0.5, os.close, [held]).start()\n"
    "page = open(",
)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_sigkill_during_an_unchanged_capture_that_waited_leaves_it_pending(
    sound: Path, store: Path, tmp_path: Path
) -> None:
    before = killed_adding_later(BUSY_KILLED_WRITER, store, tmp_path)
    # the lock was held: it wrote its capture (durable, pending), then was killed in its merge
    after = files_of(store)
    written = {path for path in after if before.get(path) != after[path]}
    assert {path.split("/")[0] for path in written} == {"captures", "inbox"}
    assert {path for path in before if path not in after} == set()
    assert Archive(store).document(DOCUMENT).captures == 3  # type: ignore[union-attr]
    report = Archive(store).verify()
    assert report.ok and not report.ahead and not report.orphans and len(report.pending) == 1
    assert exported(store) == exported(sound) and shown(store) == shown(sound)


def test_verify_command_names_path_document_and_captures(store: Path) -> None:
    cut_tweet_list(store)
    run = CliRunner().invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 1
    (line,) = [x for x in run.stderr.splitlines() if x.startswith("DAMAGED")]
    assert line.startswith(f"DAMAGED gen-1/documents/{DOCUMENT}.json: document {DOCUMENT}")
    assert "(captures: 2024-01-01T12:00:00+00:00 " + URL in line
    run = CliRunner().invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 0 and f"REPAIRED gen-1/documents/{DOCUMENT}.json" in run.stdout


# -- no false alarm: sound stores of every kind, reparsed or repaired, still verify ---------


def rich_store(folder: Path) -> Archive:
    """Every outcome and kind: new, changed, unchanged (same and other bytes), empty,
    failed, a listing, an article with embeds, an oEmbed answer."""
    archive = Archive(folder)
    sources = [
        "threadreader/quinnypig_2020_full.html",
        "constructed/tra_2020_quoted_media.html",
        "constructed/tra_numbering_gap.html",
        "embeds/basicthinking_de_2018_erfolgreiche-tweets.html",
        "answers/oembed_452481183213813760.input.json",
        "text/seed000_article_no_embeds.txt",
    ]
    for n, name in enumerate(sources):
        archive.add(fixture_bytes(name), url=f"file:///{name}", captured_at=T0 + timedelta(n))
    listing = next((FIXTURES / "listing").glob("*.html"))
    archive.add(listing.read_bytes(), captured_at=T0)
    archive.add(later_page(), url=URL, captured_at=T0 + timedelta(days=10))
    archive.add(later_page() + b"<!-- ad -->", url=URL, captured_at=T0 + timedelta(days=11))
    archive.add(later_page(), url=URL, captured_at=T0 + timedelta(days=12))
    with pytest.raises(Exception):  # noqa: B017, PT011 (any parse error: it is logged)
        archive.add(b"\x00 not a page", url="https://example.org/x", captured_at=T0)
    return archive


def test_sound_stores_verify_after_add_reparse_and_repair(tmp_path: Path) -> None:
    archive = rich_store(tmp_path / "rich")
    outcomes = {e.outcome for e in archive.captures()}
    assert outcomes == {"new", "changed", "unchanged", "empty", "failed"}
    report = archive.verify()
    assert report.ok and report.ahead == (), report.problems
    archive.reparse()
    report = archive.verify()
    assert report.ok and report.ahead == (), report.problems
    first = sorted((tmp_path / "rich" / "gen-2" / "snapshots").rglob("*.json"))[0]
    first.write_text("{ not json")  # damage one snapshot; repair rebuilds from raw
    assert archive.repair().ok
    report = archive.verify()
    assert report.ok and report.ahead == (), report.problems


def test_captures_on_top_of_one_cut_short_are_ahead_not_damage(tmp_path: Path) -> None:
    # Bytes the log already has, captured again and cut short, then more captures on top:
    # the document record and the tweet record it changed name a capture the log lacks.
    first, later = full_page(), later_page()
    times = [T0 + timedelta(days=n) for n in range(5)]
    reference, store = tmp_path / "reference", tmp_path / "store"
    for folder in (reference, store):
        archive = Archive(folder)
        archive.add(first, url=URL, captured_at=times[0])
        archive.add(later, url=URL, captured_at=times[1])
        if folder == store:  # the kill: every derived file written, the log line not
            sha = next(archive.captures()).sha256
            assert sha is not None
            result = parse(first, url=URL, source=URL)
            apply(archive.files, result, sha=sha, at=times[2], generation=1)
        archive.add(later, url=URL, captured_at=times[3])
        archive.add(first, url=URL, captured_at=times[4])
    report = Archive(store).verify()
    assert report.ok, report.problems
    paths = {note.path for note in report.ahead}
    assert document_record(store).relative_to(store).as_posix() in paths
    assert any(
        "names 1 capture the log does not have" in n.problem
        and n.problem.endswith("a capture cut short")
        for n in report.ahead
    )
    assert Archive(store).repair().ok
    assert Archive(store).verify() == Archive(reference).verify()
    assert exported(store) == exported(reference) and shown(store) == shown(reference)


def test_a_store_made_by_0_1_0_verifies(tmp_path: Path) -> None:
    # Made by threadkeep 0.1.0 (before the outcome `empty`), which made a document of an
    # article with no tweets: today's merge makes none, and that is no damage.
    store = tmp_path / "store"
    shutil.copytree(FIXTURES / "stores" / "0.1.0", store)
    run = CliRunner().invoke(cli, ["verify", "--store", str(store)])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(cli, ["verify", "--repair", "--store", str(store)])
    assert run.exit_code == 0 and "REPAIRED" not in run.output, run.output
    # --repair writes, so it upgrades the store (to format 3) first: a rebuild from the raw
    # captures and the log, in which the article with no tweets makes no document (as a
    # reparse drops it); the format 1 generation keeps it.
    assert Archive(store).document("article-bd03984b9b5e07cf22275aef") is None
    assert (store / "gen-1" / "documents" / "article-bd03984b9b5e07cf22275aef.json").is_file()
    assert Archive(store).verify().format == 3
