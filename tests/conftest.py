"""Shared test helpers: fixture discovery and the ``--update-golden`` switch."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# Folders of fixture pairs (<case>.<ext> beside <case>.json, the golden parse).
GOLDEN_FOLDERS = ("threadreader", "listing", "text", "constructed")
INPUT_SUFFIXES = (".html", ".htm", ".txt")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/*/<case>.json from today's parse (review the diff, then commit)",
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
                sorted(p for p in directory.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)
            )
    return cases


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()
