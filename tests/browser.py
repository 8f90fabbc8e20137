"""Headless Chromium driven over the DevTools protocol (websocket-client), for the site tests.

Debian's ``chromium-headless-shell`` is preferred: it makes no background requests of its
own (full ``chromium`` asks Google hosts even with background networking off). The page's
network log comes from CDP's Network domain, which records only the page's own requests; a
request the Content-Security-Policy blocks still shows in ``Network.requestWillBeSent``,
then in ``Network.loadingFailed`` with ``blockedReason: "csp"``.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

FLAGS = [
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing resolves: no lookup leaves the machine
    "--remote-debugging-port=0",
]


def browser() -> list[str] | None:
    """The command that starts a headless browser, or None when none is installed."""
    if shell := shutil.which("chromium-headless-shell"):
        return [shell]
    if full := shutil.which("chromium"):
        return [full, "--headless=new"]
    return None


class Page:
    """One browser with one tab; ``events`` collects every event (the network log)."""

    def __init__(self, width: int = 800, height: int = 1000) -> None:
        import websocket  # websocket-client, a dev dependency

        command = browser()
        if command is None:
            raise RuntimeError("no chromium-headless-shell or chromium on PATH")
        self.profile = tempfile.mkdtemp(prefix="threadkeep-chromium-")
        active = Path(self.profile, "DevToolsActivePort")  # "<port>\n<path>"
        self.proc = subprocess.Popen(
            [*command, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not (active.exists() and "\n" in active.read_text()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError(f"{command[0]} opened no DevTools port")
            time.sleep(0.05)
        port = active.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        self.ws = websocket.create_connection(url, timeout=20)
        self.n = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Network", "Page", "Log", "Runtime"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while (message := json.loads(self.ws.recv())).get("id") != self.n:
            self.events.append(message)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        result: dict[str, Any] = message["result"]
        return result

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event; the log starts afresh."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(json.loads(self.ws.recv()))

    def js(self, expression: str) -> Any:
        answer = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> None:
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        path.write_bytes(base64.b64decode(shot["data"]))

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def blocked(self) -> list[str]:
        return [
            e["params"].get("blockedReason", "")
            for e in self.events
            if e.get("method") == "Network.loadingFailed"
        ]

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)
