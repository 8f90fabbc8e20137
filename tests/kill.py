"""A child process killed by SIGKILL just before its archive's n-th rename (``os.replace``).

:func:`killed_at_rename` is the script for ``python -c``: its arguments are the store, an
input file and ``n``, then any the given ``body`` reads; ``body`` opens the archive and
captures (``archive``, ``store``, ``source``, ``at`` are set; ``sys`` is imported).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

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


def killed(script: str, *args: str) -> bool:
    """Run ``script`` (:func:`killed_at_rename`) in a child: True when it was killed at its
    rename, False when it had fewer renames and ran to the end (the capture was made)."""
    child = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if child.returncode == 0:
        return False
    assert child.returncode == -signal.SIGKILL, child.returncode
    return True
