"""The footer of a Substack tweet card: the time and date it shows, its counts and rules.

A card's text ends with its footer: "8:57 AM ∙ Jul 7, 2022" (or "February 8th 2022" in 2019
cards), "162Likes19Retweets", "· 584K Views", "* * *", or, in 2026 cards, the same as list items
("- 6:58 PM · Jun 7, 2026", "- 8.5M"). None of it is tweet text. The time is the reader's
clock, taken as UTC: a card with no id gets it as its ``created_at``.
"""

from __future__ import annotations

import re
from datetime import datetime

from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.substack_text import card_footer, card_time

__all__ = ["card_date", "without_footer"]

_TIME_DATE_RE = re.compile(
    r"^(\d{1,2}):(\d\d)\s*([AP]M)\s*[∙·•]\s*([A-Za-z]{3,9})\.? (\d{1,2}), (\d{4})"
    r"(?: [∙·•] [\d.,]+[KkMm]? Views)?(?:\s*-+)?$"
)
_ORDINAL_DATE_RE = re.compile(r"^([A-Za-z]{3,9}) (\d{1,2})(?:st|nd|rd|th) (\d{4})(?:\s*-+)?$")
_COUNT_RE = re.compile(
    r"^(?:[\d.,]+[KkMm]? ?(?:Likes?|Retweets?|Replies|Reply|Reposts?|Views?) ?(?:[∙·•] )?)+$"
)
_LIST_COUNT_RE = re.compile(r"^[-*] [\d.,]+[KkMm]?$")  # "- 1,796": 2026 cards list their counts
_FOOTER_LINE = 80  # a longer line is text (or text with a footer glued to its end)
_RULE_RE = re.compile(r"^(?:-{3,}|\* \* \*|\*{3,}|_{3,})$")


def without_footer(words: str) -> tuple[str, str | None]:
    """The words without the date, counts and rules that end them, and the date shown.

    The footer stands on lines of its own, or, in a copy that put the card on few lines
    (Jina Reader, glued clippings), at the end of the text's last line ("… manipulating 8:42
    PM · Apr 2, 2026 · 19.6M Views 2.71K Replies · 6.58K Reposts · 55.4K Likes").
    """
    lines = words.split("\n")
    date_text = None
    while lines:
        line = " ".join(lines[-1].split())
        listed = line[2:] if line.startswith(("- ", "* ")) else line  # a list of 2026 cards
        if len(line) <= _FOOTER_LINE and (
            _TIME_DATE_RE.match(listed) or _ORDINAL_DATE_RE.match(listed)
        ):
            date_text = date_text or listed.rstrip("- ").strip()
        elif not line or (len(line) <= _FOOTER_LINE and _is_count_or_rule(line, listed)):
            pass
        else:
            if (glued := card_footer(line)) is not None:
                lines[-1], _created, shown = glued
                date_text = date_text or shown
            break
        lines.pop()
    return "\n".join(lines), date_text


def _is_count_or_rule(line: str, listed: str) -> bool:
    return bool(_COUNT_RE.match(listed) or _RULE_RE.match(line) or _LIST_COUNT_RE.match(line))


def card_date(date_text: str | None) -> datetime | None:
    """The time a card shows ("8:57 AM ∙ Jul 7, 2022", "February 8th 2022"), in UTC."""
    if not date_text:
        return None
    if match := _ORDINAL_DATE_RE.match(date_text):
        return parse_date(f"{match[1]} {match[2]}, {match[3]}")
    match = _TIME_DATE_RE.match(date_text)
    day = parse_date(f"{match[4]} {match[5]}, {match[6]}") if match else None
    if match is None or day is None or int(match[2]) > 59:  # "8:75 AM" is no time
        return None
    return card_time(day, int(match[1]), int(match[2]), pm=match[3] == "PM")
