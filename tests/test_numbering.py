"""The numbering authors write, read from either end of a tweet."""

from __future__ import annotations

import pytest

from threadkeep.parsing.numbering import find_marker, number_thread


@pytest.mark.parametrize(
    ("text", "marker", "number", "total"),
    [
        ("Both-sides-ism … a thread (1/24)", "(1/24)", 1, 24),
        ("1/8 Thread on latest fighting", "1/8", 1, 8),
        ("1/ In Defense of Rachel and Joey", "1/", 1, None),
        ("2/ Gresham’s Law states", "2/", 2, None),
        ("… there still won’t be #NKPeace (1 of 11)", "(1 of 11)", 1, 11),
        ("1. Armenia is pushing for", "1.", 1, None),
        ("1) Playbooks", "1)", 1, None),
        ("1️⃣ The UN Security Council adopted 4 resolutions", "1️⃣", 1, None),
        ("THREAD 1/4 #COVID19 pandemic", "THREAD 1/4", 1, 4),
        ("… the conflict today? (Thread, 1/7)", "(Thread, 1/7)", 1, 7),
        ("… #Karabakh #NKpeace 1/3…", "1/3", 1, 3),
        ("[3/5] bracketed", "[3/5]", 3, 5),
        ("… withdrawal of Armenian troops ⬇️", "⬇️", None, None),
        ("… threaded below? 👇", "👇", None, None),
        ("🧵 Why archives matter", "🧵", None, None),
    ],
)
def test_marker_styles(text: str, marker: str, number: int | None, total: int | None) -> None:
    found = find_marker(text)
    assert found is not None
    assert (found.text, found.number, found.total) == (marker, number, total)


@pytest.mark.parametrize("text", ["open 24/7", "A plain sentence.", "", "1/0 is undefined"])
def test_not_numbering(text: str) -> None:
    assert find_marker(text) is None


def test_bare_numbers_count_only_where_they_match_the_order() -> None:
    numbering = number_thread(["1 Reports already", "2 Take note", "3 Many strikes"])
    assert [m.text if m else None for m in numbering.markers] == ["1", "2", "3"]
    numbering = number_thread(["Ce matin", "4 hélicoptères, 15 drones", "Nouvelles images"])
    assert numbering.markers == (None, None, None)
    assert numbering.positions == (1, 2, 3)


def test_gaps_and_completeness() -> None:
    numbering = number_thread(["1/5 a", "2/5 b", "4/5 d"])
    assert numbering.positions == (1, 2, 4)
    assert numbering.gaps == (3, 5)
    assert numbering.complete is False
    assert number_thread(["1/2 a", "2/2 b"]).complete is True
    assert number_thread(["a", "b"], declared_count=2).complete is True
    assert number_thread(["a", "b"], declared_count=3).complete is False
    assert number_thread(["a", "b"]).complete is None


def test_numbers_that_do_not_rise_fall_back_to_page_order() -> None:
    numbering = number_thread(["1/3 a", "3/3 c", "2/3 b"])
    assert numbering.positions == (1, 2, 3)
    assert numbering.gaps == ()
