"""Run the parse() fuzzer for each input kind, with a time limit, and report what it found.

    python fuzz/run.py                        # html, text and json, 10 minutes each, 2 at a time
    python fuzz/run.py --kinds json --seconds 60
    python fuzz/run.py --work /tmp/tk-fuzz    # keep the corpus and crashes there (the default)

Needs atheris (``pip install atheris``). Each kind starts from its seed fixtures (copied into
``WORK/<kind>/seeds``), keeps what it learns in ``WORK/<kind>/corpus`` (so a second run goes on
from there) and writes any crashing input as ``WORK/<kind>/crash-<sha1>`` (or ``timeout-``,
``oom-``); the log is ``WORK/<kind>/log``, each round appended. Every crash found belongs in
``fixtures/hostile/`` as a regression case, with its outcome in ``fixtures/hostile/expected.json``.

Exit status 0 when no kind found a crash, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = {
    "html": [
        "threadreader/*.html",
        "listing/*.html",
        "constructed/*.html",
        "articles/*.html",
        "embeds/*.html",
        "embeds/*.md",
        "broken/*.html",
        "hostile/*.html",
        "nitter/*.html",
        "status/*.html",
        "status/refused/*.html",
        "substack/*.html",
        "substack/*.md",
        "id_embeds/*.html",
        "id_embeds/*.md",
        "negatives/*.html",
    ],
    "text": [
        "text/*.txt",
        "text/*.md",
        "broken/*.txt",
        "broken/*.md",
        "text_articles/*.txt",
        "text_articles/*.md",
        "text_threadreader/*.txt",
        "text_threadreader/*.md",
        "negatives/*.txt",
        "negatives/*.md",
    ],
    "json": ["answers/*.input.json", "answers/*[0-9].json", "hostile/*.json"],
}
# libFuzzer options: a slow input (over 10 s) or one using over 2 GB is a crash too.
OPTIONS = ["-timeout=10", "-rss_limit_mb=2048", "-max_len=200000", "-print_final_stats=1"]


def seed(kind: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for pattern in SEEDS[kind]:
        for path in FIXTURES.glob(pattern):
            if not path.name.endswith(".recipe.json") and path.name != "expected.json":
                shutil.copy(path, folder / path.name)
                count += 1
    return count


def run(kind: str, seconds: int, work: Path) -> tuple[str, int, list[Path]]:
    """Fuzz one kind; its number of runs and its crashing inputs."""
    folder = work / kind
    seeds, corpus = folder / "seeds", folder / "corpus"
    seed(kind, seeds)
    corpus.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(ROOT / "fuzz" / "fuzz_parse.py"),
        f"--kind={kind}",
        f"-max_total_time={seconds}",
        f"-artifact_prefix={folder}/",
        *OPTIONS,
        str(corpus),
        str(seeds),
    ]
    log_path = folder / "log"
    start = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "a") as log:  # each round appends: earlier rounds stay readable
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False, cwd=ROOT)
    with open(log_path, "rb") as log:
        log.seek(start)
        text = log.read().decode(errors="replace")  # this round's part only
    # "Done N runs" at a normal end; after a crash, the last status line's "#N".
    done = re.findall(r"Done (\d+) runs in (\d+) second", text)
    status = re.findall(r"^#(\d+)\s", text, re.M)
    runs = int(done[-1][0]) if done else int(status[-1]) if status else 0
    crashes = sorted(
        p for p in folder.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-"))
    )
    return kind, runs, crashes


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--kinds", nargs="+", default=["html", "text", "json"])
    options.add_argument("--seconds", type=int, default=600)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tk-fuzz")
    args = options.parse_args()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda k: run(k, args.seconds, args.work), args.kinds))
    found = False
    for kind, runs, crashes in results:
        print(f"{kind}: {runs} runs in {args.seconds} s, {len(crashes)} crashing inputs")
        for crash in crashes:
            print(f"  {crash}")
            found = True
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
