"""Benchmark: the S3 client libraries threadkeep could use, on the loopback S3 server (issue 19).

Why the archive's bucket storage (``threadkeep/archive/s3.py``) is built on obstore, measured:
for obstore, boto3 and s3fs (fsspec) each, in a fresh process of its own,

* the **import** a command pays (``import`` of the library, and of what makes a client, timed
  in the process; median of 5 processes);
* the median of ``--ops`` requests (default 200) of each kind the archive makes: a 1 KB
  **put**, a 1 KB **get**, a **create** (``If-None-Match: *``) and a **replace if unchanged**
  (``If-Match`` on the ETag), through the library's public API; s3fs offers no ``If-Match``,
  so that row is its private ``_call_s3`` (marked);
* a **list** of 1,000 keys (median of 20).

One command; it starts the tests' loopback S3 server (``tests/s3_server.py``: moto's server,
every request handled under one lock) and stops it::

    python benchmarks/s3_clients.py               # obstore and boto3 (both in the dev extras)
    pip install s3fs && python benchmarks/s3_clients.py   # s3fs too

A library that is not installed is named and left out. The loopback server answers one
request at a time, so the figures compare the clients' own costs; against a real store the
network's latency adds to every request alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = ("obstore", "boto3", "s3fs")
BODY = os.urandom(1024)


def _median_ms(call: Callable[[int], object], count: int) -> float:
    times = []
    for n in range(count):
        start = time.perf_counter()
        call(n)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _imported(name: str) -> float:
    """Seconds to import the library and make its client (in this fresh process)."""
    start = time.perf_counter()
    if name == "obstore":
        import obstore.store

        obstore.store.S3Store("warmup", endpoint=os.environ["AWS_ENDPOINT_URL"])
    elif name == "boto3":
        import boto3

        boto3.client("s3")
    else:
        import s3fs

        s3fs.S3FileSystem()
    return time.perf_counter() - start


def _measure(name: str, bucket: str, ops: int) -> dict[str, Any]:
    """One client's figures (run in a process of its own)."""
    prefix = f"{name}-{uuid.uuid4().hex[:8]}"
    found: dict[str, Any] = {"client": name}
    if name == "obstore":
        import obstore
        from obstore.store import S3Store

        store = S3Store(bucket, endpoint=os.environ["AWS_ENDPOINT_URL"], client_options={
            "allow_http": True})  # fmt: skip
        found["version"] = obstore.__version__
        found["put"] = _median_ms(lambda n: obstore.put(store, f"{prefix}/p/{n}", BODY), ops)
        found["get"] = _median_ms(lambda n: obstore.get(store, f"{prefix}/p/{n}").bytes(), ops)
        found["create"] = _median_ms(
            lambda n: obstore.put(store, f"{prefix}/c/{n}", BODY, mode="create"), ops
        )
        etag = [str(obstore.put(store, f"{prefix}/u", BODY)["e_tag"])]

        def replace(n: int) -> None:
            etag[0] = str(obstore.put(store, f"{prefix}/u", BODY + b"%d" % n, mode={
                "e_tag": etag[0]})["e_tag"])  # fmt: skip

        found["replace_if"] = _median_ms(replace, ops)
        for n in range(1000):
            obstore.put(store, f"{prefix}/l/{n:05d}", b"x")

        def listed(_: int) -> None:
            assert sum(len(page) for page in obstore.list(store, prefix=f"{prefix}/l/")) == 1000

        found["list"] = _median_ms(listed, 20)
    elif name == "boto3":
        import boto3

        client = boto3.client("s3")
        found["version"] = boto3.__version__
        found["put"] = _median_ms(
            lambda n: client.put_object(Bucket=bucket, Key=f"{prefix}/p/{n}", Body=BODY), ops
        )
        found["get"] = _median_ms(
            lambda n: client.get_object(Bucket=bucket, Key=f"{prefix}/p/{n}")["Body"].read(), ops
        )
        found["create"] = _median_ms(
            lambda n: client.put_object(
                Bucket=bucket, Key=f"{prefix}/c/{n}", Body=BODY, IfNoneMatch="*"
            ),
            ops,
        )
        tag = [client.put_object(Bucket=bucket, Key=f"{prefix}/u", Body=BODY)["ETag"]]

        def replace_b(n: int) -> None:
            tag[0] = client.put_object(
                Bucket=bucket, Key=f"{prefix}/u", Body=BODY + b"%d" % n, IfMatch=tag[0]
            )["ETag"]

        found["replace_if"] = _median_ms(replace_b, ops)
        for n in range(1000):
            client.put_object(Bucket=bucket, Key=f"{prefix}/l/{n:05d}", Body=b"x")
        pages = client.get_paginator("list_objects_v2")

        def listed_b(_: int) -> None:
            got = sum(
                p.get("KeyCount", 0) for p in pages.paginate(Bucket=bucket, Prefix=f"{prefix}/l/")
            )
            assert got == 1000

        found["list"] = _median_ms(listed_b, 20)
    else:
        import s3fs
        from fsspec.asyn import sync

        fs = s3fs.S3FileSystem()
        base = f"{bucket}/{prefix}"
        found["version"] = s3fs.__version__
        found["put"] = _median_ms(lambda n: fs.pipe_file(f"{base}/p/{n}", BODY), ops)
        found["get"] = _median_ms(lambda n: fs.cat_file(f"{base}/p/{n}"), ops)
        found["create"] = _median_ms(
            lambda n: fs.pipe_file(f"{base}/c/{n}", BODY, mode="create"), ops
        )
        put = fs._call_s3  # no public If-Match: its private call, marked in the table
        etag_s = [
            sync(fs.loop, put, "put_object", Bucket=bucket, Key=f"{prefix}/u", Body=BODY)["ETag"]
        ]

        def replace_s(n: int) -> None:
            etag_s[0] = sync(fs.loop, put, "put_object", Bucket=bucket, Key=f"{prefix}/u",
                             Body=BODY + b"%d" % n, IfMatch=etag_s[0])["ETag"]  # fmt: skip

        found["replace_if"] = _median_ms(replace_s, ops)
        found["replace_if_private"] = True
        for n in range(1000):
            fs.pipe_file(f"{base}/l/{n:05d}", b"x")

        def listed_s(_: int) -> None:
            fs.invalidate_cache()
            assert len(fs.find(f"{base}/l/")) == 1000

        found["list"] = _median_ms(listed_s, 20)
    return found


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ops", type=int, default=200, help="requests of each kind (median)")
    parser.add_argument("--child", nargs=2, metavar=("CLIENT", "BUCKET"), help=argparse.SUPPRESS)
    parser.add_argument("--import-only", metavar="CLIENT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_only:
        print(json.dumps({"seconds": _imported(args.import_only)}))
        return
    if args.child:
        print(json.dumps(_measure(args.child[0], args.child[1], args.ops)))
        return
    from tests.s3_server import S3Server

    load = os.getloadavg()[0]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load:.1f}")
    rows = []
    with S3Server() as server:
        env = {**os.environ, **server.env, "PYTHONPATH": str(ROOT)}
        for name in CLIENTS:
            if not _installed(name):
                print(f"{name}: not installed (pip install {name}): left out")
                continue
            imports = [_child(["--import-only", name], env)["seconds"] * 1000 for _ in range(5)]
            found = _child(["--ops", str(args.ops), "--child", name, server.new_bucket()], env)
            found["import"] = statistics.median(imports)
            rows.append(found)
    print(f"\nmedians in ms ({args.ops} requests of each kind; list: 20 lists of 1,000 keys)")
    print("| client | import + client | put 1 KB | get 1 KB | create (If-None-Match) "
          "| replace (If-Match) | list 1,000 keys |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        mark = " (private API)" if row.get("replace_if_private") else ""
        print(
            f"| {row['client']} {row['version']} | {row['import']:.0f} | {row['put']:.1f} "
            f"| {row['get']:.1f} | {row['create']:.1f} | {row['replace_if']:.1f}{mark} "
            f"| {row['list']:.0f} |"
        )


if __name__ == "__main__":
    main()
