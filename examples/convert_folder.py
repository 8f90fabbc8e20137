"""Convert a folder of saved pages into one JSON Lines file, one parsed page a line.

    python examples/convert_folder.py fixtures/threadreader threads.jsonl

Every ``.html``, ``.htm`` and ``.txt`` file below the folder is parsed, in sorted order, by
:mod:`threadkeep.batch` (the library under ``threadkeep convert``); each result is one line of
JSON (read it back with ``threadkeep.models.result_adapter.validate_json(line)``). A page that
cannot be parsed is named on stderr with the reason and left out. Lines are written as each
page is done, into a temporary file renamed into place at the end, so a crash never leaves
half of it. Exit status 0 when every page was converted, 1 when some failed (the others are
still written), 2 when there was nothing to do.

The command line does the same: ``threadkeep convert FOLDER --format jsonl -o OUT``.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import Counter
from pathlib import Path

from threadkeep import batch

# Saved pages and text copies only: this script leaves out what else threadkeep reads in a
# folder (batch.SUFFIXES: Markdown clippings, JSON answers).
SUFFIXES = {".html", ".htm", ".txt"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of saved pages")
    parser.add_argument("output", type=Path, help="the JSON Lines file to write")
    args = parser.parse_args(argv)
    found = [
        item
        for item in (batch.inputs([str(args.folder)]) if args.folder.is_dir() else [])
        if item.relative.suffix.lower() in SUFFIXES
    ]
    if not found:
        print(f"convert_folder: no saved pages in {args.folder}", file=sys.stderr)
        return 2
    run = batch.plan(found, fmt="jsonl", output=str(args.output))
    report = batch.Report(len(found), noun="page")
    kinds: Counter[str] = Counter()
    for outcome in batch.convert(run, report=report, stdout=sys.stdout, stdin=io.BytesIO()):
        if outcome.error:
            print(f"convert_folder: {outcome.error}", file=sys.stderr)
        elif outcome.kind:
            kinds[outcome.kind] += 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(
        f"converted {report.succeeded} of {len(found)} pages to {args.output} ({summary or 'none'})"
    )
    if report.failures:
        print(f"convert_folder: {report.summary()}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
