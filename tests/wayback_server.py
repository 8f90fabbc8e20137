"""A web archive on loopback: the CDX index and the replay of captures, from fixtures.

:class:`Wayback` answers the two interfaces ``threadkeep recover`` asks, as the web archive
does (https://github.com/internetarchive/wayback/tree/master/wayback-cdx-server):

* ``/cdx/search/cdx?url=…`` from a scenario's CDX answers (``fixtures/wayback/*.json``,
  written in the documented format: they cannot be fetched here); each url's answer is a list
  of pages, the next one served for the resume key the page before ends with; a url with no
  answer gets ``[]``, as the archive says "nothing";
* ``/web/{timestamp}id_/{original}`` from the scenario's captures: the bytes of a real saved
  copy in ``fixtures/`` (named by path), or a redirect, or an error status.

A test may replace any answer (``cdx_raw``: bytes as given, for hostile ones), slow one down,
or make the first requests answer 503 with Retry-After; ``requests`` lists what was asked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import FIXTURES, ROOT

WAYBACK = FIXTURES / "wayback"


class Loopback:
    """A threaded werkzeug server on a loopback address, answering with ``self._app``; a
    context manager: started on enter, stopped on exit. ``base`` is its ``http://`` address."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._server = make_server(host, 0, self._app, threaded=True, request_handler=_Quiet)
        self.base = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,))

    def _app(self, environ: Any, start_response: Any) -> Any:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


class Wayback(Loopback):
    """The loopback archive of one scenario (a ``fixtures/wayback/<name>.json``)."""

    def __init__(self, scenario: str | dict[str, Any]) -> None:
        loaded = scenario if isinstance(scenario, dict) else _load(scenario)
        self.cdx: dict[str, list[Any]] = dict(loaded.get("cdx", {}))
        self.replay: dict[str, dict[str, Any]] = dict(loaded.get("replay", {}))
        self.cdx_raw: dict[str, bytes] = {}
        self.busy = 0  # how many requests to answer 503 (Retry-After: 1) first
        self.delay = 0.0  # seconds each replay waits before answering
        self.requests: list[str] = []
        super().__init__()

    def fetched(self) -> list[str]:
        """The replays asked for, ``timestamp/original`` each, in order."""
        return [r.removeprefix("/web/").replace("id_/", "/", 1) for r in self.requests
                if r.startswith("/web/")]  # fmt: skip

    def looked_up(self) -> list[str]:
        """The urls looked up in the index (each page's request once), in order."""
        return [
            parse_qs(r.split("?", 1)[1])["url"][0]
            for r in self.requests
            if r.startswith("/cdx/") and "resumeKey=" not in r
        ]

    @Request.application  # type: ignore[misc]
    def _app(self, request: Request) -> Response:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        self.requests.append(raw)
        if self.busy > 0:
            self.busy -= 1
            return Response("busy", status=503, headers={"Retry-After": "1"})
        if request.path == "/cdx/search/cdx":
            return self._index(request)
        if raw.startswith("/web/"):
            return self._capture(raw.removeprefix("/web/"))
        return Response("not here", status=404)

    def _index(self, request: Request) -> Response:
        url = request.args.get("url", "")
        if url in self.cdx_raw:
            return Response(self.cdx_raw[url], content_type="application/json")
        pages = self.cdx.get(url, [[]])
        key = request.args.get("resumeKey")
        page = pages[0]
        if key is not None:
            after = [i for i, p in enumerate(pages[:-1]) if p and p[-1] == [key]]
            page = pages[after[0] + 1] if after else []
        return Response(json.dumps(page), content_type="application/json")

    def _capture(self, rest: str) -> Response:
        stamp, _, original = rest.partition("/")
        capture = self.replay.get(f"{stamp.removesuffix('id_')}/{original}")
        if self.delay:
            time.sleep(self.delay)
        if capture is None:
            return Response("Wayback Machine has not archived that URL.", status=404)
        if "location" in capture:
            return Response("", status=capture.get("status", 302),
                            headers={"Location": capture["location"]})  # fmt: skip
        body = (ROOT / capture["body"]).read_bytes()
        return Response(body, status=capture.get("status", 200), content_type=capture["type"])


class _Quiet(WSGIRequestHandler):
    """No line on stderr for each request (``requests`` keeps them)."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        return None


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((WAYBACK / f"{name}.json").read_text("utf-8"))
    return loaded


@contextmanager
def wayback(scenario: str | dict[str, Any]) -> Iterator[Wayback]:
    """A running :class:`Wayback` for the ``with`` block."""
    with Wayback(scenario) as server:
        yield server


def fixture_path(relative: str) -> Path:
    return ROOT / relative
