"""MkDocs hooks for the threadkeep site.

The docstrings use Sphinx roles (``:class:`Thread```), which the Markdown renderer shows
literally; the role is dropped from the rendered API pages and the code name kept.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):(<code>)~?")


def on_page_content(html: str, **_: Any) -> str:
    """``:class:<code>~threadkeep.Thread</code>`` → ``<code>threadkeep.Thread</code>``."""
    return _ROLE.sub(r"\1", html)
