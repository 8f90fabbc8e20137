"""Repairing the media store (``verify --repair``): damage is set aside, never deleted.

A media file that does not match its hash is moved to ``media/damaged/<sha256>.<n>``: the
store no longer holds a file of that hash, so ``threadkeep media`` fetches it again (a file
of an account export: the next archive of the export copies it again), and ``verify`` says
it is to be fetched (not damage). A damaged line of ``media.jsonl`` is appended, as it was,
to ``media.jsonl.damaged``, which readers then pass over (the index itself is never
rewritten: its packs are written once); the files it may have named are then indexed as
files no line names (origin ``recovered``). The caller holds the store lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from threadkeep.archive import layout
from threadkeep.archive.media import MediaStore
from threadkeep.archive.storage import write_atomic_many

__all__ = ["MediaSetAside", "set_aside_damage"]

_CHUNK = 1 << 20


@dataclass
class MediaSetAside:
    """What :func:`set_aside_damage` moved: each damaged file's ``(path, where its bytes
    are now)``, and the index lines set aside (``<file> line <n>``)."""

    files: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def set_aside_damage(media: MediaStore) -> MediaSetAside:
    """Set aside every media file that does not match its hash and every damaged line of
    the index (see the module docstring)."""
    return MediaSetAside(files=_damaged_files(media), lines=_damaged_lines(media))


def _chunks(media: MediaStore, sha256: str) -> Iterator[bytes]:
    with media.open(sha256) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


def _matches(media: MediaStore, sha256: str) -> bool:
    digest = hashlib.sha256()
    for chunk in _chunks(media, sha256):
        digest.update(chunk)
    return digest.hexdigest() == sha256


def _damaged_files(media: MediaStore) -> list[tuple[str, str]]:
    storage = media.storage
    moved = []
    for path in list(media.paths()):
        sha = layout.media_sha(path)
        if _matches(media, sha):
            continue
        number = 1
        while storage.exists(layout.media_damaged_path(sha, number)):
            number += 1
        aside = layout.media_damaged_path(sha, number)
        write = getattr(storage, "write_atomic_chunks", None)
        if write is None:  # a storage that cannot stream: one file, written whole
            write_atomic_many(storage, [(aside, storage.read(path))])
        else:
            write(aside, _chunks(media, sha))
        storage.remove(path)  # its bytes are kept (durably) at ``aside`` first
        moved.append((path, aside))
    return moved


def _damaged_lines(media: MediaStore) -> list[str]:
    damaged = [number for number, item in media.lines() if isinstance(item, str)]
    if not damaged:
        return []
    places = [" line ".join(map(str, media.line_place(number))) for number in damaged]
    lines = media.journal.read().split(b"\n")
    try:
        kept = media.storage.read(layout.MEDIA_INDEX_DAMAGED)
    except FileNotFoundError:
        kept = b""
    kept += b"".join(lines[n - 1].strip() + b"\n" for n in damaged)
    write_atomic_many(media.storage, [(layout.MEDIA_INDEX_DAMAGED, kept)])
    return places
