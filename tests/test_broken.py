"""Broken inputs give the documented ThreadkeepError, naming the input; never another error."""

from __future__ import annotations

import json

import pytest

import threadkeep
from tests.conftest import FIXTURES

EXPECTED = json.loads((FIXTURES / "broken" / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_input_gives_its_error(name: str) -> None:
    expected = EXPECTED[name]
    data = (FIXTURES / "broken" / name).read_bytes()
    with pytest.raises(threadkeep.ParseError) as caught:
        threadkeep.parse(data, source=name)
    assert type(caught.value).__name__ == expected["error"]
    assert expected["message"] in str(caught.value)
    assert str(caught.value).startswith(f"{name}: ")


def test_every_broken_fixture_has_an_expectation() -> None:
    files = {
        p.name
        for p in (FIXTURES / "broken").iterdir()
        if p.name not in ("expected.json", "SOURCES.md")
    }
    assert files == set(EXPECTED)


def test_truncated_download_keeps_the_tweets_it_has() -> None:
    data = (FIXTURES / "threadreader" / "quinnypig_2020_full.html").read_bytes()
    cut = data[: data.index(b'id="tweet_51"') + 20]  # cut inside the 51st tweet's tag
    thread = threadkeep.parse(cut)
    assert isinstance(thread, threadkeep.Thread)
    assert len(thread.tweets) in (50, 51)
    assert thread.declared_count == 102
    assert thread.complete is False
