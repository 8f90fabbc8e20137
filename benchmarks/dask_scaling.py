"""Benchmark: ``threadkeep convert`` locally, then on Dask with 1 and with 2 workers.

The corpus is made once in a temporary folder: a WARC of about ``--mb`` megabytes of payload
(the Thread Reader, embed and article fixtures over and over, gzipped record by record, every
tenth page a revisit of an earlier one) and a folder of page files (the same fixtures, copied
``--copies`` times). Each engine converts the whole corpus to one JSON Lines file; the three
files must be identical (their SHA-256 is printed). Dask's times include starting and stopping
its ``LocalCluster`` and the index pass, as a user running ``--engine dask`` waits for them.
The load average is printed before each run: on a shared machine the second worker may find
no free core, so the ratio of 2 workers to 1 is measured, never assumed.

Run from the repository root::

    python benchmarks/dask_scaling.py
    python benchmarks/dask_scaling.py --mb 50 --range-mb 2 --copies 20
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FOLDERS = ("threadreader", "embeds", "articles")


def fixture_pages() -> list[Path]:
    return [page for folder in FOLDERS for page in sorted((FIXTURES / folder).glob("*.html"))]


def make_warc(path: Path, megabytes: int) -> int:
    """A crawl of about ``megabytes`` of payload; returns the page records written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = [page.read_bytes() for page in fixture_pages()]
    target, written, count = megabytes << 20, 0, 0
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        while written < target:
            for body in pages:
                url = f"https://example.org/{count}.html"
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")  # fmt: skip
                if count % 10 == 9 and count > len(pages):  # the same bytes seen again
                    record = writer.create_revisit_record(
                        url, _digest(body), "https://example.org/", "2024-05-01T10:00:00Z",
                        http_headers=http,
                    )  # fmt: skip
                else:
                    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                       http_headers=http)  # fmt: skip
                writer.write_record(record)
                written += len(body)
                count += 1
    return count


def _digest(body: bytes) -> str:
    from base64 import b32encode

    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode("ascii")


def make_files(folder: Path, copies: int) -> int:
    folder.mkdir(parents=True)
    count = 0
    for copy in range(copies):
        for page in fixture_pages():
            shutil.copyfile(page, folder / f"{copy:03d}-{page.name}")
            count += 1
    return count


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def run(engine: str, corpus: list[Path], output: Path, range_mb: int) -> tuple[float, int, int]:
    """(seconds, inputs, failures) of one conversion of ``corpus`` into ``output``."""
    from threadkeep import batch

    started = time.perf_counter()
    items = list(batch.inputs([str(path) for path in corpus]))
    plan = batch.plan(items, fmt="jsonl", output=str(output))
    report = batch.Report(len(items))
    if engine == "local":
        outcomes = batch.convert(plan, report=report, stdout=sys.stdout, stdin=sys.stdin.buffer)
    else:
        outcomes = batch.convert_dask(plan, report=report, stdout=sys.stdout,
                                      workers=int(engine), range_bytes=range_mb << 20)  # fmt: skip
    for _ in outcomes:
        pass
    return time.perf_counter() - started, len(items), len(report.failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=100, help="megabytes of WARC payload")
    parser.add_argument("--copies", type=int, default=10, help="copies of the fixture pages")
    parser.add_argument("--range-mb", type=int, default=4, help="megabytes of WARC a task")
    args = parser.parse_args()
    import dask
    import distributed

    print(f"Python {sys.version.split()[0]}, dask {dask.__version__}, distributed "
          f"{distributed.__version__}, {os.cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        pages = make_warc(folder / "crawl.warc.gz", args.mb)
        files = make_files(folder / "pages", args.copies)
        size = (folder / "crawl.warc.gz").stat().st_size / 1e6
        print(f"corpus: crawl.warc.gz ({pages} page records, {size:.0f} MB on disk) and "
              f"{files} page files; tasks of {args.range_mb} MB of WARC")  # fmt: skip
        corpus = [folder / "crawl.warc.gz", folder / "pages"]
        rates: dict[str, float] = {}
        digests = set()
        names = {"local": "local", "1": "dask, 1 worker", "2": "dask, 2 workers"}
        for engine, name in names.items():
            before = load()
            output = folder / f"out-{engine}.jsonl"
            seconds, inputs, failures = run(engine, corpus, output, args.range_mb)
            digest = hashlib.sha256(output.read_bytes()).hexdigest()[:16]
            digests.add(digest)
            rates[engine] = inputs / seconds
            print(f"{name:<16} {seconds:6.2f} s  {rates[engine]:7.0f} inputs/s  {inputs} inputs, "
                  f"{failures} failed  sha256 {digest}  load before {before}")  # fmt: skip
        print(f"2 workers / 1 worker: {rates['2'] / rates['1']:.2f}x; "
              f"2 workers / local: {rates['2'] / rates['local']:.2f}x; "
              f"outputs {'identical' if len(digests) == 1 else 'DIFFER'}")  # fmt: skip


if __name__ == "__main__":  # LocalCluster's workers are spawned: this guard is needed
    main()
