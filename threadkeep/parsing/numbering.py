"""Thread numbering the authors write: "1/24", "(1 of 11)", "1.", "1️⃣", "THREAD 1/4", "⬇️" …

:func:`find_marker` reads the numbering of one tweet; :func:`number_thread` reads a whole
thread, decides each tweet's position, and which positions are known to be missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = ["Marker", "Numbering", "find_marker", "number_thread"]


@dataclass(frozen=True, slots=True)
class Marker:
    """Numbering found in one tweet: ``text`` as written, ``number`` and ``total`` if any.

    ``weak`` marks a bare leading number ("2 Take note …"), trusted only where it agrees with
    the tweet's place on the page ("4 hélicoptères" in a second tweet is not numbering).
    """

    text: str
    number: int | None = None
    total: int | None = None
    weak: bool = False


_WINDOW = 48
_N = r"(?P<n>\d{1,3})"
_T = r"(?P<t>\d{1,3})"
_ARROWS = r"(?:⬇️|⬇|👇[\U0001F3FB-\U0001F3FF]?|🧵|➡️|↓|▶️)"
_KEYCAPS = {f"{d}\ufe0f\u20e3": d for d in range(10)} | {f"{d}\u20e3": d for d in range(10)}
_KEYCAPS["🔟"] = 10

# Ordered: the first pattern that matches wins. Leading patterns look at the start of the
# text (after an optional "THREAD"/"🧵" lead-in), trailing ones at its end.
_THREAD_LEAD = r"(?:(?:a\s+)?thread\b\s*[:.\-–—]?\s*|🧵\s*)?"
_LEADING = (
    re.compile(rf"^{_THREAD_LEAD}[(\[]?{_N}\s*/\s*{_T}?\s*[)\]]?(?=[\s:.,)]|$)", re.I),
    re.compile(rf"^{_THREAD_LEAD}[(\[]?{_N}\s+of\s+{_T}[)\]]?(?=[\s:.,]|$)", re.I),
    re.compile(rf"^{_THREAD_LEAD}{_N}[.)](?=\s)", re.I),
)
_WEAK_LEADING = re.compile(rf"^{_N}(?=\s+\S)")
_KEYCAP_LEADING = re.compile(r"^(?:[0-9]\ufe0f?\u20e3|🔟)")
# Each with a string it cannot match without: a search is skipped where that is absent.
_TRAILING = (
    (re.compile(rf"[(\[](?:[^()\[\]]{{0,20}}?[,:\s])?{_N}\s*/\s*{_T}[)\]][.…]*$"), "/"),
    (re.compile(rf"(?<![\w/]){_N}\s*/\s*{_T}[.…]*$"), "/"),
    (re.compile(rf"[(\[]?{_N}\s+of\s+{_T}[)\]]?[.…]*$"), "of"),
)
_ARROW_TRAILING = re.compile(rf"(?:\s*{_ARROWS})+\s*$")
_ARROW_START = re.compile(r"[⬇👇🧵➡↓▶]")  # _ARROW_TRAILING needs one
_DIGIT = re.compile(r"\d")  # every numbered pattern (_N) needs one
# Every pattern above needs one of these ("thread" in any case); most tweets have none near
# their ends. One character class first lets the regex engine skip in C to a possible start.
_CANDIDATE = re.compile(r"[0-9⬇👇🧵➡↓▶🔟Tt](?:(?<![Tt])|[Hh][Rr][Ee][Aa][Dd])")
_THREAD_ONLY = re.compile(rf"^(?:🧵|thread\b\s*[:.]?|{_ARROWS})", re.I)


def _numbered(match: re.Match[str], text: str) -> Marker | None:
    number = int(match["n"])
    total = int(match["t"]) if match.groupdict().get("t") else None
    if number < 1 or (total is not None and (number > total or total > 999)):
        return None
    return Marker(text=text, number=number, total=total)


def find_marker(text: str | None) -> Marker | None:
    """Find the author's numbering at the start or end of ``text``.

    >>> find_marker("Both-sides-ism … a thread (1/24)")
    Marker(text='(1/24)', number=1, total=24, weak=False)
    >>> find_marker("1️⃣ The UN Security Council adopted 4 resolutions").number
    1
    """
    if not text:
        return None
    body = text.strip()
    # Numbering sits at either end: look only there, so long tweets cost no more than short.
    head, tail = body[:_WINDOW], body[-_WINDOW:]
    if not _CANDIDATE.search(head) and not _CANDIDATE.search(tail):
        return None
    numbered_head = _DIGIT.search(head) is not None
    for pattern in _LEADING if numbered_head else ():
        match = pattern.match(head)
        if match and (marker := _numbered(match, match.group(0).strip())):
            return marker
    if keycap := _KEYCAP_LEADING.match(head):
        digits = keycap.group(0)
        return Marker(text=digits, number=_KEYCAPS.get(digits, 10))
    for pattern, needed in _TRAILING if _DIGIT.search(tail) else ():
        match = pattern.search(tail) if needed in tail else None
        if match and (marker := _numbered(match, match.group(0).strip().rstrip(".…"))):
            return marker
    if _ARROW_START.search(tail) and (arrows := _ARROW_TRAILING.search(tail)):
        return Marker(text=arrows.group(0).strip())
    if lead := _THREAD_ONLY.match(head):
        return Marker(text=lead.group(0).strip())
    if numbered_head and (weak := _WEAK_LEADING.match(head)):
        return Marker(text=weak.group(0), number=int(weak["n"]), weak=True)
    return None


@dataclass(frozen=True, slots=True)
class Numbering:
    """What a thread's numbering says: per-tweet markers and positions, gaps, completeness."""

    markers: tuple[Marker | None, ...]
    positions: tuple[int, ...]
    gaps: tuple[int, ...]
    complete: bool | None

    def place(self, index: int) -> tuple[int, str | None]:
        """The position and the numbering as written (or None) of tweet ``index`` (from 0)."""
        marker = self.markers[index]
        return self.positions[index], marker.text if marker is not None else None


def number_thread(texts: Sequence[str | None], *, declared_count: int | None = None) -> Numbering:
    """Read the numbering of a thread's tweets, in page order.

    Positions follow the author's numbers when those rise strictly through the thread
    (unnumbered tweets take the next position), and page order otherwise. ``gaps`` lists
    numbers the author wrote a total for, or skipped, that no captured tweet carries.
    ``complete`` compares what was captured with ``declared_count`` and the numbering.
    """
    markers: list[Marker | None] = []
    for index, text in enumerate(texts, start=1):
        marker = find_marker(text)
        if marker is not None and marker.weak and marker.number != index:
            marker = None
        markers.append(marker)
    numbers = [m.number for m in markers if m is not None and m.number is not None]
    rising = bool(numbers) and all(a < b for a, b in pairwise(numbers))
    positions: list[int] = []
    previous = 0
    for marker in markers:
        number = marker.number if marker is not None and rising else None
        previous = number if number is not None and number > previous else previous + 1
        positions.append(previous)
    totals = {m.total for m in markers if m is not None and m.total is not None}
    total = max(totals) if rising and totals else None
    gaps: tuple[int, ...] = ()
    if rising and numbers:
        last = max(total or 0, positions[-1] if positions else 0)
        seen = set(positions)
        gaps = tuple(p for p in range(1, last + 1) if p not in seen)
    complete: bool | None = None
    if declared_count is not None:
        complete = len(texts) >= declared_count and not gaps
    elif total is not None:
        complete = not gaps
    elif gaps:
        complete = False
    return Numbering(
        markers=tuple(markers), positions=tuple(positions), gaps=gaps, complete=complete
    )
