"""Where every file of a store lives: the one module that knows the on-disk layout.

Layout of a store (format 1, documented in ``docs/format.md``)::

    threadkeep-store.json            {"format": 1, "generation": 1, "written_by": "0.1.0"}
    captures.jsonl                   the append-only capture log, failed captures included
    raw/<ab>/<sha256>.gz             every captured body, once, gzip-compressed
    gen-<n>/snapshots/<doc>/<k>-<hash>.json   immutable parsed snapshots of each document
    gen-<n>/documents/<doc>.json     each thread / listing / article / tweet over time
    gen-<n>/tweets/<xy>/<key>.json   each tweet merged across every copy
    gen-<n>/rebuild.json             what the rebuild that made it read of the log
    media/<ab>/<sha256>              every media file (photo, video), once, as it came
    media.jsonl                      the media index: which url and which export file is which
    media/damaged/<sha256>.<n>       media files that did not match their hash, set aside
    media.jsonl.damaged              damaged lines of the media index, set aside as they were

Raw bodies and the log are the source of truth; everything under ``gen-<n>/`` is derived from
them. Every path is relative and ``/``-separated, built with :func:`safe_path` from validated
ids and hashes, so no stored name can leave the store.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from threadkeep.archive.storage import safe_path
from threadkeep.errors import ArchiveError
from threadkeep.files import is_temporary

if TYPE_CHECKING:
    from threadkeep.archive.records import StoredDocument

__all__ = [
    "CAPTURES",
    "INBOX",
    "JOURNAL",
    "LOG",
    "MEDIA",
    "MEDIA_DAMAGED",
    "MEDIA_INDEX",
    "MEDIA_INDEX_DAMAGED",
    "MEDIA_JOURNAL",
    "RAW",
    "STORE_FILE",
    "capture_key",
    "capture_path",
    "document_path",
    "documents_folder",
    "generation_folder",
    "inbox_key",
    "inbox_path",
    "is_safe_key",
    "is_source",
    "media_damaged_path",
    "media_path",
    "media_sha",
    "next_number",
    "pack_path",
    "pack_range",
    "raw_path",
    "raw_sha",
    "rebuild_path",
    "refuse_foreign_folder",
    "snapshot_document",
    "snapshot_hash",
    "snapshot_number",
    "snapshot_path",
    "snapshots_folder",
    "tweet_path",
    "tweets_folder",
]

STORE_FILE = "threadkeep-store.json"
"""The store file: the format number and the generation of derived files in use."""
LOG = "captures.jsonl"
"""The append-only capture log, one JSON line a capture."""
RAW = "raw"
"""The folder of raw captured bodies, content-addressed and gzip-compressed."""
MEDIA = "media"
"""The folder of media files (photos, videos), content-addressed, stored as they came."""
MEDIA_INDEX = "media.jsonl"
"""The append-only media index: one JSON line per media url or export file name stored."""
MEDIA_DAMAGED = "media/damaged"
"""Where ``verify --repair`` keeps media files that did not match their hash."""
MEDIA_INDEX_DAMAGED = "media.jsonl.damaged"
"""Where ``verify --repair`` keeps the damaged lines of the media index, as they were."""
JOURNAL = "journal"
"""Format 3: the capture log's packs, ``journal/<seq>.jsonl``, each written once (after a
frozen ``captures.jsonl`` of a store made in an older format)."""
MEDIA_JOURNAL = "media-journal"
"""Format 3: the media index's packs (after a frozen ``media.jsonl``)."""
CAPTURES = "captures"
"""Format 3: one object per capture, ``captures/<time>/<sha256>.json``, written by its
writer without the lock; durable from then on."""
INBOX = "inbox"
"""Format 3: one pointer per capture not merged yet, ``inbox/<time>/<sha256>``."""


def pack_path(journal: str, seq: int, first: int | None = None) -> str:
    """The pack ``seq`` of a journal; with ``first``, the compacted pack that holds the
    bytes of packs ``first`` to ``seq``: ``<seq>.c<first>.jsonl``."""
    name = f"{seq:010d}.jsonl" if first is None else f"{seq:010d}.c{first:010d}.jsonl"
    return safe_path(journal, name)


_PACK = re.compile(r"^([0-9]{10})(?:\.c([0-9]{10}))?\.jsonl$")


def pack_range(path: str) -> tuple[int, int] | None:
    """The packs a pack file holds, ``(first, last)``; None for another name."""
    found = _PACK.match(path.rsplit("/", 1)[-1])
    if found is None:
        return None
    last = int(found.group(1))
    return (int(found.group(2)) if found.group(2) else last), last


def capture_key(time: str, sha256: str) -> str:
    """The key of a capture object: ``<time>/<sha256>`` (time ``%Y%m%dT%H%M%S.%fZ``)."""
    return safe_path(time, sha256)


def capture_path(key: str) -> str:
    """Where the capture object ``key`` lives: ``captures/<time>/<sha256>.json``."""
    time, sha = key.split("/")
    return safe_path(CAPTURES, time, f"{sha}.json")


def inbox_path(key: str) -> str:
    """The inbox pointer of capture ``key``: ``inbox/<time>/<sha256>``."""
    time, sha = key.split("/")
    return safe_path(INBOX, time, sha)


def inbox_key(path: str) -> str:
    """The capture key an inbox pointer names."""
    return "/".join(path.split("/")[-2:])


def generation_folder(generation: int) -> str:
    """The folder of one generation of derived files: ``gen-<n>``."""
    return f"gen-{generation}"


def raw_path(sha256: str) -> str:
    """Where the raw body with this hash lives: ``raw/<ab>/<sha256>.gz``."""
    return safe_path(RAW, sha256[:2], f"{sha256}.gz")


