"""Only http(s) urls reach a result: :func:`http_only` drops every other scheme."""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

from threadkeep.models import Article, Listing, Thread, Tweet

__all__ = ["http_only"]

_R = TypeVar("_R", bound=Thread | Listing | Article | Tweet)
_URL_FIELDS = frozenset({"url", "short_url", "avatar", "preview"})
# A url field whose value is not an http(s) url, in a model's compact JSON.
_NOT_HTTP_RE = re.compile(r'"(?:url|short_url|avatar|preview)":"(?![hH][tT][tT][pP][sS]?://)')


def http_only(result: _R) -> _R:
    """``result`` with every url that is not http(s) removed (a link holding one, dropped).

    A page, an answer or threadkeep JSON read back may carry ``javascript:``, ``data:`` or
    ``file:`` urls in any url field (``og:url``, ``author_url``, ``expanded_url``…); none
    reaches a result. Most results have none, which one scan of their JSON shows.
    """
    if not _NOT_HTTP_RE.search(result.model_dump_json()):
        return result
    return cast(_R, type(result).model_validate(_without_other_schemes(result.model_dump())))


def _without_other_schemes(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if key in _URL_FIELDS and isinstance(item, str) and not _is_http(item):
                item = None
            elif key == "links" and isinstance(item, (list, tuple)):
                item = [link for link in item if _is_http(link.get("url") or "")]
            cleaned[key] = _without_other_schemes(item)
        return cleaned
    if isinstance(value, (list, tuple)):
        return [_without_other_schemes(item) for item in value]
    return value


def _is_http(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))
