"""JSON inputs: reading a document within the limits, and threadkeep's own JSON read back.

oEmbed and syndication answers are read by :mod:`threadkeep.parsing.answers`; this module only
turns bytes into a document (:func:`load_json`) and a document threadkeep wrote into the
model it describes (:func:`read_own_json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pydantic

from threadkeep.encoding import decode
from threadkeep.errors import MalformedPage
from threadkeep.limits import MAX_JSON_DEPTH, MAX_JSON_OBJECTS, MAX_JSON_VALUES, check_tweets
from threadkeep.models import Result, result_adapter

__all__ = ["OWN_KINDS", "decode_json_at", "is_own_json", "load_json", "read_own_json"]

OWN_KINDS = ("thread", "listing", "article", "tweet", "export")
"""The ``kind`` values of threadkeep's own JSON output."""

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _json_int(digits: str) -> int | float:
    # Python refuses to convert integers of over 4 300 digits (a ValueError naming
    # sys.set_int_max_str_digits), and takes quadratic time below that; no field threadkeep
    # reads is a number that long (ids are strings), so one is read as a float instead.
    return int(digits) if len(digits) <= 100 else float(digits)


def load_json(raw: bytes) -> Any:
    """Read JSON within the limits; lone surrogates (``"\\ud800"``) become U+FFFD.

    A lone surrogate is valid JSON but not valid text: it could not be written out again.
    """
    too_deep = MalformedPage(
        f"JSON nested deeper than {MAX_JSON_DEPTH} levels (threadkeep.limits.MAX_JSON_DEPTH)"
    )
    if raw.count(b",") >= MAX_JSON_VALUES:
        raise MalformedPage(
            f"JSON with more than {MAX_JSON_VALUES:,} values (threadkeep.limits.MAX_JSON_VALUES)"
        )
    if raw.count(b"{") > MAX_JSON_OBJECTS:
        raise MalformedPage(
            f"JSON with more than {MAX_JSON_OBJECTS:,} objects (threadkeep.limits.MAX_JSON_OBJECTS)"
        )
    try:
        document = json.loads(decode(raw), parse_int=_json_int)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise MalformedPage(f"invalid JSON ({exc})") from exc
    if not _clean_json(document):
        raise too_deep
    return document


_DECODER = json.JSONDecoder(parse_int=_json_int)


def decode_json_at(text: str, start: int = 0) -> tuple[Any, int]:
    """The JSON value that begins at ``text[start]``, and the index just past it.

    Read as :func:`load_json` reads (nesting within the depth limit, lone surrogates replaced),
    without copying ``text``: an account export's data file is a JavaScript assignment of about
    100 MB whose value starts after ``=``. The caller counts values and objects first, against
    its own limits. Raises :class:`~threadkeep.MalformedPage` for anything but JSON.
    """
    try:
        document, end = _DECODER.raw_decode(text, start)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise MalformedPage(f"invalid JSON ({exc})") from exc
    if not _clean_json(document):
        raise _too_deep()
    return document, end


def _too_deep() -> MalformedPage:
    return MalformedPage(
        f"JSON nested deeper than {MAX_JSON_DEPTH} levels (threadkeep.limits.MAX_JSON_DEPTH)"
    )


def _clean_json(document: Any) -> bool:
    """Replace lone surrogates in place; False when the document nests too deep."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        container, depth = stack.pop()
        if not isinstance(container, (list, dict)):
            continue
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(container, dict):
            for key in [k for k in container if _SURROGATE_RE.search(k)]:
                container[_SURROGATE_RE.sub("\ufffd", key)] = container.pop(key)
        keys: Iterable[Any] = (
            range(len(container)) if isinstance(container, list) else list(container)
        )
        for key in keys:
            value = container[key]
            if isinstance(value, str) and _SURROGATE_RE.search(value):
                container[key] = _SURROGATE_RE.sub("\ufffd", value)
            elif isinstance(value, (list, dict)):
                stack.append((value, depth + 1))
    return True


def is_own_json(document: object) -> bool:
    """True for threadkeep's own JSON output (an object whose ``kind`` is a result's)."""
    return isinstance(document, dict) and document.get("kind") in OWN_KINDS


def read_own_json(document: dict[str, Any]) -> Result:
    """The model threadkeep's own JSON describes, checked against its schema and the limits."""
    check_tweets(_listed(document))  # before a model is built for each
    try:
        return result_adapter.validate_python(document)
    except pydantic.ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise MalformedPage(
            f"threadkeep JSON that does not fit its schema at {where}: {problem['msg']}"
        ) from None


def _listed(document: Any) -> int:
    """How many tweets and threads threadkeep JSON lists, at any depth."""
    count = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("tweets", "threads") and isinstance(item, list):
                    count += len(item)
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return count
