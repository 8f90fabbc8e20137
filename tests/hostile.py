"""Pathological inputs: build them (large ones from small recipes) and say what each gives.

Run as a module, it parses one case in a fresh process and prints one JSON line, so that the
test can hold each case to its time and memory budget::

    python -m tests.hostile nested_divs.recipe.json

A recipe (``<case>.recipe.json``) is ``{"describe": …, "parts": [[text, times], …]}``: the
input is each text repeated that many times, in order, encoded as UTF-8. ``numbered``
(``{"field": "{id}", "start": n}``) replaces ``field`` in repeated parts with n, n+1, …
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import threadkeep
from tests.bombs import peak_kib
from threadkeep.cli import cli
from threadkeep.models import result_adapter

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
EXPECTED: dict[str, dict[str, Any]] = json.loads((HOSTILE / "expected.json").read_text("utf-8"))


def build(recipe: dict[str, Any]) -> bytes:
    """The bytes a recipe describes."""
    numbered = recipe.get("numbered")
    pieces: list[str] = []
    for text, times in recipe["parts"]:
        if numbered and numbered["field"] in text:
            start = numbered["start"]
            pieces.extend(text.replace(numbered["field"], str(start + i)) for i in range(times))
        else:
            pieces.append(text * times)
    return "".join(pieces).encode("utf-8")


def case_bytes(name: str) -> bytes:
    """A committed case's bytes, or a recipe's, built."""
    path = HOSTILE / name
    if name.endswith(".recipe.json"):
        return build(json.loads(path.read_text("utf-8")))
    return path.read_bytes()


def outcome(data: bytes, source: str) -> dict[str, Any]:
    """What ``parse`` gives: the error's class and message, or the result's kind and facts."""
    try:
        result = threadkeep.parse(data, source=source)
    except threadkeep.ThreadkeepError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    assert result_adapter.validate_json(result.model_dump_json()) == result  # the round trip
    tweets = getattr(result, "tweets", None)
    found: dict[str, Any] = {"result": result.kind}
    if tweets is not None:
        found["tweets"] = len(tweets)
        found["ids"] = [t.id for t in tweets[:10]]
        found["texts"] = [(t.text or "")[:80] for t in tweets[:10]]
        found["text_lengths"] = [len(t.text or "") for t in tweets[:10]]
    else:
        found.update(ids=[result.id], texts=[(result.text or "")[:80]])
    for name in ("id", "complete", "declared_count", "author"):
        value = getattr(result, name, None)
        if name == "author":
            value = value.handle if value is not None else None
        found[name] = value
    return found


def cli_outcome(data: bytes, name: str, folder: Path) -> dict[str, Any]:
    """``threadkeep convert`` on the case: exit status and what it wrote on stderr."""
    path = folder / name
    path.write_bytes(data)
    run = CliRunner().invoke(cli, ["convert", str(path), "-o", str(folder / "out.json")])
    crashed = run.exception is not None and not isinstance(run.exception, SystemExit)
    return {"exit": run.exit_code, "stderr": run.stderr, "crashed": crashed}


def main(name: str) -> None:
    import tempfile

    data = case_bytes(name)
    start = time.perf_counter()
    found = outcome(data, source=name)
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        command = cli_outcome(data, name, Path(folder))
    peak = peak_kib() / 1024  # this program's own peak, not the forking pytest's
    print(json.dumps({"outcome": found, "cli": command, "seconds": seconds, "peak_mb": peak}))


if __name__ == "__main__":
    main(sys.argv[1])
