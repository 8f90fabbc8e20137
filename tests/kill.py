"""A child process killed by SIGKILL just before its archive's n-th rename (``os.replace``).

:func:`killed_at_rename` is the script for ``python -c``: its arguments are the store, an
input file and ``n``, then any the given ``body`` reads; ``body`` opens the archive and
captures (``archive``, ``store``, ``source``, ``at`` are set; ``sys`` is imported).
"""

from __future__ import annotations

import textwrap

_PREAMBLE = """
import os, signal, sys
from datetime import datetime, timezone
from threadkeep.archive import Archive

store, source, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
real_replace, renames = os.replace, 0

def replace(*args, **kwargs):
    global renames
    renames += 1
    if renames == at:  # killed just before this rename, after the ones before it
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(*args, **kwargs)

os.replace = replace
"""


def killed_at_rename(body: str) -> str:
    """The script: the kill at the n-th rename, then ``body`` (dedented)."""
    return _PREAMBLE + textwrap.dedent(body)
