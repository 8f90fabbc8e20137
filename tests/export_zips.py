"""Hostile account exports (fixtures/hostile/export/): zips and folders built from recipes.

A zip is written byte by byte here, not with :mod:`zipfile`, because the cases are zips
:mod:`zipfile` would not write: members that lie about their size, share their data, carry a
symbolic link's mode or an encryption flag, or a directory with more entries than its end
record says. A recipe (``<case>.recipe.json``)::

    {"describe": "…", "container": "zip" | "folder",
     "members": [{"name": "data/tweets.js", "parts": [["text", times], …]}, …],
     "repeat_last_entry": n,      # the central directory repeats its last entry n more times
     "declare_count": n}          # the end record's member count

A member's bytes are ``text`` or ``parts`` (as in tests/hostile.py), or ``zeros_mib`` MiB of
zeros, compressed in well under a second (tests/bombs.py). Zip members may also say
``"stored": true``, ``"declare_size": n`` (the uncompressed size written in the headers),
``"symlink": true``, ``"encrypted": true`` or ``"same_data_as": <index>`` (its central entry
points at an earlier member's local header: overlapping data). Folder members may say
``"link_to": target`` (a symbolic link), ``"fifo": true`` or ``"sparse_mib": n`` (a file of n
MiB that takes no disk space).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

from tests.bombs import zeros_deflate
from tests.hostile import build

EXPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "hostile" / "export"
EXPECTED: dict[str, dict[str, Any]] = json.loads((EXPORTS / "expected.json").read_text("utf-8"))

_UNIX = 3 << 8  # "made by" Unix, version 0
_SYMLINK_MODE = 0o120777 << 16
_FILE_MODE = 0o100644 << 16


def recipe(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXPORTS / name).read_text("utf-8"))
    return loaded


def content(member: dict[str, Any]) -> bytes:
    if "parts" in member:
        return build({"parts": member["parts"]})
    return str(member.get("text", "")).encode("utf-8")


def zip_bytes(spec: dict[str, Any]) -> bytes:
    """The zip a recipe describes."""
    local = bytearray()
    entries: list[bytes] = []
    offsets: list[int] = []
    for member in spec["members"]:
        name = member["name"].encode("utf-8")
        if "zeros_mib" in member:
            data, size, crc, method = zeros_deflate(member["zeros_mib"], -15), 0, 0, 8
            size = member["zeros_mib"] << 20
        else:
            raw = content(member)
            size, crc = len(raw), zlib.crc32(raw)
            if member.get("stored"):
                data, method = raw, 0
            else:
                squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
                data, method = squeeze.compress(raw) + squeeze.flush(), 8
        size = member.get("declare_size", size)
        flags = 0x800 | (1 if member.get("encrypted") else 0)
        mode = _SYMLINK_MODE if member.get("symlink") else _FILE_MODE
        fields = (20, flags, method, 0, 0x21, crc, len(data), size, len(name), 0)
        if "same_data_as" in member:
            offset = offsets[member["same_data_as"]]
        else:
            offset = len(local)
            local += b"PK\x03\x04" + struct.pack("<5H3L2H", *fields) + name + data
        offsets.append(offset)
        entries.append(
            b"PK\x01\x02"
            + struct.pack("<6H3L5H2L", _UNIX | 20, *fields, 0, 0, 0, mode, offset)
            + name
        )
    entries.extend([entries[-1]] * spec.get("repeat_last_entry", 0))
    directory = b"".join(entries)
    count = spec.get("declare_count", len(entries))
    end = b"PK\x05\x06" + struct.pack(
        "<4H2LH", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), len(local), 0
    )
    if count >= 0xFFFF:  # Zip64: the real count is in a record of its own, found by a locator
        at = len(local) + len(directory)
        record = struct.pack(
            "<4sQ2H2L4Q",
            b"PK\x06\x06",
            44,
            _UNIX | 45,
            45,
            0,
            0,
            count,
            count,
            len(directory),
            len(local),
        )
        locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
        end = record + locator + end
    return bytes(local) + directory + end


def make_folder(spec: dict[str, Any], root: Path) -> Path:
    """The folder a recipe describes, made under ``root``."""
    for member in spec["members"]:
        path = root / member["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        if "link_to" in member:
            path.symlink_to(member["link_to"])
        elif member.get("fifo"):
            os.mkfifo(path)
        elif "sparse_mib" in member:
            with path.open("wb") as handle:
                handle.truncate(member["sparse_mib"] << 20)
        else:
            path.write_bytes(content(member))
    return root


def make_case(name: str, folder: Path) -> Path:
    """The case ``name`` as a file or folder inside ``folder``."""
    spec = recipe(name)
    if spec.get("container", "zip") == "folder":
        return make_folder(spec, folder / name.removesuffix(".recipe.json"))
    path = folder / (name.removesuffix(".recipe.json") + ".zip")
    path.write_bytes(zip_bytes(spec))
    return path
