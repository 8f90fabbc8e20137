"""Issue 15 target 3 under format 3: an unchanged re-capture's merge does no work over the
whole log that it can do per key, and finds what the whole-log searches found.

``merger.pending`` checks a small inbox against the log one key at a time
(:func:`merger.logged_key`, one byte search each) instead of building the set of every key
the log names (:func:`merger.logged_keys`, a regex over the whole log); the lines that made
content from a raw body are found by one regex over the log (``log.making_lines``), and
match what a lazy regex reading each such line to its end found, and what ``naming`` finds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from threadkeep.archive import Archive, merger
from threadkeep.archive.log import MAKING, making_lines, naming

PAGE = (FIXTURES / "threadreader" / "quinnypig_2020_full.html").read_bytes()
URL = "https://threadreaderapp.com/thread/1215710451343904768.html"
SHA = "ab" * 32
KEY = "20260101T000000.000001Z/" + "cd" * 32


def test_an_unchanged_recapture_reads_no_key_set_of_the_whole_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive(tmp_path / "store")
    assert archive.add(PAGE, url=URL).outcome == "new"

    def whole_log(data: bytes) -> set[str]:
        raise AssertionError("a merge of one capture built the set of every logged key")

    monkeypatch.setattr(merger, "logged_keys", whole_log)
    assert archive.add(PAGE, url=URL).outcome == "unchanged"
    assert archive.verify().ok


def _log(*lines: str) -> bytes:
    return "".join(line + "\n" for line in lines).encode()


def _entry(outcome: str, *, url: str = URL, capture: str | None = KEY, error: str = "") -> str:
    capture_field = "null" if capture is None else f'"{capture}"'
    error_field = "null" if not error else f'"{error}"'
    return (
        f'{{"time":"2026-01-01T00:00:00.000001Z","url":"{url}","sha256":"{SHA}",'
        f'"status":null,"parser_version":"0.1.0","outcome":"{outcome}",'
        f'"document":null,"kind":null,"snapshot":null,"error":{error_field},'
        f'"digest":null,"recovered":null,"capture":{capture_field}}}'
    )


LOGS = [
    b"",
    _log(_entry("unchanged")),
    _log(_entry("new")),
    _log(_entry("unchanged", url='https://x/\\"capture\\":\\"' + KEY + '\\"')),
    _log(_entry("unchanged", capture=None, url='https://x/\\"outcome\\":\\"new\\"')),
    _log(_entry("failed", error='\\"outcome\\":\\"changed\\"', capture=None), _entry("changed")),
    _log(_entry("unchanged"), _entry("new", capture=None))[:-1],  # no final newline
    _log(_entry("unchanged"), _entry("new"))[:-40],  # torn last line
]


@pytest.mark.parametrize("data", LOGS)
@pytest.mark.parametrize("key", [KEY, KEY.replace("cd", "ef"), "not a key", KEY + "x"])
def test_logged_key_says_what_the_set_of_logged_keys_says(data: bytes, key: str) -> None:
    assert merger.logged_key(data, key) == (key in merger.logged_keys(data))


def _naming_by_regex(data: bytes, value: str, outcomes: frozenset[str]) -> list[int]:
    """The offsets the lazy regex found before (the reference)."""
    needle = b'"sha256":"' + value.encode() + b'"'
    pattern = re.compile(
        re.escape(needle)
        + rb'[^\n]*?"outcome":"(?:%s)"'
        % b"|".join(re.escape(outcome.encode()) for outcome in sorted(outcomes))
    )
    found = []
    for match in pattern.finditer(data):
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        if end >= 0 or data[start:].rstrip().endswith(b"}"):
            found.append(start)
    return found


@pytest.mark.parametrize("data", LOGS)
def test_making_lines_finds_the_lines_the_lazy_regex_found(data: bytes) -> None:
    found = [at for at, _ in making_lines(data, SHA, "0.1.0", 0, len(data))]
    assert found == _naming_by_regex(data, SHA, MAKING)


MAKING_LOGS = [
    *LOGS,
    _log(_entry("new").replace('"status":null', '"status":200'), _entry("changed")),
    _log(_entry("new").replace('"status":null', '"status":-1'), _entry("unchanged")),
    _log(_entry("changed").replace('"parser_version":"0.1.0"', '"parser_version":"0.0.9"')),
    _log(_entry("new").replace('"0.1.0"', '"0.1.0+local\\"x"')),  # an escaped quote in one
    _log(_entry("new", url=f'https://x/\\"sha256\\":\\"{SHA}\\",\\"status\\":null'), _entry("new")),
    _log(_entry("new"), "{not json " + _entry("changed")[1:], _entry("changed")),  # damaged
]


@pytest.mark.parametrize("data", MAKING_LOGS)
@pytest.mark.parametrize("version", ["0.1.0", "0.0.9", '0.1.0+local"x'])
def test_making_lines_finds_what_naming_finds_of_one_version(data: bytes, version: str) -> None:
    """``log.making_lines`` (one regex over the range, in C) finds the lines of one parser
    version that ``naming`` with the making outcomes finds, whatever the status."""
    wanted = [
        at
        for at, entry in naming(data, "sha256", SHA, strict=False)
        if entry.outcome in MAKING and entry.parser_version == version
    ]
    assert [at for at, _ in making_lines(data, SHA, version, 0, len(data))] == wanted
    # and from a line's start, up to another's
    starts = [0, *(n + 1 for n, byte in enumerate(data) if byte == ord("\n"))]
    for start in starts:
        for stop in starts:
            found = [at for at, _ in making_lines(data, SHA, version, start, stop)]
            assert found == [at for at in wanted if start <= at < stop]
