"""One walk that rules out, at once, the kinds an article is tried for before it is read.

Every HTML page goes through the Thread Reader, listing and Nitter detectors before the
article rows; each walked the tree (the Thread Reader row three times). Each of them finds
something only on a page holding one of these elements (issue 15):

* a Thread Reader tweet: a ``div`` whose ``id`` starts ``tweet_`` or that has ``data-tweet``;
* a permalink glyph of a page derived from an unroll: a ``sup`` whose class holds
  ``tw-permalink``;
* a listing's card: a ``div`` whose class holds ``thread-card``;
* a Nitter item: a ``div`` whose class holds ``timeline-item`` (``nitter_items`` returns
  items of that class or None).

:func:`may_hold_markup` looks for any of them over the ``div`` and ``sup`` elements (filtered in
C), reading each element's attributes in one call; when it finds none, those detectors are not
run. It may say True for a page none of them accepts (the detectors then decide, as before).
"""

from __future__ import annotations

from lxml.etree import _Element as Element

__all__ = ["may_hold_markup"]

_CLASS_WORDS = ("thread-card", "timeline-item", "tw-permalink")


def may_hold_markup(root: Element) -> bool:
    """False when no ``div`` or ``sup`` of the page has an attribute that the Thread Reader,
    listing and Nitter detectors need (see the module); True at the first that may."""
    for element in root.getroottree().getroot().iter("div", "sup"):
        for name, value in element.items():
            if name == "class":
                if any(word in value for word in _CLASS_WORDS):
                    return True
            elif name == "data-tweet" or (name == "id" and value.startswith("tweet_")):
                return True
    return False
