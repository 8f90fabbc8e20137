"""A loopback S3 server for the tests: moto's server app, every request handled under one lock.

moto (5.2.6) checks a conditional PutObject's ``If-None-Match`` / ``If-Match`` and then writes,
outside any lock: two racing writers could both pass the check. Here each request, its answer's
body included, is handled under one :class:`threading.Lock`, so a conditional write's check and
write are one step, as on a real object store.

Run as ``python -m tests.s3_server [PORT]``: it prints ``ready <port>`` once it answers. The
tests start it as a subprocess (:class:`S3Server`): writers run in other processes, and a
test killed in the middle must not take the server down with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Mapping
from typing import IO, Any, Self

from tests.conftest import ROOT

REGION = "us-east-1"


def serve(port: int) -> None:
    """Serve moto's S3 on ``127.0.0.1:port`` (0: any free port) until killed."""
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ: Any, start_response: Any) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))  # the body is built under the lock too

    server = make_server(
        "127.0.0.1", port, serialised, threaded=True, request_handler=MotoRequestHandler
    )
    print("ready", server.server_port, flush=True)
    server.serve_forever()


class S3Server:
    """The loopback server as a subprocess; a context manager (started on enter, stopped on
    exit). ``endpoint`` is its ``http://`` address, ``env`` what a client (or a child process)
    needs to reach it. ``extra_env`` goes to the server's own environment (moto's settings)."""

    def __init__(self, extra_env: Mapping[str, str] | None = None) -> None:
        self._extra = dict(extra_env or {})
        self._process: subprocess.Popen[str] | None = None
        self.endpoint = ""

    def __enter__(self) -> Self:
        env = {**os.environ, **self._extra, "PYTHONPATH": str(ROOT)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.s3_server", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None
        line = stdout.readline().split()
        if line[:1] != ["ready"]:
            self._process.kill()
            raise RuntimeError(f"the loopback S3 server did not start: {line}")
        self.endpoint = f"http://127.0.0.1:{line[1]}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()

    @property
    def env(self) -> dict[str, str]:
        """The environment of a client of this server (credentials moto accepts)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def boto3(self) -> Any:
        """A boto3 S3 client of this server (for the tests that check the server itself)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        """Make a bucket with a fresh name and return the name."""
        name = f"tk-{uuid.uuid4().hex[:16]}"
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
        return name

    def reset(self) -> None:
        """Forget every bucket (moto's reset)."""
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset", data=json.dumps({}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()


def fixtures() -> tuple[Any, Any]:
    """The pytest fixtures ``s3_server`` (the session's server, with its client environment
    set in ``os.environ`` for this process and inherited by child processes) and ``s3_store``
    (``s3://<a fresh bucket>/store``). A test module imports them by name."""
    import pytest

    @pytest.fixture(scope="session")
    def s3_server() -> Any:
        pytest.importorskip("obstore")
        pytest.importorskip("moto")
        with S3Server() as server:
            saved = {name: os.environ.get(name) for name in server.env}
            os.environ.update(server.env)
            try:
                yield server
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value

    @pytest.fixture
    def s3_store(s3_server: S3Server) -> str:
        return f"s3://{s3_server.new_bucket()}/store"

    return s3_server, s3_store


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
