"""MkDocs hooks for the threadkeep site.

* Pages still being written stay out of the nav until they exist: ``mkdocs build --strict``
  fails on a nav entry whose file is missing. The pages named in ``PENDING`` are written by
  other hands; until one lands, its entry is dropped (and the build says so) instead of
  breaking the build. Every other nav entry must exist.
* The docstrings use Sphinx roles (``:class:`Thread```), which the Markdown renderer shows
  literally; the role is dropped from the rendered API pages and the code name kept.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.threadkeep")

PENDING = frozenset({"security.md"})
_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):(<code>)~?")


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


def on_page_content(html: str, **_: Any) -> str:
    """``:class:<code>~threadkeep.Thread</code>`` → ``<code>threadkeep.Thread</code>``."""
    return _ROLE.sub(r"\1", html)
