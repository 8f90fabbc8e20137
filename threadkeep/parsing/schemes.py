"""Only http(s) urls reach a result: :func:`http_only` drops every other scheme."""

from __future__ import annotations

import functools
import typing
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from threadkeep.models import Article, Export, Listing, Thread, Tweet

__all__ = ["http_only"]

_R = TypeVar("_R", bound=Thread | Listing | Article | Tweet | Export)
_URL_FIELDS = frozenset({"url", "short_url", "avatar", "preview"})


def http_only(result: _R) -> _R:
    """``result`` with every url that is not http(s) removed (a link holding one, dropped).

    A page, an answer or threadkeep JSON read back may carry ``javascript:``, ``data:`` or
    ``file:`` urls in any url field (``og:url``, ``author_url``, ``expanded_url``…); none
    reaches a result. Most results have none, which one walk of their url fields shows.
    """
    if not _has_other_scheme(result, set()):
        return result
    return cast(_R, type(result).model_validate(_without_other_schemes(result.model_dump())))


def _has_other_scheme(model: BaseModel, seen: set[int]) -> bool:
    """True when a url field of ``model`` or of a model inside it holds a url that is not
    http(s). A model met twice (one author on every tweet of a thread) is read once."""
    urls, inner = _fields(type(model))
    values = model.__dict__
    for name in urls:
        value = values[name]
        if value is not None and not _is_http(value):
            return True
    for name in inner:
        value = values[name]
        if not value:
            continue  # None, or no links, no media…
        for item in value if type(value) is tuple else (value,):
            if id(item) not in seen:
                seen.add(id(item))
                if _has_other_scheme(item, seen):
                    return True
    return False


@functools.cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model class's url fields, and its fields that hold models (or tuples of them)."""
    urls, inner = [], []
    for name, info in model.model_fields.items():
        if name in _URL_FIELDS:
            urls.append(name)
        elif any(_is_model(arg) for arg in _leaves(info.annotation)):
            inner.append(name)
    return tuple(urls), tuple(inner)


def _leaves(annotation: Any) -> list[Any]:
    """The types an annotation is made of (``tuple[Tweet, ...] | None`` → Tweet, Ellipsis…)."""
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for arg in args for leaf in _leaves(arg)]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


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
    return url.startswith(("https://", "http://")) or url[:8].lower().startswith(
        ("http://", "https://")
    )
