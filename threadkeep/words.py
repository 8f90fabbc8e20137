"""How threadkeep words what it reports: counts with their nouns, for every command's output.

Only the standard library: the command line's summaries use it before any model is loaded.
"""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 tweet``, ``2 tweets``, ``0 tweets``; ``nouns`` when the plural is not ``noun + s``.

    >>> plural(1, "document"), plural(2, "capture"), plural(3, "reply", "replies")
    ('1 document', '2 captures', '3 replies')
    """
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
