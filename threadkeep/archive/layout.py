"""Where every file of a store lives: the one module that knows the on-disk layout.

Layout of a store (format 1, documented in ``docs/format.md``)::

    threadkeep-store.json            {"format": 1, "generation": 1, "written_by": "0.1.0"}
    captures.jsonl                   the append-only capture log, failed captures included
    raw/<ab>/<sha256>.gz             every captured body, once, gzip-compressed
    gen-<n>/snapshots/<doc>/<k>-<hash>.json   immutable parsed snapshots of each document
    gen-<n>/documents/<doc>.json     each thread / listing / article / tweet over time
    gen-<n>/tweets/<xy>/<key>.json   each tweet merged across every copy

Raw bodies and the log are the source of truth; everything under ``gen-<n>/`` is derived from
them. Every path is relative and ``/``-separated, built with :func:`safe_path` from validated
ids and hashes, so no stored name can leave the store.
"""

from __future__ import annotations

from threadkeep.archive.storage import safe_path
from threadkeep.errors import ArchiveError

__all__ = [
    "LOG",
    "RAW",
    "STORE_FILE",
    "document_path",
    "documents_folder",
    "generation_folder",
    "is_safe_key",
    "is_source",
    "raw_path",
    "raw_sha",
    "snapshot_hash",
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


def generation_folder(generation: int) -> str:
    """The folder of one generation of derived files: ``gen-<n>``."""
    return f"gen-{generation}"


def raw_path(sha256: str) -> str:
    """Where the raw body with this hash lives: ``raw/<ab>/<sha256>.gz``."""
    return safe_path(RAW, sha256[:2], f"{sha256}.gz")


def raw_sha(path: str) -> str:
    """The hash a raw body's file name promises (what its content must hash to)."""
    return path.rsplit("/", 1)[-1].removesuffix(".gz")


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


def snapshot_hash(path: str) -> str:
    """The content-hash prefix a snapshot's file name promises."""
    return path.rsplit("/", 1)[-1].split("-", 1)[-1].removesuffix(".json")


def document_path(key: str, generation: int) -> str:
    return safe_path(generation_folder(generation), "documents", f"{key}.json")


def tweet_path(key: str, generation: int) -> str:
    return safe_path(generation_folder(generation), "tweets", key[-2:], f"{key}.json")


def is_safe_key(key: str) -> bool:
    """True when ``key`` can name a stored file (a record with any other key cannot exist)."""
    try:
        safe_path(key)
    except ArchiveError:
        return False
    return True


def is_source(path: str) -> bool:
    """True for the source of truth (a raw body or the log): never rewritten, never rebuilt."""
    return path == LOG or path.startswith(f"{RAW}/")
