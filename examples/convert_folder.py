"""Convert a folder of saved pages into one JSON Lines file, one parsed page a line.

    python examples/convert_folder.py fixtures/threadreader threads.jsonl

Every ``.html``, ``.htm`` and ``.txt`` file below the folder is parsed with
:func:`threadkeep.parse`, in sorted order; each result is one line of JSON (read it back with
``threadkeep.models.result_adapter.validate_json(line)``). A page that cannot be parsed is
named on stderr with the reason and left out. The output is written whole at the end, through
a temporary file, so a crash never leaves half of it. Exit status 0 when every page was
converted, 1 when some failed (the others are still written), 2 when there was nothing to do.

The command line does the same: ``threadkeep convert FOLDER --format jsonl -o OUT``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

import threadkeep

SUFFIXES = {".html", ".htm", ".txt"}  # saved pages and text copies; add ".json" for answers


def pages(folder: Path) -> list[Path]:
    """Every saved page below ``folder``, sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of saved pages")
    parser.add_argument("output", type=Path, help="the JSON Lines file to write")
    args = parser.parse_args(argv)
    found = pages(args.folder) if args.folder.is_dir() else []
    if not found:
        print(f"convert_folder: no saved pages in {args.folder}", file=sys.stderr)
        return 2
    lines: list[str] = []
    kinds: Counter[str] = Counter()
    failed = 0
    for path in found:
        try:
            result = threadkeep.parse(path.read_bytes(), source=str(path))
        except threadkeep.ParseError as exc:
            failed += 1
            print(f"convert_folder: {exc}", file=sys.stderr)
            continue
        kinds[result.kind] += 1
        lines.append(result.model_dump_json() + "\n")
    temporary = args.output.with_name(f".{args.output.name}.tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    os.replace(temporary, args.output)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"converted {len(lines)} of {len(found)} pages to {args.output} ({summary or 'none'})")
    if failed:
        print(f"convert_folder: {failed} of {len(found)} pages failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
