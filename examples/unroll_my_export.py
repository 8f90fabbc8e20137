"""Unroll the threads of your own X/Twitter archive into one Markdown file per thread.

    python examples/unroll_my_export.py twitter-2024-11-16.zip threads/
    python examples/unroll_my_export.py fixtures/export/modern-alrocar-2024 threads/

The export is the zip X/Twitter lets every account download ("Download an archive of your
data"), or the folder it unpacks to; exports of every era are read (2022 on, 2019–2022 and the
Grailbird exports before 2019). Each thread (a chain of your own tweets replying to each other)
becomes ``<root tweet id>.md`` in the output folder, unrolled as a Thread Reader page would show
it; a thread with a missing link (a tweet you deleted that the export does not hold) says so.
The script prints one line per thread, then what the export holds. Exit status 0 when done,
1 when the export cannot be read (the reason names the file inside it), 2 when the input is
not an export.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import threadkeep
from threadkeep.render import to_markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="the export's zip, or its unpacked folder")
    parser.add_argument("output", type=Path, help="the folder to write the threads into")
    args = parser.parse_args(argv)
    try:
        export = threadkeep.parse(args.export, expect=threadkeep.Export)
    except threadkeep.UnsupportedPage as exc:
        print(f"unroll_my_export: {exc}", file=sys.stderr)
        return 2
    except (threadkeep.ParseError, OSError) as exc:
        print(f"unroll_my_export: {exc}", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    for thread in export.threads:
        (args.output / f"{thread.id}.md").write_text(to_markdown(thread), "utf-8")
        first = (thread.tweets[0].text or "").split("\n")[0][:60]
        missing = "" if thread.complete else f", missing {list(thread.gaps)}"
        print(f"{thread.id}: {len(thread.tweets)} tweets{missing}: {first}")
    account = export.account.handle if export.account else "unknown account"
    deleted = sum(1 for tweet in export.tweets if tweet.deleted)
    print(
        f"@{account}: {len(export.tweets)} tweets ({deleted} deleted), "
        f"{len(export.threads)} threads written to {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
