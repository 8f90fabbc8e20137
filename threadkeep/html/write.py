"""Render the site's pages (Jinja2, autoescaped) and put the folder in place whole.

The site is built in a fresh folder beside ``DIR`` (``.DIR.<random>``), every file and
folder synced to disk, and renamed into place at the end, so ``DIR`` never holds half a site.
An existing ``DIR`` is replaced only when it is empty or a site threadkeep wrote (it holds
:data:`MARKER`): it is first renamed aside (``.DIR.old.<random>/site``), then the new one
in. If the second rename fails, the old site is renamed back; if the process dies between
the two, the next build finds the old site aside and puts it back first. ``DIR`` may not be
the current folder, one holding it, or one holding the store (renaming it would move them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadkeep._version import __version__
from threadkeep.archive import layout
from threadkeep.errors import SiteError
from threadkeep.files import sync_folder
from threadkeep.html.pages import Site, copy_media, gather, text_lang

if TYPE_CHECKING:
    from markupsafe import Markup

    from threadkeep.archive import Archive

__all__ = ["CSP", "MARKER", "SiteReport", "build_site"]

CSP = (
    "default-src 'self'; img-src 'self'; media-src 'self'; script-src 'self'; "
    "style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
MARKER = ".threadkeep-site"
_STATIC = ("style.css", "search.js")
_HELD = "site"  # the old site's name inside its .DIR.old.* folder while it is set aside


@dataclass(frozen=True)
class SiteReport:
    """What :func:`build_site` wrote: the folder, its pages and the media files copied."""

    folder: Path
    documents: int
    tweets: int
    removed: int
    media: int
    damaged: tuple[str, ...] = ()
    """The store paths of media files found damaged: the pages say so, nothing was copied
    (``threadkeep verify --repair`` sets them aside, ``threadkeep media`` fetches them
    again)."""


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

    :class:`SiteError` when an id names nothing, ``folder`` exists and is neither empty nor
    a site threadkeep wrote, or it is (or holds) the current folder or the store; nothing is
    written then. An old site a killed build left aside is put back first.

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
    in_bucket = archive.location.startswith("s3://")  # a store in a bucket: no folder to hold
    _check_place(target, None if in_bucket else Path(archive.location))
    _restore(target)
    _check_target(target)
    site = gather(archive, ids, media=media)
    building = _start(target)
    try:
        building.chmod(0o755)  # mkdtemp makes 0700: the site is for everyone who can read DIR
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
        damaged=tuple(layout.media_path(sha) for sha in site.damaged),
    )


def _check_place(target: Path, store: Path | None) -> None:
    """:class:`SiteError` when ``target`` is the current folder or the store (a folder; None
    for a store in a bucket), holds either, or is inside the store: renaming it aside would
    move them."""
    where = target.resolve()
    places = [(Path.cwd().resolve(), "the current folder")]
    if store is not None:
        store = store.resolve()
        places.append((store, "the store"))
    for holds, what in places:
        if holds == where or where in holds.parents:
            raise SiteError(
                f"{target} is or holds {what}: give a folder of its own for the site",
                path=str(target),
            )
    if store is not None and store in where.parents:
        raise SiteError(f"{target} is inside the store: give a folder outside it", path=str(target))


def _start(target: Path) -> Path:
    """The folder the site is built in, beside ``target`` (its parents made); a
    :class:`SiteError` naming ``target`` (never that hidden folder) when it cannot be."""
    for above in target.parents:
        if above.exists() or above.is_symlink():
            if not above.is_dir():
                raise SiteError(
                    f"{target}: {above} is not a folder: give a folder for the site",
                    path=str(target),
                )
            break
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise SiteError(
            f"{target}: cannot write a site there ({reason})", path=str(target)
        ) from exc


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
    """Rename ``building`` to ``target``, the old site (if any) aside first and removed last.
    Whatever stops the second rename (an error, an interrupt), the old site is put back."""
    _sync_tree(building)
    held = None
    try:
        if target.exists():
            held = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, held / _HELD)
        os.replace(building, target)
    except BaseException as exc:
        if held is not None:
            if (held / _HELD).is_dir() and not target.exists():
                os.replace(held / _HELD, target)  # DIR is never left missing
            shutil.rmtree(held, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _moving(target, exc) from exc
        raise
    sync_folder(target.parent)
    if held is not None:
        shutil.rmtree(held, ignore_errors=True)


def _restore(target: Path) -> None:
    """Put back an old site a build set aside and died before replacing (``DIR`` missing),
    and remove what builds that died left beside ``DIR``: their unfinished folders, and old
    sites set aside that were already replaced."""
    if not target.parent.is_dir():
        return
    left = re.compile(re.escape(f".{target.name}.") + r"(old\.)?[a-z0-9_]{8}")
    for folder in sorted(target.parent.iterdir()):
        found = left.fullmatch(folder.name)
        if found is None or folder.is_symlink() or not folder.is_dir():
            continue
        held = folder / _HELD
        old = found[1] is not None and (held / MARKER).is_file()
        if old and not target.exists() and not target.is_symlink():
            os.replace(held, target)
            sync_folder(target.parent)
        shutil.rmtree(folder, ignore_errors=True)


def _moving(target: Path, exc: OSError) -> SiteError:
    return SiteError(f"{target}: could not put the site in place ({exc})", path=str(target))


def _sync_tree(folder: Path) -> None:
    """``fsync`` every folder of the site (its files were synced as they were written), the
    deepest first: the swap's rename then publishes a site that is on disk."""
    for here, _, _ in sorted(os.walk(folder), key=lambda walked: -len(walked[0])):
        sync_folder(Path(here))


def _write(site: Site, archive: Archive, out: Path) -> None:
    env = _environment()
    for name in ("assets", "media", "t"):
        (out / name).mkdir()
    for name in _STATIC:
        data = files("threadkeep").joinpath("templates", "html", name).read_bytes()
        _write_file(out / "assets" / name, data)
    _write_file(out / "assets" / "search-index.js", search_index(site).encode("utf-8"))
    copy_media(archive, site.files, out)
    common: dict[str, Any] = {"csp": CSP, "version": __version__}
    index = env.get_template("index.html.j2").render(root="", site=site, **common)
    _write_file(out / "index.html", index.encode("utf-8"))
    search = env.get_template("search.html.j2").render(root="", **common)
    _write_file(out / "search.html", search.encode("utf-8"))
    page = env.get_template("document.html.j2")
    for document in site.documents:
        html = page.render(root="../", document=document, **common)
        _write_file(out / document.href, html.encode("utf-8"))
    _write_file(out / MARKER, f"threadkeep {__version__}\n".encode())


def _write_file(target: Path, data: bytes) -> None:
    """A new file of the site, synced to disk (the folder is synced before the swap)."""
    with open(target, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


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


def _lang_attribute(lang: str | None) -> Markup | str:
    """`` lang="…"`` for a text in a known language (:func:`text_lang`), else nothing."""
    from markupsafe import Markup

    tag = text_lang(lang)
    return Markup(' lang="{}"').format(tag) if tag else ""


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
    env.filters["lang"] = _lang_attribute
    return env
