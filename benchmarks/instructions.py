"""Instructions per call of one stage of a parse, counted by callgrind (repeatable under load).

    python benchmarks/instructions.py STAGE PAGE [N]

``PAGE`` is a path under ``fixtures/`` (``embeds/basicthinking_de_2018_erfolgreiche-tweets.html``);
``STAGE`` is one of the names below, or any Python expression over ``data`` (the page's
bytes), ``root`` (its tree, loaded once beforehand) and the modules imported here
(``threadkeep``, ``html``, ``embed_ids``, ``embeds``, ``webarchive``, ``inputs``, ``encoding``,
``threadreader``, ``listing``, ``nitter``, ``status_page``, ``markers``, ``floor``).

The script runs itself twice under ``valgrind --tool=callgrind``: once calling the stage
``N`` times (default 10) and once zero times, each after two warm-up calls, with the garbage
collector off and ``PYTHONHASHSEED=0`` (so that counts repeat exactly), and prints the
difference over ``N``: one call's cost, without the interpreter's start-up and imports. A
count is no time (a byte search and a tree walk differ in time per instruction), but it
repeats to within a fraction of a percent on a busy machine, where times wander by 30 %.

Needs ``valgrind`` on the PATH (``apt install valgrind``).
"""

from __future__ import annotations

import gc
import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

STAGES: dict[str, str] = {
    "full": "threadkeep.parse(data)",
    "family": "floor.article_family(data)",
    "bare": "lxml.html.fromstring(data)",
    "load": "html.load(data)",
    "attrs": "html._check_attributes(data, None)",
    "encoding": "encoding.detect(data)",
    "capture_time": "webarchive.capture_time(data, None)",
    "page_hints": "embed_ids.page_hints(data)",
    "markers": "markers.may_hold_markup(root)",
    "thread_tweet_elements": "threadreader.thread_tweet_elements(root)",
    "permalinks": "threadreader.permalinks(root)",
    "is_listing": "listing.is_listing(root)",
    "nitter_items": "nitter.nitter_items(root)",
    "status_page": "status_page.find_status_page(inputs.Input(data, None))",
    "has_embeds": "embeds.has_embeds(root)",
}
_COLLECTED = re.compile(r"Collected : (\d+)")


_MODULES = {
    "floor": "floor",
    "lxml": "lxml",
    "lxml_html": "lxml.html",
    "threadkeep": "threadkeep",
    "encoding": "threadkeep.encoding",
    **{
        name: f"threadkeep.parsing.{name}"
        for name in (
            "embed_ids",
            "embeds",
            "html",
            "inputs",
            "listing",
            "markers",
            "nitter",
            "status_page",
            "threadreader",
            "webarchive",
        )
    },
}


def _stage(expression: str, data: bytes) -> Callable[[], object]:
    """The stage as a function of no arguments, its names bound to the page and modules."""
    names: dict[str, object] = {
        name: importlib.import_module(module) for name, module in _MODULES.items()
    }
    names["data"] = data
    names["root"] = importlib.import_module("threadkeep.parsing.html").load(data).root
    code = compile(STAGES.get(expression, expression), "<stage>", "eval")
    return lambda: eval(code, names)


def _child(expression: str, page: str, count: int) -> int:
    """Call the stage ``count`` times after two warm-up calls, the collector off."""
    stage = _stage(expression, (ROOT / "fixtures" / page).read_bytes())
    for _ in range(2):
        stage()
    gc.collect()
    gc.disable()
    for _ in range(count):
        stage()
    return 0


def _instructions(expression: str, page: str, count: int) -> int:
    """The instructions callgrind counts for a child run of ``count`` calls."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        expression,
        page,
        str(count),
    ]
    env = dict(os.environ, PYTHONHASHSEED="0")
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return _child(argv[1], argv[2], int(argv[3]))
    if len(argv) not in (2, 3) or argv[0] in ("-h", "--help"):
        print(__doc__)
        print("stages:", ", ".join(STAGES))
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt install valgrind)")
    expression, page = argv[0], argv[1]
    count = int(argv[2]) if len(argv) == 3 else 10
    if not (ROOT / "fixtures" / page).is_file():
        raise SystemExit(f"no such page under fixtures/: {page}")
    per_call = (_instructions(expression, page, count) - _instructions(expression, page, 0)) / count
    print(f"{expression}  {page}  {per_call / 1e6:.3f} M instructions per call ({count} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
