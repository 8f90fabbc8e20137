"""Names a package loads on first use: the one way threadkeep's packages defer their imports.

A package lists where each public name lives and gets its module ``__getattr__`` and
``__dir__`` from :func:`lazy_names`; ``import threadkeep`` then costs only what is used. Type
checkers see the names through the package's ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    namespace: MutableMapping[str, Any], homes: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package whose ``globals()`` is ``namespace``.

    ``homes`` maps each lazy name to the module defining it; a name, once loaded, is kept in
    ``namespace`` so that the next lookup is an ordinary attribute. ``__dir__`` lists
    ``public``.

    Example::

        __getattr__, __dir__ = lazy_names(globals(), {"Archive": "pkg.store"}, __all__)
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return list(public)

    return __getattr__, __dir__
