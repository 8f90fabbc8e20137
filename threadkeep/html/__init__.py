"""The offline site (``threadkeep export --format html -o DIR``): the archive as pages.

:func:`build_site` writes ``DIR/index.html`` (every document: thread, author, first words,
counts, last capture), ``DIR/t/<document>.html`` (a thread's tweets in order, removed ones
with their last content, edited ones with their versions, quoted tweets, the stored media),
``DIR/search.html`` with its index ``DIR/assets/search-index.js``, and ``DIR/media/``. Every
page opens from ``file://``, links only inside ``DIR`` and carries a Content-Security-Policy
that keeps the network out. :mod:`threadkeep.html.pages` turns the archive into what the
pages show; :mod:`threadkeep.html.write` renders them (Jinja2, imported on first use) and
puts the folder in place whole.
"""

from __future__ import annotations

from threadkeep.html.write import CSP, SiteReport, build_site

__all__ = ["CSP", "SiteReport", "build_site"]