def raw_sha(path: str) -> str:
    """The hash a raw body's file name promises (what its content must hash to)."""
    return path.rsplit("/", 1)[-1].removesuffix(".gz")


def media_path(sha256: str) -> str:
    """Where the media file with this hash lives: ``media/<ab>/<sha256>``."""
    return safe_path(MEDIA, sha256[:2], sha256)


def media_damaged_path(sha256: str, number: int) -> str:
    """Where the ``number``-th damaged file of this hash is kept: ``media/damaged/<sha>.<n>``."""
    return safe_path(MEDIA, "damaged", f"{sha256}.{number}")


def media_sha(path: str) -> str:
    """The hash a media file's name promises (what its content must hash to)."""
    return path.rsplit("/", 1)[-1]


def snapshots_folder(generation: int) -> str:
    return safe_path(generation_folder(generation), "snapshots")


def documents_folder(generation: int) -> str:
    return safe_path(generation_folder(generation), "documents")


def tweets_folder(generation: int) -> str:
    return safe_path(generation_folder(generation), "tweets")


def snapshot_path(key: str, number: int, content: str, generation: int) -> str:
    """The ``number``-th snapshot of document ``key``, named by its content hash."""
    return safe_path(
        generation_folder(generation), "snapshots", key, f"{number:06d}-{content[:16]}.json"
    )


def snapshot_number(path: str) -> int:
    """The number in a snapshot's file name: the order its document's snapshots were written
    in (the document lists them in capture-time order, which differs when a capture older
    than others was added after them)."""
    head = path.rsplit("/", 1)[-1].split("-", 1)[0]
    return int(head) if head.isdigit() else 0


def next_number(document: StoredDocument | None) -> int:
    """The number of a document's next snapshot: after every one it has."""
    if document is None:
        return 1
    return max((snapshot_number(ref.path) for ref in document.snapshots), default=0) + 1


def snapshot_document(path: str) -> str:
    """The document whose snapshot ``path`` is (``gen-<n>/snapshots/<document>/<file>``)."""
    return path.split("/")[-2]


def snapshot_hash(path: str) -> str:
    """The content-hash prefix a snapshot's file name promises."""
    return path.rsplit("/", 1)[-1].split("-", 1)[-1].removesuffix(".json")


def rebuild_path(generation: int) -> str:
    """What the rebuild that made ``generation`` read of the log (none in generation 1)."""
    return safe_path(generation_folder(generation), "rebuild.json")


def document_path(key: str, generation: int) -> str:
    return safe_path(generation_folder(generation), "documents", f"{key}.json")


def tweet_path(key: str, generation: int) -> str:
    return safe_path(generation_folder(generation), "tweets", key[-2:], f"{key}.json")


def is_own_temporary(path: str) -> bool:
    """True for a temporary file the store's own writes make: in ``raw/`` or a generation's
    folder, or the store file's, beside it. Not another program's (an export written into
    the store's folder, say), which ``verify --repair`` must not remove."""
    parts = path.split("/")
    if not is_temporary(parts[-1]):
        return False
    if len(parts) == 1:
        return parts[0].startswith(f".{STORE_FILE}.")
    return (
        parts[0] in (RAW, MEDIA, JOURNAL, MEDIA_JOURNAL, CAPTURES, INBOX)
        or re.fullmatch(r"gen-[0-9]+", parts[0]) is not None
    )


def is_safe_key(key: str) -> bool:
    """True when ``key`` can name a stored file (a record with any other key cannot exist)."""
    try:
        safe_path(key)
    except ArchiveError:
        return False
    return True


def is_source(path: str) -> bool:
    """True for the source of truth (a raw body, a media file, the log or the media index):
    never rewritten, never rebuilt."""
    return path in (LOG, MEDIA_INDEX, MEDIA_INDEX_DAMAGED) or path.startswith(
        (f"{RAW}/", f"{MEDIA}/", f"{JOURNAL}/", f"{MEDIA_JOURNAL}/", f"{CAPTURES}/")
    )


_OWN_NAME = re.compile(
    r"^(?:threadkeep-store\.json|captures\.jsonl|raw|lock|gen-[0-9]+|media|media\.jsonl(?:\.damaged)?"
    r"|journal|media-journal|captures|inbox)$"
)
# What file managers leave in a folder they only showed: such a folder is still empty.
_DESKTOP_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".directory"})


def refuse_foreign_folder(folder: str) -> None:
    """Raise :class:`ArchiveError` unless a new store may be made at ``folder``.

    A store is made only in a missing or empty folder, or in one holding nothing but a
    store's own names (another process may be making the same store at this moment, and has
    taken the ``lock`` before writing the store file): ``Archive("~/Documents")`` must not
    scatter a store among someone's files, nor take them for one.
    """
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except FileNotFoundError:
        return  # made when the first capture is written
    except NotADirectoryError:
        said = (
            f"{folder} is a file, not an archive folder"
            if os.path.lexists(folder)
            else f"{folder}: no archive folder can be made there (a part of its path is a file)"
        )
        raise ArchiveError(said, path=folder) from None
    except OSError as exc:
        raise ArchiveError(
            f"{folder}: cannot read the folder ({exc.strerror})", path=folder
        ) from exc
    foreign = sorted(
        n for n in names if not (_OWN_NAME.match(n) or is_temporary(n) or n in _DESKTOP_FILES)
    )
    if foreign:
        shown = ", ".join(repr(n) for n in foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise ArchiveError(
            f"{folder} is not a threadkeep archive and not empty (it holds {shown}): "
            "name a new or empty folder for a new archive",
            path=folder,
        )
