"""Kill rounds: SIGKILL a writer (and a reparse beside it) at random moments, then check.

Each round starts a process that captures one real thread page again and again (every
other capture changes one tweet, the others are unchanged copies of the last; in every third
round each pair of captures is added newer first, so that every second capture arrives out of
time order and re-derives the records), and, in every other round, a second process that
runs ``reparse`` in a loop on the same store. Both are killed with SIGKILL at a random
moment. Then, with no process left, the round checks the archive's promises from outside
``verify``:

* every capture in the log is visible: its document is found in the generation in use;
* each document's capture count equals the log's count of captures of that document;
* what ``verify`` says: a round where these checks fail but ``verify`` reports neither damage
  nor a record *ahead of the log* (what a capture cut short leaves) is a **miss**;
* when ``verify`` reports damage or records ahead of the log, ``verify --repair`` must leave a
  store that verifies clean and passes the checks above.

The rounds go on from one store, so damage a round leaves (and its repair) meets the next.
Exit status 1 if any round missed damage or could not be repaired.

    python fuzz/kill_rounds.py                 # 22 rounds
    python fuzz/kill_rounds.py --rounds 60 --seed 7
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from threadkeep.archive import Archive  # noqa: E402

PAGE = ROOT / "fixtures" / "constructed" / "tra_numbering_styles.html"
URL = "https://threadreaderapp.com/thread/2031282835290730497.html"

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from threadkeep.archive import Archive

    store, page, first = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
    archive = Archive(store, lock_timeout=60)
    # Times from now, a millisecond apart: a capture ``verify --repair`` recorded again at the
    # time of the repair (its own was lost) is older than the next round's.
    start = datetime.now(timezone.utc)
    swap = sys.argv[5] == "swap"
    for n in range(first, first + 400):
        # Every other capture changes one tweet; the ones between are unchanged copies.
        data = page.replace(b"Second point", b"Second point, take %d" % (n // 2))
        # Out of order: each pair of captures added newer first, so every second one is
        # older than the one before it and is merged before it (the records re-derived).
        step = n - first + (1 if n % 2 == 0 else -1) if swap else n - first
        archive.add(data, url=sys.argv[4], captured_at=start + timedelta(milliseconds=step))
        print(n, flush=True)
    """
)

REPARSER = textwrap.dedent(
    """
    import sys, time
    from threadkeep.archive import Archive

    archive = Archive(sys.argv[1], lock_timeout=60)
    print("start", flush=True)
    while True:
        archive.reparse()
        time.sleep(0.05)  # a turn for the writer: the lock is not fair
    """
)


def spawn(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", code, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def check(store: Path) -> list[str]:
    """What is wrong with the store, seen from outside ``verify``: one line each."""
    archive = Archive(store)
    wrong: list[str] = []
    logged = Counter(e.document for e in archive.captures() if e.document is not None)
    for key, count in sorted(logged.items()):
        document = archive.document(key)
        if document is None:
            wrong.append(f"{key}: logged {count} times, not found in the generation in use")
        elif document.captures != count:
            wrong.append(f"{key}: record counts {document.captures} captures, log has {count}")
    return wrong


def one_round(store: Path, number: int, chance: random.Random) -> dict[str, object]:
    first = number * 400
    swap = number % 3 == 2  # a round of captures added out of time order
    writer = spawn(WRITER, str(store), str(PAGE), str(first), URL, "swap" if swap else "")
    reparser = spawn(REPARSER, str(store)) if number % 2 else None
    assert writer.stdout is not None
    writer.stdout.readline()  # writing has begun
    wait = chance.uniform(0.0, 1.5)
    time.sleep(wait)
    for child in (writer, reparser):
        if child is not None:
            child.send_signal(signal.SIGKILL)
            child.communicate(timeout=60)
    wrong = check(store)
    report = Archive(store).verify()
    row: dict[str, object] = {
        "round": number,
        "reparse": reparser is not None,
        "order": "swapped" if swap else "in order",
        "killed_after": round(wait, 2),
        "captures": sum(1 for _ in Archive(store).captures()),
        "outside": wrong,
        "verify": "DAMAGE" if not report.ok else ("ahead" if report.ahead else "ok"),
        "miss": bool(wrong) and report.ok and not report.ahead,
        "repaired": None,
    }
    if not report.ok or report.ahead or wrong:
        Archive(store).repair()
        again = Archive(store).verify()
        row["repaired"] = again.ok and not again.ahead and not check(store)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=22)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--store", type=Path, help="a folder to keep (default: a temporary one)")
    args = parser.parse_args(argv)
    chance = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        store = args.store or Path(scratch) / "store"
        Archive(store)
        rows = [one_round(store, n, chance) for n in range(args.rounds)]
    print(
        "round  reparse     order  killed  captures  verify  repaired  checks from outside verify"
    )
    for row in rows:
        outside = "; ".join(row["outside"]) or "ok"  # type: ignore[arg-type]
        print(
            f"{row['round']:>5}  {'yes' if row['reparse'] else 'no':>7}  {row['order']:>8}"
            f"  {row['killed_after']:>5}s"
            f"  {row['captures']:>8}  {row['verify']:>6}"
            f"  {'' if row['repaired'] is None else ('ok' if row['repaired'] else 'FAILED'):>8}"
            f"  {outside}"
        )
    misses = sum(1 for row in rows if row["miss"])
    failed = sum(1 for row in rows if row["repaired"] is False)
    damaged = sum(1 for row in rows if row["outside"] or row["verify"] != "ok")
    print(
        f"{len(rows)} rounds: {damaged} left something to repair, {misses} of them missed by"
        f" verify, {failed} not repaired"
    )
    return 1 if misses or failed else 0


if __name__ == "__main__":
    sys.exit(main())
