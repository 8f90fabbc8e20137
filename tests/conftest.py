"""Shared test helpers: fixture discovery and the ``--update-golden`` switch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from datetime import datetime

    from pytest_httpserver import HTTPServer

    from threadkeep.archive.media import MediaEntry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# Folders of fixture pairs (<case>.<ext> beside <case>.json, the golden parse).
GOLDEN_FOLDERS = (
    "threadreader",
    "listing",
    "text",
    "constructed",
    "articles",
    "embeds",
    "answers",
    "nitter",
    "status",
    # Issue 13: real copies from the unseen check, one folder per class, each with SOURCES.md.
    "text_articles",
    "text_threadreader",
    "substack",
    "id_embeds",
    "negatives",
)
INPUT_SUFFIXES = (".html", ".htm", ".txt", ".md", ".input.json")
NOT_INPUTS = ("README.md", "SOURCES.md")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/*/<case>.json from today's parse (review the diff, then commit)",
    )
    parser.addoption(
        "--slow", action="store_true", help="also run the exhaustive tests marked slow"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def golden_cases() -> list[Path]:
    """Every fixture input that has (or should have) a golden JSON beside it."""
    cases: list[Path] = []
    for folder in GOLDEN_FOLDERS:
        directory = FIXTURES / folder
        if directory.is_dir():
            cases.extend(
                sorted(
                    p
                    for p in directory.iterdir()
                    if p.name.lower().endswith(INPUT_SUFFIXES) and p.name not in NOT_INPUTS
                )
            )
    return cases


def golden_path(page: Path) -> Path:
    """``case.html`` → ``case.json``; ``case.input.json`` → ``case.json``."""
    return page.with_name(page.name.removesuffix(".input.json").rsplit(".", 1)[0] + ".json")


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: exhaustive and slower (about a minute); run with `pytest --slow`"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="exhaustive; run with `pytest --slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def _werkzeug() -> Iterator[HTTPServer]:
    """One loopback HTTP server per test module (the fetch tests' ``server``)."""
    from tests.test_fetch import Loopback  # here: conftest loads before any test module

    server = Loopback()
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(_werkzeug: HTTPServer) -> Iterator[HTTPServer]:
    """The module's loopback server, with no expectation left from the test before."""
    _werkzeug.clear()
    yield _werkzeug
    _werkzeug.clear()


def read_log(store: Path) -> bytes:
    """The capture log of the store in folder ``store`` as readers read it (format 3: the
    frozen ``captures.jsonl``, if any, then the packs of ``journal/``)."""
    from threadkeep.archive import LocalStorage
    from threadkeep.archive.log import CaptureLog

    return CaptureLog(LocalStorage(store)).read()


def rewrite_log(store: Path, data: bytes) -> None:
    """Make ``data`` the store's whole log, as a test that damages it or plays an older
    threadkeep does: one ``captures.jsonl`` (the frozen log of a format 3 store, or the log
    of an older one), the packs of ``journal/`` removed."""
    import shutil

    shutil.rmtree(store / "journal", ignore_errors=True)
    (store / "captures.jsonl").write_bytes(data)


def stored_photo(
    data: bytes, url: str, tweet: str, time: datetime, origin: str | None = None
) -> tuple[bytes, MediaEntry]:
    """``(data, entry)`` for ``Archive.store_media``: ``data`` kept as the photo at ``url`` of
    ``tweet``, fetched from ``origin`` (the url itself by default) at ``time``."""
    import hashlib

    from threadkeep.archive.media import MediaEntry

    entry = MediaEntry(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        type="photo",
        url=url,
        tweet=tweet,
        origin=origin or url,
        time=time,
    )
    return data, entry
