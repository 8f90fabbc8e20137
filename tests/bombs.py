"""Compression bombs for the fetch tests, and a probe that fetches one in a fresh process.

The bombs are built by streaming, never by holding what they expand to: :func:`zeros_gzip`
compresses one MiB of zeros with a full flush, after which every further MiB compresses to
the same bytes, so 4 GiB of zeros becomes those bytes repeated (about 4 MB, built in well
under a second), closed by the end block and the gzip trailer (CRC-32 and size mod 2**32).

Run as a module, it fetches one url with the sync or the async client and prints one JSON
line (the error, its message, the seconds taken and the peak memory), so that a test can hold
the fetch to a memory and time bound::

    python -m tests.bombs http://127.0.0.1:8000/bomb sync
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import resource
import sys
import time
import zlib
from pathlib import Path
from typing import Any

MIB = 1 << 20
# A guard for a regression, not the bound tested: past it the probe fails with MemoryError
# instead of taking the machine's memory (the fetch this module was made for used 8.4 GB).
ADDRESS_SPACE = 1 << 30


def zeros_deflate(mib: int, wbits: int) -> bytes:
    """``mib`` MiB of zeros compressed with ``wbits`` (31: gzip, 15: zlib, -15: raw deflate)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MIB)
    first = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    again = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    assert squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH) == again
    end = squeeze.flush(zlib.Z_FINISH)  # the end block, then this stream's own trailer
    body = first + again * (mib - 1) + end[: len(end) - _trailer_size(wbits)]
    if wbits > 15:  # gzip: CRC-32 and size, little-endian
        size = (mib * MIB % (1 << 32)).to_bytes(4, "little")
        return body + _checksum(zlib.crc32, block, mib, 0).to_bytes(4, "little") + size
    if wbits > 0:  # zlib: Adler-32, big-endian
        return body + _checksum(zlib.adler32, block, mib, 1).to_bytes(4, "big")
    return body


def _checksum(update: Any, block: bytes, times: int, value: int) -> int:
    for _ in range(times):
        value = update(block, value)
    return int(value)


def _trailer_size(wbits: int) -> int:
    return 8 if wbits > 15 else 4 if wbits > 0 else 0


def zeros_gzip(mib: int) -> bytes:
    """``mib`` MiB of zeros, gzipped."""
    return zeros_deflate(mib, 31)


def nested_gzip(mib: int = 4096) -> bytes:
    """gzip of gzip of ``mib`` MiB of zeros: 4 GiB in about 7 KB, sent as ``gzip, gzip``."""
    return gzip.compress(zeros_gzip(mib), 9)


def probe(url: str, how: str, **settings: Any) -> dict[str, Any]:
    """Fetch ``url`` with the ``sync`` or ``async`` client; what it gave, its time and memory."""
    import threadkeep

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    started = time.monotonic()
    found: dict[str, Any] = {}
    try:
        if how == "sync":
            with threadkeep.Client(**settings) as client:
                found["size"] = len(client.fetch(url).content)
        else:
            found["size"] = len(asyncio.run(_fetch_async(url, settings)).content)
    except Exception as exc:  # the probe reports whatever the fetch ended in
        found.update(error=type(exc).__name__, message=str(exc)[:300])
    found["seconds"] = round(time.monotonic() - started, 2)
    found["peak_mb"] = round(peak_kib() / 1024)
    return found


def peak_kib() -> int:
    """This process's peak resident memory, in KiB.

    Linux's ``ru_maxrss`` survives ``execve``: a process forked from a large one (pytest after
    three thousand tests, 318 MB) reports the parent's size. ``VmHWM`` belongs to the memory
    of this program alone.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _fetch_async(url: str, settings: dict[str, Any]) -> Any:
    import threadkeep

    async with threadkeep.AsyncClient(**settings) as client:
        return await client.fetch(url)


if __name__ == "__main__":
    url, how = sys.argv[1:3]
    print(json.dumps(probe(url, how, retries=0, min_interval=0, timeout=10, deadline=60)))
