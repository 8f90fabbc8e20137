"""MkDocs hook: leave pages that are still being written out of the nav until they exist.

``mkdocs build --strict`` fails on a nav entry whose file is missing. The pages named in
``PENDING`` are written by other hands; until one lands, its entry is dropped (and the build
says so) instead of breaking the build. Every other nav entry must exist.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.threadkeep")

PENDING = frozenset({"security.md"})


def _keep(entry: Any, docs: Path) -> bool:
    target = next(iter(entry.values())) if isinstance(entry, dict) else entry
    if isinstance(target, str) and target in PENDING and not (docs / target).exists():
        log.info("%s is not written yet: left out of the nav", target)
        return False
    return True


def _filter(nav: list[Any], docs: Path) -> list[Any]:
    kept = []
    for entry in nav:
        if isinstance(entry, dict):
            entry = {
                title: _filter(value, docs) if isinstance(value, list) else value
                for title, value in entry.items()
            }
        if _keep(entry, docs):
            kept.append(entry)
    return kept


def on_config(config: Any) -> Any:
    """Drop nav entries of pending pages that do not exist yet."""
    if config["nav"]:
        config["nav"] = _filter(config["nav"], Path(config["docs_dir"]))
    return config
