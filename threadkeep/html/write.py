"""Render the site's pages (Jinja2, autoescaped) and put the folder in place whole.

The site is built in a fresh folder beside ``DIR`` and renamed into place at the end, so
``DIR`` never holds half a site: a failure leaves it as it was. An existing ``DIR`` is
replaced only when it is empty or a site threadkeep wrote (it holds :data:`MARKER`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadkeep._version import __version__
from threadkeep.errors import SiteError
from threadkeep.files import sync_folder
from threadkeep.html.pages import Site, copy_media, gather

if TYPE_CHECKING:
    from threadkeep.archive import Archive

__all__ = ["CSP", "MARKER", "SiteReport", "build_site"]

CSP = (
    "default-src 'self'; img-src 'self'; media-src 'self'; script-src 'self'; "
    "style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
MARKER = ".threadkeep-site"
_STATIC = ("style.css", "search.js")


@dataclass(frozen=True)
class SiteReport:
    """What :func:`build_site` wrote: the folder, its pages and the media files copied."""

    folder: Path
    documents: int
    tweets: int
    removed: int
    media: int


def build_site(
    archive: Archive,
    folder: str | os.PathLike[str],
    ids: Sequence[str] = (),
    *,
    media: bool = True,
) -> SiteReport:
    """Write the archive (or the documents ``ids`` name) as an offline site in ``folder``,
    with copies of the media files the archive keeps (``media=False``: none; the pages then
    say which items were left out).

    :class:`SiteError` when an id names nothing, or ``folder`` exists and is neither empty
    nor a site threadkeep wrote; nothing is written then.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import threadkeep
        >>> from threadkeep.html import build_site
        >>> archive = threadkeep.Archive(tempfile.mkdtemp())
        >>> _ = archive.add(open("fixtures/threadreader/quinnypig_2020_full.html", "rb").read())
        >>> out = Path(tempfile.mkdtemp()) / "site-out"
        >>> report = build_site(archive, out)
        >>> report.documents, report.tweets, report.removed
        (1, 102, 0)
        >>> sorted(p.name for p in out.iterdir())
        ['.threadkeep-site', 'assets', 'index.html', 'media', 'search.html', 't']
    """
    target = Path(folder)
    _check_target(target)
    site = gather(archive, ids, media=media)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _write(site, archive, building)
        _swap(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return SiteReport(
        folder=target,
        documents=len(site.documents),
        tweets=sum(len(document.tweets) for document in site.documents),
        removed=sum(document.removed for document in site.documents),
        media=len(site.files),
    )


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise SiteError(f"{target} is not a folder: give a new or empty folder", path=str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise SiteError(
            f"{target} holds files threadkeep did not write: give a new or empty folder "
            "(a site threadkeep wrote before is replaced)",
            path=str(target),
        )


def _swap(building: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        target.rename(old / "site")
    building.rename(target)
    sync_folder(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(site: Site, archive: Archive, out: Path) -> None:
    env = _environment()
    for name in ("assets", "media", "t"):
        (out / name).mkdir()
    for name in _STATIC:
        data = files("threadkeep").joinpath("templates", "html", name).read_bytes()
        (out / "assets" / name).write_bytes(data)
    (out / "assets" / "search-index.js").write_text(search_index(site), encoding="utf-8")
    copy_media(archive, site.files, out)
    common: dict[str, Any] = {"csp": CSP, "version": __version__}
    index = env.get_template("index.html.j2").render(root="", site=site, **common)
    (out / "index.html").write_text(index, encoding="utf-8")
    search = env.get_template("search.html.j2").render(root="", **common)
    (out / "search.html").write_text(search, encoding="utf-8")
    page = env.get_template("document.html.j2")
    for document in site.documents:
        html = page.render(root="../", document=document, **common)
        (out / document.href).write_text(html, encoding="utf-8")
    (out / MARKER).write_text(f"threadkeep {__version__}\n", encoding="utf-8")


def search_index(site: Site) -> str:
    """``window.THREADKEEP_INDEX = [{doc, id, text, removed, author}, …];`` (a script:
    Chromium refuses ``fetch()`` between ``file://`` pages). ASCII only, so no ``</script>``
    or odd line separator can end it early."""
    rows = [
        {
            "doc": f"{document.href}#t-{shown.anchor}",
            "id": shown.tweet.id,
            "number": shown.number,
            "title": document.heading,
            "text": " ".join(text for text, _, _ in shown.versions if text)
            or (shown.tweet.text or ""),
            "removed": shown.tweet.removed,
            "author": shown.tweet.author.handle if shown.tweet.author else None,
        }
        for document in site.documents
        for shown in document.tweets
    ]
    dumped = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
    return "window.THREADKEEP_INDEX = " + dumped.replace("</", "<\\/") + ";\n"


def _when(value: datetime | str | None) -> str:
    """A time as people read it (UTC, to the minute).

    >>> from datetime import timedelta, timezone
    >>> _when(datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=5))))
    '2024-01-01 07:00 UTC'
    """
    if value is None:
        return "unknown"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: datetime | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def _environment() -> Any:
    import jinja2  # the site is the only part that needs it: `import threadkeep` stays cheap

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("threadkeep", "templates/html"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["when"] = _when
    env.filters["iso"] = _iso
    return env
